/**
 * The platform stack's program (`Pulumi.yaml` main): `pulumi up -s prod` in the repository root.
 * Every export below is a stack output the tenant driver and operators read.
 *
 * With `websplat:bootstrap` set to `registries` (the first `up` of a new account, docs/deploy.md) the program
 * declares the image repositories alone: images can be pushed before anything that runs them exists,
 * and no step needs `--target`.
 */
import * as pulumi from "@pulumi/pulumi";
import { readPlatformConfig } from "./config.ts";
import { createPlatform, type PlatformOutputs } from "./platform.ts";
import { ImageRegistries } from "./registries.ts";

const bootstrap = new pulumi.Config("websplat").get("bootstrap");
if (bootstrap !== undefined && bootstrap !== "registries") {
  throw new Error(`websplat:bootstrap must be "registries" or unset, not "${bootstrap}".`);
}
const platform: Partial<PlatformOutputs> =
  bootstrap === "registries" ? registriesOnly() : createPlatform(readPlatformConfig());

function registriesOnly(): Partial<PlatformOutputs> {
  const registries = new ImageRegistries("websplat");
  return {
    runtimeRepositoryUrl: registries.runtimeRepositoryUrl,
    controlPlaneRepositoryUrl: registries.controlPlaneRepositoryUrl,
  };
}

export const kubeconfig = platform.kubeconfig;
export const databaseHost = platform.databaseHost;
export const databasePort = platform.databasePort;
export const databaseCidr = platform.databaseCidr;
export const ingressHostname = platform.ingressHostname;
export const ingressNamespace = platform.ingressNamespace;
export const zoneId = platform.zoneId;
export const sitesZoneId = platform.sitesZoneId;
export const sitesDomain = platform.sitesDomain;
export const backupBucket = platform.backupBucket;
export const tenantBackendUrl = platform.tenantBackendUrl;
export const runtimeRepositoryUrl = platform.runtimeRepositoryUrl;
export const controlPlaneRepositoryUrl = platform.controlPlaneRepositoryUrl;
export const runtimeImage = platform.runtimeImage;
export const controlPlaneImage = platform.controlPlaneImage;
