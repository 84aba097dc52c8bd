import { createHash } from "node:crypto";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TransactionSql } from "postgres";
import { BackupError } from "./errors.ts";

/** Identifiers come from the catalog or validated slugs; quoting is applied anyway. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

export interface TableShape {
  name: string;
  columns: string[];
  primaryKey: string[];
}

/**
 * Pins the session settings that shape COPY's text output, so the same rows give the same bytes (and
 * checksum) whatever the server's or the role's defaults.
 */
export async function pinTextOutput(tx: TransactionSql): Promise<void> {
  await tx.unsafe(
    "set local timezone to 'UTC'; set local datestyle to 'ISO, MDY'; set local intervalstyle to 'postgres'; " +
      "set local bytea_output to 'hex'; set local extra_float_digits to 1",
  );
}

/** The schema's tables (minus `exclude`) in an order where every table comes after those it references. */
export async function tablesInLoadOrder(
  tx: TransactionSql,
  schema: string,
  exclude: string[] = [],
): Promise<TableShape[]> {
  const names = (
    await tx<{ name: string }[]>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`
  )
    .map((row) => row.name)
    .filter((name) => !exclude.includes(name));
  const edges = await tx<{ child: string; parent: string }[]>`
    select cl.relname as child, pl.relname as parent
    from pg_constraint k
    join pg_class cl on cl.oid = k.conrelid join pg_namespace n on n.oid = cl.relnamespace
    join pg_class pl on pl.oid = k.confrelid
    where k.contype = 'f' and n.nspname = ${schema} and cl.oid <> pl.oid`;
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (placed.has(name) || !names.includes(name)) return;
    // A cycle of foreign keys: COPY checks each statement's rows at its end, so load order cannot fix it.
    if (visiting.has(name))
      throw new BackupError(
        "tenant_data_unreadable",
        `Tables of ${schema} reference each other in a cycle through ${name}: their rows cannot be saved in an order that loads again.`,
      );
    visiting.add(name);
    for (const edge of edges) if (edge.child === name) visit(edge.parent);
    visiting.delete(name);
    placed.add(name);
    ordered.push(name);
  };
  for (const name of names) visit(name);
  const shapes: TableShape[] = [];
  for (const name of ordered) shapes.push(await tableShape(tx, schema, name));
  return shapes;
}

async function tableShape(tx: TransactionSql, schema: string, name: string): Promise<TableShape> {
  const relation = `${ident(schema)}.${ident(name)}`;
  const columns = await tx<{ name: string }[]>`
    select attname as name from pg_attribute
    where attrelid = ${relation}::regclass and attnum > 0 and not attisdropped and attgenerated = ''
    order by attnum`;
  const key = await tx<{ name: string }[]>`
    select a.attname as name from pg_index i
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[])
    where i.indrelid = ${relation}::regclass and i.indisprimary
    order by array_position(i.indkey::int2[], a.attnum)`;
  return { name, columns: columns.map((c) => c.name), primaryKey: key.map((k) => k.name) };
}

/** The table's rows as COPY text, in primary-key order (row text order without one): stable bytes. */
export async function copyOut(tx: TransactionSql, schema: string, table: TableShape) {
  const relation = `${ident(schema)}.${ident(table.name)}`;
  const columns = table.columns.map(ident).join(", ");
  const order = table.primaryKey.length > 0 ? table.primaryKey.map(ident).join(", ") : "t::text";
  return await tx
    .unsafe(`copy (select ${columns} from ${relation} t order by ${order}) to stdout`)
    .readable();
}

/**
 * Streams `source` into `COPY … FROM STDIN`. postgres.js never finishes its COPY writable when the server
 * rejects the rows (the error arrives after the stream has let go of the connection), so a query sent right
 * behind the data is the witness: it runs after a completed COPY and fails in the aborted transaction otherwise.
 */
export async function copyIn(
  tx: TransactionSql,
  schema: string,
  table: { name: string; columns: string[] },
  source: Readable,
): Promise<void> {
  const columns = table.columns.map(ident).join(", ");
  const writable = await tx
    .unsafe(`copy ${ident(schema)}.${ident(table.name)} (${columns}) from stdin`)
    .writable();
  const dataSent = new Promise<void>((resolve) => {
    const final = writable._final!.bind(writable);
    writable._final = (callback) => {
      final(callback);
      resolve();
    };
  });
  const loaded = pipeline(source, writable);
  // Its failure is the witness's below when the data was sent; awaited at the end otherwise: never unhandled.
  loaded.catch(() => {});
  await Promise.race([loaded, dataSent]);
  try {
    await tx`select 1`;
  } catch (error) {
    throw new Error(`The database refused the rows of table ${table.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  await loaded;
}

/** A pass-through that hashes, counts bytes and counts rows (COPY text ends every row with a newline). */
export function digest() {
  const hash = createHash("sha256");
  const totals = { bytes: 0, rows: 0, sha256: "" };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      totals.bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) totals.rows++;
      done(null, chunk);
    },
    flush(done) {
      totals.sha256 = hash.digest("hex");
      done();
    },
  });
  return { stream, totals };
}

export async function sequencesOf(tx: TransactionSql, schema: string) {
  const names = await tx<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'S' order by c.relname`;
  const values: { name: string; value: string; called: boolean }[] = [];
  for (const { name } of names) {
    const [row] = await tx.unsafe<{ value: string; called: boolean }[]>(
      `select last_value::text as value, is_called as called from ${ident(schema)}.${ident(name)}`,
    );
    if (row) values.push({ name, value: row.value, called: row.called });
  }
  return values;
}

/** The newest drizzle migration recorded in `table` (drizzle's bookkeeping: id, hash, created_at). */
export async function migrationLevel(tx: TransactionSql, table: { schema: string; name: string }) {
  const relation = `${ident(table.schema)}.${ident(table.name)}`;
  const [exists] = await tx`select to_regclass(${relation}) as oid`;
  if (!exists?.oid) return { version: null, count: 0, hash: null };
  const [row] = await tx.unsafe<{ version: string | null; count: number; hash: string | null }[]>(
    `select max(created_at)::text as version, count(*)::int as count,
            (array_agg(hash order by created_at desc))[1] as hash from ${relation}`,
  );
  return {
    version: row?.version ? Number(row.version) : null,
    count: row?.count ?? 0,
    hash: row?.hash ?? null,
  };
}
