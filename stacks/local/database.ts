import { createHmac } from "node:crypto";
import type postgres from "postgres";
import type { TenantSpec } from "../../tenant-template/index.ts";

/** Identifiers here come from validated slugs; quoting is still applied so nothing depends on that. */
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Database and function privileges live in one catalog row each, shared by every tenant: two transactions changing
 * one at once fail with "tuple concurrently updated", so tenants take turns there (until their commit). A lock
 * namespace beside those of control-plane/reconciler/locks.ts (7_246_171 and 7_246_172).
 */
const SHARED_PRIVILEGES_LOCK = 7_246_173;

/** Stable per-tenant password derived from the platform secret: nothing to store, nothing to lose. */
export function tenantPassword(secret: string, slug: string): string {
  return createHmac("sha256", secret).update(`tenant-database:${slug}`).digest("hex");
}

/**
 * Ensures the tenant's login role and schema with the isolation rules of DESIGN §5:
 * the role owns only its schema, holds no cluster privileges, and PUBLIC has no rights on the schema.
 * Works where the platform's role is a superuser and where it only has CREATEROLE (RDS's master user).
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
    const [me] = await tx<
      { superuser: boolean }[]
    >`select rolsuper as superuser from pg_roles where rolname = current_user`;
    // Only a superuser may even name the superuser, replication and bypassrls attributes; a CREATEROLE role's
    // roles never have them.
    const clusterAttributes = me?.superuser ? "nosuperuser nobypassrls noreplication " : "";
    await tx.unsafe(
      `alter role ${role} with login ${clusterAttributes}nocreatedb nocreaterole noinherit ` +
        `connection limit ${Number(spec.database.connectionLimit)} password '${options.password.replaceAll("'", "''")}'`,
    );
    // The role may change its own defaults and password; every reconcile puts back the platform's.
    await tx.unsafe(`alter role ${role} reset all`);
    await tx.unsafe(`alter role ${role} in database ${ident(options.databaseName)} reset all`);
    await tx.unsafe(`alter role ${role} set search_path = ${schema}`);
    await tx.unsafe(`alter role ${role} set idle_in_transaction_session_timeout = '60s'`);
    await grantPlatformMembership(tx, spec.database.role);
    await tx.unsafe(`create schema if not exists ${schema} authorization ${role}`);
    await tx.unsafe(`alter schema ${schema} owner to ${role}`);
    await tx.unsafe(`revoke all on schema ${schema} from public`);
    await tx`select pg_advisory_xact_lock(${SHARED_PRIVILEGES_LOCK}, 0)`;
    await revokeClusterLeftovers(tx, options.databaseName);
    await tx.unsafe(`grant connect on database ${ident(options.databaseName)} to ${role}`);
    return { created: !existing };
  });
}

/**
 * A platform role that is not a superuser must be a member of the tenant role to create the schema for it,
 * to switch to it for tenant work, and to drop what it owns (PostgreSQL 16+ asks for the SET and INHERIT
 * options explicitly; a CREATEROLE role gets only ADMIN on the roles it creates).
 */
async function grantPlatformMembership(tx: postgres.TransactionSql, tenantRole: string): Promise<void> {
  const [me] = await tx<{ superuser: boolean; version: number }[]>`
    select rolsuper as superuser, current_setting('server_version_num')::int as version
    from pg_roles where rolname = current_user`;
  if (!me || me.superuser) return;
  const options = me.version >= 160000 ? " with inherit true, set true" : "";
  await tx.unsafe(`grant ${ident(tenantRole)} to current_user${options}`);
}

/**
 * What PUBLIC holds by default and a tenant never needs: connecting to the cluster's maintenance databases,
 * temporary tables, and large objects. Done where the platform's role may (it owns the database, or is a
 * superuser); what it cannot revoke is listed in docs/security.md.
 */
async function revokeClusterLeftovers(tx: postgres.TransactionSql, databaseName: string): Promise<void> {
  const databases = await tx<{ name: string }[]>`
    select d.datname as name from pg_database d
    where d.datname in ('postgres', 'template1', ${databaseName})
      and (pg_has_role(current_user, d.datdba, 'USAGE')
           or (select rolsuper from pg_roles where rolname = current_user))`;
  for (const { name } of databases) {
    await tx.unsafe(`revoke temporary on database ${ident(name)} from public`);
    if (name !== databaseName) await tx.unsafe(`revoke connect on database ${ident(name)} from public`);
  }
  await tx.unsafe(`revoke connect on database ${ident(databaseName)} from public`);
  const [me] = await tx<
    { superuser: boolean }[]
  >`select rolsuper as superuser from pg_roles where rolname = current_user`;
  // The built-in large-object functions belong to the bootstrap superuser: only a superuser can revoke them.
  if (me?.superuser) {
    await tx.unsafe(
      "revoke execute on function lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea), " +
        "lo_import(text), lo_import(text, oid) from public",
    );
  }
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
      await tx`select pg_advisory_xact_lock(${SHARED_PRIVILEGES_LOCK}, 0)`;
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
