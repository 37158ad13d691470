/**
 * The search of criteria.ts as an Athena query over the archive's Glue table
 * (infra/constructs/archive-search.ts): one row per message.json, partitions `account`,
 * `extension` (injected: the query names them, as the local scan lists them) and `day`
 * (`yyyy/MM/dd`, projected), so Athena reads only the days of the range. Each condition is the SQL
 * form of {@link matchesManifest}'s: digits-only party numbers, creationTime in [from, to),
 * lower-case type, direction and subject. Values go as execution parameters, never into the text.
 */
import type { SearchCriteria } from './criteria.ts';

/** What {@link buildSearchQuery} needs besides the criteria. */
export interface SearchTable {
  database: string;
  table: string;
  /** Accounts and extensions to read (injected partitions are named, never discovered). */
  accountIds: readonly string[];
  extensionIds: readonly string[];
}

/** A query and its execution parameters (SQL literals, in the order of the `?`s). */
export interface AthenaQuery {
  sql: string;
  parameters: string[];
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const digits = (column: string) => `regexp_replace(coalesce(${column}, ''), '[^0-9]', '')`;
const utcDay = (iso: string) => new Date(iso).toISOString().slice(0, 10).replace(/-/g, '/');

/** Builds the query; see the module comment. */
export function buildSearchQuery(criteria: SearchCriteria, table: SearchTable): AthenaQuery {
  const parameters: string[] = [];
  const bind = (value: string) => {
    parameters.push(sqlString(value));
    return '?';
  };
  const list = (values: readonly string[]) => values.map(bind).join(', ');
  const conditions = [
    `account IN (${list(criteria.accountId ? [criteria.accountId] : table.accountIds)})`,
    `extension IN (${list(criteria.extensionIds ?? table.extensionIds)})`,
    `day BETWEEN ${bind(utcDay(criteria.from))} AND ${bind(utcDay(criteria.to))}`,
    `"$path" LIKE '%/message.json'`,
    `from_iso8601_timestamp(message.creationtime) >= from_iso8601_timestamp(${bind(criteria.from)})`,
    `from_iso8601_timestamp(message.creationtime) < from_iso8601_timestamp(${bind(criteria.to)})`,
  ];
  if (criteria.types) conditions.push(`lower(message.type) IN (${list(criteria.types)})`);
  if (criteria.directions) {
    conditions.push(`lower(message.direction) IN (${list(criteria.directions)})`);
  }
  if (criteria.text !== undefined) {
    conditions.push(`strpos(lower(coalesce(message.subject, '')), ${bind(criteria.text)}) > 0`);
  }
  if (criteria.party !== undefined) {
    const party = (path: string) =>
      `${digits(`${path}.phonenumber`)} = ${bind(criteria.party as string)} OR ${digits(`${path}.extensionnumber`)} = ${bind(criteria.party as string)}`;
    conditions.push(
      `(${party('message."from"')} OR any_match(coalesce(message."to", ARRAY[]), t -> ${party('t')}))`,
    );
  }
  const sql = [
    `SELECT "$path" AS key FROM ${identifier(table.database)}.${identifier(table.table)}`,
    `WHERE ${conditions.join('\n  AND ')}`,
    'ORDER BY "$path"',
  ].join('\n');
  return { sql, parameters };
}
