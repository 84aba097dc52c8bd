import type { PlatformInput } from "../../tenant-template/index.ts";
import type { Config } from "../config.ts";
import type { DatabaseHandle } from "../db/client.ts";
import type { Listening } from "./listen.ts";

/** What every tenant's spec is built from: this platform's domain, ingress, database and keys. */
export function platformInput(
  config: Config,
  database: DatabaseHandle,
  ownerPublicKey: string,
  listening: Listening,
): PlatformInput {
  return {
    baseDomain: config.WEBSPLAT_BASE_DOMAIN,
    scheme: listening.publicUrl.startsWith("https:") ? "https" : "http",
    publicPort: listening.publicPort,
    runtimeImage: config.runtimeImage,
    ingressNamespace: config.WEBSPLAT_INGRESS_NAMESPACE,
    ingressClassName: config.WEBSPLAT_INGRESS_CLASS,
    ingressHostname: config.ingressHostname,
    postgres: {
      host: config.WEBSPLAT_TENANT_DB_HOST ?? database.url.hostname,
      port: Number(database.url.port || 5432),
      database: database.name,
      cidr: config.WEBSPLAT_TENANT_DB_CIDR,
    },
    ownerPublicKey,
    model: { model: config.OPENAI_MODEL },
  };
}
