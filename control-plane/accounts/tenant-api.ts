import { tenantAuth } from "../tenant-access.ts";

/**
 * The tenant API (`/api/billing/portal`, `/api/account/email`) is called by a tenant's runtime with its own
 * credential (`Authorization: Bearer <WEBSPLAT_PLATFORM_TOKEN>`, `X-WebSplat-Tenant: <slug>`), never the
 * admin token: a runtime can act for its own tenant only. The same credential as the rest of `/api/tenant`.
 */
export function tenantApiAuth(ownerPrivateKey: string) {
  return tenantAuth(ownerPrivateKey);
}
