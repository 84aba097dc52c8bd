import type { Deployment } from "@pulumi/pulumi/automation/index.js";

/**
 * Crash recovery of a tenant stack's state. An engine killed mid-update leaves `pending_operations`;
 * Pulumi's `--clear-pending-creates` drops those, but a create that did reach the cloud (a Role, a
 * DnsRecord) then fails with "already exists" on the next `up`. Instead, each pending create whose
 * real id can be found by name is turned into a resource with that id — what `refresh
 * --import-pending-creates` does — and the refresh that follows reads its true state.
 */

/** One resource as the state file holds it (only the fields recovery reads). */
interface StateResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [field: string]: unknown;
}

interface PendingOperation {
  resource: StateResource;
  type: string;
}

/** Finds the id of a resource that exists but is unknown to the state; null when there is none. */
export type IdLookup = (resource: StateResource) => Promise<string | null>;

export interface RecoveredState {
  state: Deployment;
  /** URNs turned into resources with a found id. */
  imported: string[];
  /** URNs dropped (nothing to import: never created, or not importable by name). */
  dropped: string[];
}

/** Whether the state holds operations a dead engine left half done. */
export function hasPendingOperations(state: Deployment | undefined): boolean {
  return (state?.deployment?.pending_operations?.length ?? 0) > 0;
}

/** The state with its pending operations resolved: creates found by name imported, the rest dropped. */
export async function resolvePendingOperations(state: Deployment, lookup: IdLookup): Promise<RecoveredState> {
  const deployment = { ...state.deployment };
  const pending: PendingOperation[] = deployment.pending_operations ?? [];
  const resources: StateResource[] = [...(deployment.resources ?? [])];
  const imported: string[] = [];
  const dropped: string[] = [];
  for (const operation of pending) {
    const resource = operation.resource;
    const known = resources.some((existing) => existing.urn === resource.urn);
    const id = operation.type === "creating" && !known ? await lookup(resource) : null;
    if (id) {
      // Outputs are refreshed from the real object right after; the inputs are a fair first guess.
      resources.push({ ...resource, id, outputs: resource.outputs ?? resource.inputs ?? {} });
      imported.push(resource.urn);
    } else {
      dropped.push(resource.urn);
    }
  }
  deployment.pending_operations = [];
  deployment.resources = resources;
  return { state: { ...state, deployment }, imported, dropped };
}

/**
 * Ids by name for what a tenant stack creates: Kubernetes objects (`namespace/name`), the Postgres role
 * (its name) and schema (`database.schema`), and the Cloudflare record (looked up in the zone by name).
 */
export function tenantIdLookup(options: {
  cloudflare: { apiToken: string; zoneId: string };
  fetch?: typeof fetch;
}): IdLookup {
  const request = options.fetch ?? fetch;
  return async (resource) => {
    const inputs = resource.inputs ?? {};
    const text = (value: unknown) => (typeof value === "string" && value ? value : null);
    if (resource.type.startsWith("kubernetes:") && resource.custom !== false) {
      const metadata = (inputs.metadata ?? {}) as { name?: unknown; namespace?: unknown };
      const name = text(metadata.name);
      if (!name) return null;
      const namespace = text(metadata.namespace);
      return namespace ? `${namespace}/${name}` : name;
    }
    if (resource.type === "postgresql:index/role:Role") return text(inputs.name);
    if (resource.type === "postgresql:index/schema:Schema") {
      const database = text(inputs.database);
      const name = text(inputs.name);
      return database && name ? `${database}.${name}` : null;
    }
    if (resource.type === "cloudflare:index/dnsRecord:DnsRecord") {
      const name = text(inputs.name);
      const type = text(inputs.type);
      if (!name || !type) return null;
      const zone = text(inputs.zoneId) ?? options.cloudflare.zoneId;
      const url = new URL(
        `https://api.cloudflare.com/client/v4/zones/${encodeURIComponent(zone)}/dns_records`,
      );
      url.searchParams.set("name", name);
      url.searchParams.set("type", type);
      const response = await request(url, {
        headers: { authorization: `Bearer ${options.cloudflare.apiToken}` },
      });
      if (!response.ok) {
        throw new Error(`Cloudflare answered ${response.status} looking up the DNS record ${name}.`);
      }
      const body = (await response.json()) as { result?: Array<{ id?: string }> };
      return body.result?.[0]?.id ?? null;
    }
    return null;
  };
}
