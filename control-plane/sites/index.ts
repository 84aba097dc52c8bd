export { siteAdminRoutes } from "./admin-api.ts";
export { blobCollection } from "./blobs.ts";
export { type DomainView, domainLimit } from "./domains.ts";
export { parseSiteHost, siteHostname } from "./hosts.ts";
export { publicSites } from "./public-host.ts";
export { createSites, type Sites } from "./service.ts";
export { siteStore } from "./store.ts";
export { tenantSiteRoutes } from "./tenant-api.ts";
export { siteToken, siteTokenSecret } from "./token.ts";
