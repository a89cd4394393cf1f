/**
 * rows.ts: how the stores turn what a prepared statement answers into records. A `get` answers a
 * row or undefined and an `all` a list; each store writes only its row-to-record function (the
 * columns it names, so a column a record must not carry, like a host's client key, stays behind).
 */

/** Row is one answer row of node:sqlite: column name to value. */
export type Row = Record<string, unknown>;

/** RowMapper reads one record (null for no row) or a list of them from a statement's answer. */
export interface RowMapper<T> {
  one(r: unknown): T | null;
  many(rows: unknown[]): T[];
}

/** rowMapper wraps a store's row-to-record function for both shapes of answer. */
export function rowMapper<T>(to: (r: Row) => T): RowMapper<T> {
  return {
    one: (r) => (r ? to(r as Row) : null),
    many: (rows) => (rows as Row[]).map(to),
  };
}

/** orNull reads a nullable column, or one an older select or schema does not have, as T or null. */
export function orNull<T>(v: unknown): T | null {
  return (v as T | null | undefined) ?? null;
}
