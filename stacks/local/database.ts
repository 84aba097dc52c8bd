import { createHmac } from "node:crypto";
import type postgres from "postgres";
import type { TenantSpec } from "../../tenant-template/index.ts";

/** Identifiers here come from validated slugs; quoting is still applied so nothing depends on that. */
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Stable per-tenant password derived from the platform secret: nothing to store, nothing to lose. */
export function tenantPassword(secret: string, slug: string): string {
  return createHmac("sha256", secret).update(`tenant-database:${slug}`).digest("hex");
}

/**
 * Ensures the tenant's login role and schema with the isolation rules of DESIGN §5:
 * the role owns only its schema, holds no cluster privileges, and PUBLIC has no rights on the schema.
 */
export async function ensureTenantDatabase(
  sql: postgres.Sql,
  spec: TenantSpec,
  options: { password: string; databaseName: string },
): Promise<{ created: boolean }> {
  const role = ident(spec.database.role);
  const schema = ident(spec.database.schema);
  return await sql.begin(async (tx) => {
    // Serialise with any other ensure or destroy of the same tenant.
    await tx`select pg_advisory_xact_lock(hashtext(${`tenant:${spec.slug}`}))`;
    const [existing] = await tx`select 1 from pg_roles where rolname = ${spec.database.role}`;
    if (!existing) await tx.unsafe(`create role ${role} login`);
    await tx.unsafe(
      `alter role ${role} with login nosuperuser nocreatedb nocreaterole nobypassrls noreplication noinherit ` +
        `connection limit ${Number(spec.database.connectionLimit)} password '${options.password.replaceAll("'", "''")}'`,
    );
    await tx.unsafe(`alter role ${role} set search_path = ${schema}`);
    await tx.unsafe(`alter role ${role} set idle_in_transaction_session_timeout = '60s'`);
    await tx.unsafe(`create schema if not exists ${schema} authorization ${role}`);
    await tx.unsafe(`alter schema ${schema} owner to ${role}`);
    await tx.unsafe(`revoke all on schema ${schema} from public`);
    await tx.unsafe(`grant connect on database ${ident(options.databaseName)} to ${role}`);
    return { created: !existing };
  });
}

/** Drops the tenant's schema (with all data) and role. Harmless when they are already gone. */
export async function dropTenantDatabase(
  sql: postgres.Sql,
  names: { slug: string; role: string; schema: string },
  databaseName: string,
): Promise<void> {
  const role = ident(names.role);
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`tenant:${names.slug}`}))`;
    const [existing] = await tx`select 1 from pg_roles where rolname = ${names.role}`;
    if (existing) {
      await tx.unsafe(`alter role ${role} nologin`);
      await tx`select pg_terminate_backend(pid) from pg_stat_activity where usename = ${names.role}`;
    }
    await tx.unsafe(`drop schema if exists ${ident(names.schema)} cascade`);
    if (existing) {
      await tx.unsafe(`revoke all on database ${ident(databaseName)} from ${role}`);
      await tx.unsafe(`drop owned by ${role} cascade`);
      await tx.unsafe(`drop role ${role}`);
    }
  });
}

export async function tenantDatabaseExists(
  sql: postgres.Sql,
  names: { role: string; schema: string },
): Promise<{ role: boolean; schema: boolean }> {
  const [row] = await sql`
    select exists(select 1 from pg_roles where rolname = ${names.role}) as role,
           exists(select 1 from pg_namespace where nspname = ${names.schema}) as schema`;
  return { role: Boolean(row?.role), schema: Boolean(row?.schema) };
}
