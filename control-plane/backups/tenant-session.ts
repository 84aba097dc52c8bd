import { randomBytes } from "node:crypto";
import postgres, { type Sql } from "postgres";
import { ident } from "./catalog.ts";
import { BackupError } from "./errors.ts";

/** Login roles made for one piece of work on a tenant's data; nothing else starts with this. */
const SESSION_ROLE_PREFIX = "websplat_as_";
/** A session role left behind by a crash cannot log in after this, and the next session drops it. */
const SESSION_ROLE_LIFETIME_MS = 60 * 60_000;
/** A statement of tenant work that takes longer is cancelled (a tenant's function that loops or sleeps). */
const STATEMENT_TIMEOUT_MS = 30_000;
/** Tenant work that takes longer is ended, even where the tenant's code traps the statement timeout. */
const SESSION_DEADLINE_MS = 10 * 60_000;

/**
 * Runs `work` on a connection that holds only the tenant role's rights, never the platform's.
 *
 * The platform must not read what a tenant owns with its own privileges: a tenant can turn any of its tables
 * into a view over its own function, which then runs as whoever reads it. `SET ROLE` on the platform's
 * connection is no boundary (the function can `RESET ROLE`), so the work logs in as a short-lived role made
 * for it: a member of the tenant role without inheriting its rights, no rights of its own, switched to the
 * tenant role with `SET ROLE`. Code the tenant planted then runs as the tenant; if it resets the role, it
 * runs as a role that can do nothing. Works where the platform's role is a superuser and where it only has
 * CREATEROLE (RDS), and needs no tenant password.
 */
export async function asTenant<T>(
  admin: Sql,
  tenantRole: string,
  work: (tenant: Sql) => Promise<T>,
  limits: TenantSessionLimits = {},
): Promise<T> {
  const statementTimeoutMs = limits.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  const deadlineMs = limits.deadlineMs ?? SESSION_DEADLINE_MS;
  await dropExpiredSessionRoles(admin);
  const name = `${SESSION_ROLE_PREFIX}${tenantRole}_${randomBytes(4).toString("hex")}`;
  const password = randomBytes(24).toString("hex");
  const validUntil = new Date(Date.now() + SESSION_ROLE_LIFETIME_MS).toISOString();
  const [database] = await admin<{ name: string }[]>`select current_database() as name`;
  await admin.unsafe(
    `create role ${ident(name)} login noinherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls ` +
      `connection limit 2 valid until '${validUntil}' password '${password}'`,
  );
  let timedOut = false;
  // The tenant's code can trap a statement timeout and loop on: past the deadline its session is ended.
  const deadline = setTimeout(() => {
    timedOut = true;
    admin`select pg_terminate_backend(pid) from pg_stat_activity where usename = ${name}`.catch(() => {});
  }, deadlineMs);
  try {
    await admin.unsafe(`grant ${ident(tenantRole)} to ${ident(name)}`);
    await admin.unsafe(`grant connect on database ${ident(database!.name)} to ${ident(name)}`);
    const tenant = postgres({
      host: admin.options.host[0],
      port: admin.options.port[0],
      database: database!.name,
      ssl: admin.options.ssl,
      username: name,
      password,
      // One connection: the role switch below holds for every statement of the work.
      max: 1,
      onnotice: () => {},
      connection: {
        application_name: "websplat-control-plane",
        statement_timeout: statementTimeoutMs,
        idle_in_transaction_session_timeout: statementTimeoutMs,
      },
    });
    try {
      await tenant.unsafe(`set role ${ident(tenantRole)}`);
      return await work(tenant);
    } catch (error) {
      if (timedOut) {
        throw new BackupError(
          "tenant_data_unreadable",
          `The schema of ${tenantRole} could not be read within ${Math.round(deadlineMs / 1000)} s: code of its own (a view, policy or function) keeps it busy. Its owner must remove it, or restore a backup.`,
        );
      }
      if (causedByTenant(error)) {
        throw new BackupError(
          "tenant_data_unreadable",
          `The schema of ${tenantRole} cannot be read with the tenant role's own rights (${(error as Error).message}); its owner's database changes stand in the way: they must undo them, or restore a backup.`,
        );
      }
      throw error;
    } finally {
      await tenant.end({ timeout: 5 });
    }
  } finally {
    clearTimeout(deadline);
    // A session role that cannot be dropped now expires and is dropped by the next session.
    await dropSessionRole(admin, name).catch(() => {});
  }
}

/** How long tenant work may take, per statement and in all. */
export interface TenantSessionLimits {
  /** @default 30 s */
  statementTimeoutMs?: number;
  /** @default 10 min */
  deadlineMs?: number;
}

/**
 * Whether an error of the tenant session comes from what the tenant made of its schema (its functions raising,
 * timeouts, missing rights, broken objects) rather than from the platform's database being unreachable or down.
 */
function causedByTenant(error: unknown): boolean {
  if (error instanceof BackupError) return false;
  if (!(error instanceof postgres.PostgresError)) return false;
  const platformClasses = ["08", "28", "3D", "53", "58", "XX"];
  if (platformClasses.some((prefix) => error.code.startsWith(prefix))) return false;
  // Shutdown and crash of the server: operator intervention, not the tenant (a statement timeout is 57014).
  return !["57P01", "57P02", "57P03"].includes(error.code);
}

async function dropSessionRole(admin: Sql, name: string): Promise<void> {
  const [database] = await admin<{ name: string }[]>`select current_database() as name`;
  await admin.unsafe(`revoke all on database ${ident(database!.name)} from ${ident(name)}`).catch(() => {});
  // The server drops a closed session's temporary objects just after it goes; wait for that, briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`drop role if exists ${ident(name)}`);
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function dropExpiredSessionRoles(admin: Sql): Promise<void> {
  const expired = await admin<{ name: string }[]>`
    select rolname as name from pg_roles
    where starts_with(rolname, ${SESSION_ROLE_PREFIX}) and rolvaliduntil < now()`;
  for (const { name } of expired) await dropSessionRole(admin, name).catch(() => {});
}
