/**
 * `value` without its undefined fields: a status view or batch result is stored in the state
 * table and answered as JSON, where an undefined field would become a null.
 */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
