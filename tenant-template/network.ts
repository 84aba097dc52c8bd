/** Address ranges a tenant's egress rules are built from (and the policy rules check against). */

/** RFC 1918 ranges: the cluster, the VPC and everything else internal. */
export const PRIVATE_CIDRS: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** The cloud metadata endpoint: its credentials belong to the node, never to a tenant. */
export const METADATA_CIDR = "169.254.169.254/32";

/** Carved out of a tenant's "anywhere on 443": internal ranges, link-local (metadata) and carrier-grade NAT. */
export const BLOCKED_EGRESS_CIDRS: readonly string[] = [
  ...PRIVATE_CIDRS,
  "100.64.0.0/10",
  "169.254.0.0/16",
  METADATA_CIDR,
];
