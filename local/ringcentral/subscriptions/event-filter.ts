/** Whose events a subscription receives: `~` in its filters means these ids. */
export interface SubscriptionOwner {
  accountId: string;
  extensionId: string;
}

/**
 * Replaces `~` after `/account/` and `/extension/` with the owner's ids, as RingCentral does in
 * the filters it returns. Without an owner the filter is kept as given.
 */
export function expandEventFilter(filter: string, owner?: SubscriptionOwner): string {
  if (!owner) return filter;
  return filter
    .replace(/\/account\/~(?=\/|\?|$)/, `/account/${owner.accountId}`)
    .replace(/\/extension\/~(?=\/|\?|$)/, `/extension/${owner.extensionId}`);
}

/**
 * Whether an event (path plus optional query, e.g.
 * `/restapi/v1.0/account/1/extension/2/message-store/instant?type=SMS`) matches a filter. Paths
 * must be equal segment by segment, where a `~` left in the filter matches any id; every query
 * parameter of the filter must be present in the event with the same value.
 */
export function eventMatchesFilter(eventPath: string, filter: string): boolean {
  const event = splitEvent(eventPath);
  const wanted = splitEvent(filter);
  if (event.segments.length !== wanted.segments.length) return false;
  const samePath = wanted.segments.every(
    (segment, index) => segment === '~' || segment === event.segments[index],
  );
  if (!samePath) return false;
  for (const [name, value] of wanted.query) {
    if (!event.query.getAll(name).includes(value)) return false;
  }
  return true;
}

function splitEvent(text: string): { segments: string[]; query: URLSearchParams } {
  const queryStart = text.indexOf('?');
  const path = queryStart < 0 ? text : text.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? '' : text.slice(queryStart + 1));
  return { segments: path.replace(/\/+$/, '').split('/'), query };
}
