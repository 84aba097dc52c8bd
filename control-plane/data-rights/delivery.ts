import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Readable } from "node:stream";
import { accountDeps } from "../accounts/index.ts";
import { backupStore } from "../backups/index.ts";
import { exportReadyEmail } from "../email/index.ts";
import type { Services } from "../platform-services.ts";
import { findTenant } from "../registry/tenants.ts";
import { exportTenant } from "./export.ts";

/** How long an emailed export can be downloaded; past it, the archive is deleted (next export, next visit, erasure). */
export const EXPORT_LINK_DAYS = 7;

const folder = (slug: string) => `_exports/${slug}`;
const key = (slug: string, id: string) => `${folder(slug)}/${id}.zip`;
const sign = (services: Services, slug: string, id: string) =>
  createHmac("sha256", services.platformSecret).update(`websplat-export:${slug}:${id}`).digest("base64url");

/**
 * Makes the owner's export, keeps it beside the backups, and emails the owner a link to it that works for
 * EXPORT_LINK_DAYS days. The link is the only way to it: a signed name, so nothing else needs storing.
 */
export async function sendExport(
  services: Services,
  slug: string,
): Promise<{ sentTo: string; expiresAt: Date }> {
  const archive = await exportTenant(services, slug);
  const tenant = await findTenant(services.db, slug);
  if (!tenant) throw new Error(`tenant ${slug} vanished during its export`);
  const expiresAt = new Date(Date.now() + EXPORT_LINK_DAYS * 86_400_000);
  const id = `${Math.floor(expiresAt.getTime() / 1000)}-${randomBytes(9).toString("base64url")}`;
  const store = backupStore(services);
  await store.put(key(slug, id), archive);
  await deleteExports(services, slug, { expiredOnly: true });
  const deps = accountDeps(services);
  const url = `${services.config.publicUrl}/exports/${slug}/${id}/${sign(services, slug, id)}`;
  await services.mailer.send(
    tenant.email,
    exportReadyEmail(deps.sender(), { host: new URL(deps.tenantUrl(slug)).host, url, expiresAt }),
  );
  return { sentTo: tenant.email, expiresAt };
}

/** The archive an emailed link opens: `expired` once its days are over, `unknown` for any other link. */
export async function emailedExport(
  services: Services,
  link: { slug: string; id: string; signature: string },
): Promise<Readable | "expired" | "unknown"> {
  const { slug, id, signature } = link;
  if (!/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/.test(slug) || !/^\d{1,12}-[\w-]{12}$/.test(id)) return "unknown";
  const expected = Buffer.from(sign(services, slug, id));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "unknown";
  if (Number(id.split("-")[0]) * 1000 <= Date.now()) {
    await backupStore(services).delete(key(slug, id));
    return "expired";
  }
  return await backupStore(services)
    .get(key(slug, id))
    .catch(() => "unknown" as const);
}

/** Deletes the tenant's emailed exports (all of them on erasure); answers how many went. */
export async function deleteExports(
  services: Services,
  slug: string,
  options: { expiredOnly?: boolean } = {},
): Promise<number> {
  const store = backupStore(services);
  const keys = (await store.list(`${folder(slug)}/`)).filter(
    (name) => !options.expiredOnly || Number(name.split("/").at(-1)?.split("-")[0]) * 1000 <= Date.now(),
  );
  for (const name of keys) await store.delete(name);
  return keys.length;
}
