import type { Tier } from "./tiers.ts";

/**
 * What a tier may use in its namespace: the runtime's replicas plus one surge pod for rolling
 * updates, nothing that opens the cluster to the outside (node ports, load balancers) and no
 * persistent volumes (tenant data lives in Postgres).
 */
export function tierQuota(tier: Tier): Record<string, string> {
  const pods = tier.replicas + 1;
  return {
    pods: String(pods),
    "requests.cpu": millicores(tier.cpuRequest, pods),
    "requests.memory": mebibytes(tier.memoryRequest, pods),
    "limits.cpu": millicores(tier.cpu, pods),
    "limits.memory": mebibytes(tier.memory, pods),
    "requests.ephemeral-storage": `${pods}Gi`,
    "limits.ephemeral-storage": `${2 * pods}Gi`,
    services: "2",
    "services.nodeports": "0",
    "services.loadbalancers": "0",
    persistentvolumeclaims: "0",
    secrets: "10",
    configmaps: "10",
  };
}

/** Defaults and ceilings for any container in the namespace, so nothing runs unbounded. */
export function tierLimitRange(tier: Tier) {
  return {
    type: "Container",
    default: { cpu: tier.cpu, memory: tier.memory },
    defaultRequest: { cpu: tier.cpuRequest, memory: tier.memoryRequest },
    max: { cpu: tier.cpu, memory: tier.memory },
  };
}

/** `n` times a CPU quantity ("500m", "1", "2"), in millicores. */
export function millicores(quantity: string, n = 1): string {
  const value = quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
  if (!Number.isFinite(value)) throw new Error(`Not a CPU quantity: "${quantity}".`);
  return `${value * n}m`;
}

/** `n` times a memory quantity ("512Mi", "1Gi"), in mebibytes. */
export function mebibytes(quantity: string, n = 1): string {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`Not a memory quantity in Mi or Gi: "${quantity}".`);
  const value = Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
  return `${value * n}Mi`;
}
