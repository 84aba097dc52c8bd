/**
 * The platform stack's program (`Pulumi.yaml` main): `pulumi up -s prod` in the repository root.
 * Every export below is a stack output the tenant driver and operators read.
 */
import { readPlatformConfig } from "./config.ts";
import { createPlatform } from "./platform.ts";

const platform = createPlatform(readPlatformConfig());

export const kubeconfig = platform.kubeconfig;
export const databaseHost = platform.databaseHost;
export const databasePort = platform.databasePort;
export const databaseCidr = platform.databaseCidr;
export const ingressHostname = platform.ingressHostname;
export const ingressNamespace = platform.ingressNamespace;
export const zoneId = platform.zoneId;
export const backupBucket = platform.backupBucket;
export const tenantBackendUrl = platform.tenantBackendUrl;
export const runtimeImage = platform.runtimeImage;
export const controlPlaneImage = platform.controlPlaneImage;
