import type { Sender } from "../email/index.ts";
import { type Services, tenantUrl } from "../platform-services.ts";
import { supportEmail } from "../support.ts";

/** What the account routes need: the platform's services, and how to name a tenant's address. */
export interface AccountDeps {
  services: Services;
  /** The tenant's public URL (`http://acme.localhost:8080`, `https://acme.websp.lat`). */
  tenantUrl(slug: string): string;
  /** Who the emails say they come from; read at send time (the public URL is known once listening). */
  sender(): Sender;
}

export function accountDeps(services: Services): AccountDeps {
  return {
    services,
    tenantUrl: (slug) => tenantUrl(services, slug),
    sender: () => ({
      publicUrl: services.config.publicUrl,
      supportAddress: supportEmail(),
    }),
  };
}
