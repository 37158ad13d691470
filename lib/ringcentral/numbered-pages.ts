/**
 * The page walk of RingCentral's numbered list operations (`page=1, 2, ...`): each list has its
 * own rule for the last page, so the rule is the caller's.
 */

/** Reads pages from `first` on, yielding each, until `hasMore` says the page just read was the last. */
export async function* numberedPages<P>(
  first: number,
  read: (page: number) => Promise<P>,
  hasMore: (result: P, page: number) => boolean,
): AsyncGenerator<P, void, undefined> {
  for (let page = first; ; page += 1) {
    const result = await read(page);
    yield result;
    if (!hasMore(result, page)) return;
  }
}
