/** Paged list responses: the spec's `paging` and `navigation` blocks, shared by every list. */

/** A page of a list as RingCentral returns it, before the records are put on the wire. */
export interface Page<T> {
  records: T[];
  paging: Record<string, number>;
  navigation: Record<string, { uri: string }>;
}

/** Slices page `page` (from 1) of `items`; `pageUri` gives the address of any page number. */
export function pageOf<T>(
  items: readonly T[],
  page: number,
  perPage: number,
  pageUri: (page: number) => string,
): Page<T> {
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const start = (page - 1) * perPage;
  const records = items.slice(start, start + perPage);
  const paging: Record<string, number> = {
    page,
    perPage,
    totalPages,
    totalElements: items.length,
  };
  // pageStart/pageEnd describe records on the page, so an empty page has neither.
  if (records.length > 0) {
    paging.pageStart = start;
    paging.pageEnd = start + records.length - 1;
  }
  const link = (number: number) => ({ uri: pageUri(number) });
  const navigation: Record<string, { uri: string }> = {
    firstPage: link(1),
    lastPage: link(totalPages),
  };
  if (page < totalPages) navigation.nextPage = link(page + 1);
  if (page > 1) navigation.previousPage = link(Math.min(page - 1, totalPages));
  return { records, paging, navigation };
}
