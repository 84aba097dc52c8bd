import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import {
  isTierName,
  type PlatformInput,
  type TenantSpec,
  type TierName,
  tenantSpec,
} from "../../tenant-template/index.ts";

/** One resource the tenant program declares, as Pulumi sees it. */
export interface DeclaredResource {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  type: string;
  /** Logical name in the stack. */
  name: string;
  inputs: Record<string, unknown>;
}

/** Marks every value that stands in for the real platform when rendering offline. */
export const PLACEHOLDER = "placeholder";

/** Platform values used offline: clearly not real, but shaped like production so the manifests validate. */
export const PLACEHOLDER_PLATFORM: PlatformInput = {
  baseDomain: "websp.lat",
  scheme: "https",
  runtimeImage: `${PLACEHOLDER}.invalid/websplat/agent-runtime:0.0.0-${PLACEHOLDER}`,
  ingressNamespace: "ingress-nginx",
  ingressClassName: "nginx",
  ingressHostname: `ingress.${PLACEHOLDER}.invalid`,
  postgres: {
    host: `postgres.${PLACEHOLDER}.invalid`,
    port: 5432,
    database: "websplat",
    cidr: "10.0.64.0/20",
  },
  ownerPublicKey: `-----BEGIN PUBLIC KEY-----\n${PLACEHOLDER}\n-----END PUBLIC KEY-----`,
  model: {},
};

/** Credentials handed to the component offline: none are real, none are used (no provider runs). */
const PLACEHOLDER_CREDENTIALS = {
  kubeconfig: `# ${PLACEHOLDER} kubeconfig`,
  adminDatabaseUrl: `postgres://${PLACEHOLDER}:${PLACEHOLDER}@postgres.${PLACEHOLDER}.invalid:5432/websplat`,
  cloudflareZoneId: `${PLACEHOLDER}-zone-id`,
  cloudflareApiToken: `${PLACEHOLDER}-api-token`,
};

export interface RenderOptions {
  slug: string;
  tier: TierName;
  suspended?: boolean;
  format: "json" | "yaml";
}

/**
 * What `websplat stack render` prints: every resource the real tenant program declares, run under
 * Pulumi mocks (no engine, no network, no credentials), as JSON or as Kubernetes YAML.
 */
export async function renderTenant(options: RenderOptions): Promise<string> {
  const spec = tenantSpec(
    {
      slug: options.slug,
      tier: options.tier,
      desired: options.suspended ? "suspended" : "active",
      generation: 1,
      ownerEmail: `owner@${PLACEHOLDER}.invalid`,
    },
    PLACEHOLDER_PLATFORM,
  );
  const resources = await declaredResources(spec);
  if (options.format === "json") return `${JSON.stringify(resources, null, 2)}\n`;
  const objects = kubernetesObjects(resources);
  const header = `# Tenant ${spec.slug} (${spec.tier}${spec.suspended ? ", suspended" : ""}) rendered offline: values marked "${PLACEHOLDER}" stand in for the platform's.\n${leftOutNote(resources, objects.length)}`;
  // YAML 1.1, as kubectl reads it: values such as `off` stay quoted strings.
  return header + objects.map((object) => `---\n${stringify(object, { version: "1.1" })}`).join("");
}

/** Runs `TenantEnvironment` for a spec under mocks and returns what it declared, in declaration order. */
export async function declaredResources(spec: TenantSpec): Promise<DeclaredResource[]> {
  const declared: DeclaredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        declared.push({ type, name, inputs: redactSecrets(inputs) });
        return { id: `${name}-id`, state: mockState(type, inputs) };
      },
      call: ({ inputs }) => inputs,
    },
    "websplat-tenant",
    spec.stack,
    true,
  );
  // Loaded only now so merely importing this module never touches the Pulumi runtime.
  const { TenantEnvironment } = await import("../../tenant-template/environment.ts");
  new TenantEnvironment(spec.slug, { spec, ...PLACEHOLDER_CREDENTIALS });
  // Registration is asynchronous: wait until every resource has reached the (mock) engine.
  await pulumi.runtime.disconnect();
  return declared.sort(byApplyOrder);
}

/** The Kubernetes objects among declared resources, as `kubectl apply` would receive them. */
export function kubernetesObjects(resources: DeclaredResource[]): Record<string, unknown>[] {
  return resources
    .filter((resource) => resource.type.startsWith("kubernetes:"))
    .map(({ inputs }) => {
      const { apiVersion, kind, metadata, ...rest } = inputs;
      return { apiVersion, kind, metadata, ...rest };
    });
}

/** YAML holds only the Kubernetes objects: say which of the declared resources are not among them. */
function leftOutNote(resources: DeclaredResource[], shown: number): string {
  const left = resources.filter((resource) => !resource.type.startsWith("kubernetes:"));
  if (left.length === 0) return "";
  const types = [...new Set(left.map((resource) => resource.type))].join(", ");
  return `# ${shown} of ${resources.length} resources are Kubernetes objects and follow; the other ${left.length} are not and are left out (--format json shows all): ${types}\n`;
}

/** Kinds in the order `kubectl apply` needs them (as `helm template` prints them), then the rest. */
const KIND_ORDER = [
  "Namespace",
  "RoleBinding",
  "ResourceQuota",
  "LimitRange",
  "NetworkPolicy",
  "ServiceAccount",
  "Secret",
  "Service",
  "Deployment",
  "PodDisruptionBudget",
  "Ingress",
];

function byApplyOrder(a: DeclaredResource, b: DeclaredResource): number {
  const rank = (resource: DeclaredResource) => {
    if (resource.type.startsWith("kubernetes:")) {
      const kind = resource.type.split(":")[2] ?? "";
      const index = KIND_ORDER.indexOf(kind);
      return 10 + (index < 0 ? KIND_ORDER.length : index);
    }
    if (resource.type.startsWith("pulumi:providers:")) return 1;
    return resource.type.startsWith("websplat:") ? 0 : 50;
  };
  return rank(a) - rank(b) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name);
}

/** Outputs a real provider would compute, so dependent inputs are filled in. */
function mockState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (type === "random:index/randomPassword:RandomPassword")
    return { ...inputs, result: `${PLACEHOLDER}-password` };
  return inputs;
}

/** How Pulumi marks a secret value on the wire (`{ [SIGNATURE_KEY]: SECRET_SIGNATURE, value }`). */
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** Secret values never reach the rendered output, even placeholders. */
function redactSecrets(value: unknown): never {
  if (Array.isArray(value)) return value.map(redactSecrets) as never;
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIGNATURE_KEY] === SECRET_SIGNATURE) return hideLeaves(record.value);
    return Object.fromEntries(
      Object.entries(record).map(([key, inner]) => [key, redactSecrets(inner)]),
    ) as never;
  }
  return value as never;
}

/** Keeps the shape of a secret (a Secret's keys stay visible) but none of its values. */
function hideLeaves(value: unknown): never {
  if (Array.isArray(value)) return value.map(hideLeaves) as never;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, hideLeaves(inner)])) as never;
  }
  return "[secret]" as never;
}

function usage(): never {
  process.stderr.write(
    "usage: render.ts <slug> --tier starter|pro|studio [--format json|yaml] [--suspended]\n",
  );
  process.exit(2);
}

async function main(argv: string[]) {
  const slug = argv[0];
  const option = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const tier = option("--tier");
  const format = option("--format") ?? "yaml";
  if (!slug || slug.startsWith("--") || !isTierName(tier) || (format !== "json" && format !== "yaml"))
    usage();
  process.stdout.write(await renderTenant({ slug, tier, format, suspended: argv.includes("--suspended") }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
