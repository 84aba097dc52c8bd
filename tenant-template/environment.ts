import { createHash } from "node:crypto";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type CustomDomainsArgs, TenantCustomDomains } from "./custom-domains.ts";
import {
  CONTROL_PLANE_NAMESPACE,
  CONTROL_PLANE_SERVICE_ACCOUNT,
  OBSERVABILITY_NAMESPACE,
  OTLP_HTTP_PORT,
  TENANT_MANAGER_ROLE,
} from "./names.ts";
import { BLOCKED_EGRESS_CIDRS, PRIVATE_CIDRS } from "./network.ts";
import { tierLimitRange, tierQuota } from "./quota.ts";
import type { TenantSpec } from "./spec.ts";

export interface TenantEnvironmentArgs {
  /** The tenant as the platform should run it, from `tenantSpec()`. */
  spec: TenantSpec;
  /**
   * Kubeconfig (file contents) of the platform cluster.
   * @default in-cluster credentials: the control plane's ServiceAccount
   */
  kubeconfig?: pulumi.Input<string>;
  /**
   * Drop objects of an unreachable cluster from the state on refresh (after a cluster rebuild only).
   * @default false
   */
  deleteUnreachable?: boolean;
  /** Admin connection (`postgres://user:pass@host:port/db`) that creates the tenant's role and schema. */
  adminDatabaseUrl: pulumi.Input<string>;
  /**
   * CA bundle file (inside the control plane image) that verifies the database certificate.
   * @default the system store
   */
  databaseCaFile?: string;
  /**
   * The identity that manages tenant stacks, given the tenant-manager role inside the namespace.
   * @default the control plane's ServiceAccount (`websplat/control-plane`)
   */
  manager?: { namespace: string; serviceAccount: string };
  /** Cloudflare zone that holds `<slug>.<baseDomain>`. */
  cloudflareZoneId: pulumi.Input<string>;
  /**
   * Cloudflare API token with DNS edit rights on that zone.
   * @default the provider reads `CLOUDFLARE_API_TOKEN`
   */
  cloudflareApiToken?: pulumi.Input<string>;
  /**
   * Secret environment of the runtime from the platform: its tenant API's URL and the credentials that name
   * this tenant only (publishing, billing, feedback, the model proxy). Kept in the runtime's Secret; the
   * platform's model key is never in it.
   * @default none: publishing, the billing portal and feedback answer that they are not configured
   */
  runtimeEnv?: Record<string, pulumi.Input<string>>;
  /**
   * Size of the writable `/tmp` (the root filesystem is read-only).
   * @default "256Mi"
   */
  tmpSize?: string;
  /**
   * UID the runtime runs as (any non-root user the image supports).
   * @default 10001
   */
  runAsUser?: number;
  /**
   * Verified custom domains of the tenant's sites (Cloudflare for SaaS custom hostnames).
   * @default none
   */
  customDomains?: CustomDomainsArgs;
}

/** Where to find a tenant's pieces when operating it. */
export interface TenantEnvironmentDetails {
  hostname: string;
  tier: string;
  generation: number;
  deployment: string;
  service: string;
  ingress: string;
  dnsRecordId: string;
}

/** Container port name the Service and probes refer to. */
const HTTP_PORT_NAME = "http";

/**
 * Everything one tenant owns in production: a locked-down namespace running its agent runtime,
 * its own Postgres role and schema, and its DNS record. Suspended keeps all of it but runs no pods.
 */
export class TenantEnvironment extends pulumi.ComponentResource {
  /** Public URL of the tenant's runtime. */
  readonly url: pulumi.Output<string>;
  /** Kubernetes namespace (`t-<slug>`). */
  readonly namespace: pulumi.Output<string>;
  /** Postgres schema (`t_<slug>`). */
  readonly databaseSchema: pulumi.Output<string>;
  /** Postgres login role (`t_<slug>`). */
  readonly databaseRole: pulumi.Output<string>;
  /** Replicas of the runtime (0 when suspended). */
  readonly replicas: pulumi.Output<number>;
  /** Kubernetes object names and the DNS record id, for operators. */
  readonly details: pulumi.Output<TenantEnvironmentDetails>;

  constructor(name: string, args: TenantEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:tenant:TenantEnvironment", name, {}, opts);
    const parent = this;
    const { spec } = args;
    const labels = spec.labels;
    const selector = { "app.kubernetes.io/name": "agent-runtime", "websp.lat/tenant": spec.slug };

    const kubernetes = createKubernetesProvider();
    const namespace = createNamespace();
    const ns = namespace.metadata.name;
    const access = createAccess();
    createQuota();
    createNetworkPolicies();
    const database = createDatabase();
    const runtime = createRuntime();
    const dns = createDns();
    if (args.customDomains?.hostnames.length)
      new TenantCustomDomains(`${name}-domains`, spec, args.customDomains, { parent });

    this.url = pulumi.output(spec.url);
    this.namespace = ns;
    this.databaseSchema = database.schema.name;
    this.databaseRole = database.role.name;
    this.replicas = runtime.deployment.spec.replicas;
    this.details = pulumi
      .all([
        runtime.deployment.metadata.name,
        runtime.service.metadata.name,
        runtime.ingress.metadata.name,
        dns.id,
      ])
      .apply(([deployment, service, ingress, dnsRecordId]) => ({
        hostname: spec.hostname,
        tier: spec.tier,
        generation: spec.generation,
        deployment,
        service,
        ingress,
        dnsRecordId,
      }));
    this.registerOutputs({
      url: this.url,
      namespace: this.namespace,
      databaseSchema: this.databaseSchema,
      databaseRole: this.databaseRole,
      replicas: this.replicas,
      details: this.details,
    });

    function createKubernetesProvider() {
      return new k8s.Provider(
        `${name}-kubernetes`,
        {
          // No kubeconfig: the provider falls back to the pod's ServiceAccount (in-cluster config).
          kubeconfig: args.kubeconfig ? pulumi.secret(args.kubeconfig) : undefined,
          deleteUnreachable: args.deleteUnreachable ?? false,
        },
        { parent },
      );
    }

    /** Options of every namespaced object: created after the manager's rights in the namespace exist. */
    function kubernetesOptions(dependsOn: pulumi.Resource[] = []): pulumi.CustomResourceOptions {
      return { parent, provider: kubernetes, dependsOn: [...(access ? [access] : []), ...dependsOn] };
    }

    function metadata(objectName: string, extraLabels: Record<string, string> = {}) {
      return { name: objectName, namespace: ns, labels: { ...labels, ...extraLabels } };
    }

    function createNamespace() {
      return new k8s.core.v1.Namespace(
        `${name}-namespace`,
        {
          metadata: {
            name: spec.namespace,
            labels: {
              ...labels,
              "pod-security.kubernetes.io/enforce": "restricted",
              "pod-security.kubernetes.io/enforce-version": "latest",
              "pod-security.kubernetes.io/audit": "restricted",
              "pod-security.kubernetes.io/warn": "restricted",
            },
            annotations: { "websp.lat/generation": String(spec.generation) },
          },
        },
        { parent, provider: kubernetes },
      );
    }

    /**
     * The manager's rights inside this namespace only: it holds none in other namespaces (RBAC has no
     * `t-*` wildcard, so each tenant stack binds the role in its own namespace).
     */
    function createAccess() {
      const manager = args.manager ?? {
        namespace: CONTROL_PLANE_NAMESPACE,
        serviceAccount: CONTROL_PLANE_SERVICE_ACCOUNT,
      };
      return new k8s.rbac.v1.RoleBinding(
        `${name}-manager`,
        {
          metadata: { name: "websplat-tenant-manager", namespace: ns, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TENANT_MANAGER_ROLE },
          subjects: [{ kind: "ServiceAccount", name: manager.serviceAccount, namespace: manager.namespace }],
        },
        { parent, provider: kubernetes },
      );
    }

    function createQuota() {
      new k8s.core.v1.ResourceQuota(
        `${name}-quota`,
        { metadata: metadata("tenant-quota"), spec: { hard: tierQuota(spec.limits) } },
        kubernetesOptions(),
      );
      new k8s.core.v1.LimitRange(
        `${name}-limits`,
        { metadata: metadata("tenant-limits"), spec: { limits: [tierLimitRange(spec.limits)] } },
        kubernetesOptions(),
      );
    }

    function createNetworkPolicies() {
      const policy = (suffix: string, policySpec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(
          `${name}-${suffix}`,
          { metadata: metadata(suffix), spec: policySpec },
          kubernetesOptions(),
        );
      policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      policy("allow-ingress-controller", {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": spec.ingress.namespace } },
              },
            ],
            ports: [{ protocol: "TCP", port: spec.runtime.containerPort }],
          },
        ],
      });
      policy("allow-egress-dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      });
      // Without a known database CIDR, Postgres is reachable only on its port inside private ranges.
      const postgresCidrs = spec.postgresCidr ? [spec.postgresCidr] : PRIVATE_CIDRS;
      policy("allow-egress-postgres", {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [...postgresCidrs].map((cidr) => ({ ipBlock: { cidr } })),
            ports: [{ protocol: "TCP", port: spec.database.port }],
          },
        ],
      });
      // Traces go to the platform's collector (OTEL_EXPORTER_OTLP_ENDPOINT), inside the cluster.
      policy("allow-egress-telemetry", {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": OBSERVABILITY_NAMESPACE },
                },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "otel-collector" } },
              },
            ],
            ports: [{ protocol: "TCP", port: OTLP_HTTP_PORT }],
          },
        ],
      });
      policy("allow-egress-https", {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...BLOCKED_EGRESS_CIDRS] } }],
            ports: [{ protocol: "TCP", port: 443 }],
          },
        ],
      });
    }

    function createDatabase() {
      const admin = pulumi.output(args.adminDatabaseUrl).apply(postgresConnection);
      const provider = new postgresql.Provider(
        `${name}-postgresql`,
        {
          host: admin.host,
          port: admin.port,
          username: admin.username,
          password: pulumi.secret(admin.password),
          database: admin.database,
          // verify-full: the certificate must chain to the RDS CA and name the host.
          sslmode: admin.sslmode,
          sslrootcert: args.databaseCaFile,
          // RDS admin users are not superusers; the provider must not assume it.
          superuser: false,
        },
        { parent },
      );
      const databaseOptions = { parent, provider };
      const password = new random.RandomPassword(
        `${name}-database-password`,
        { length: 40, special: false },
        { parent },
      );
      const role = new postgresql.Role(
        `${name}-database-role`,
        {
          name: spec.database.role,
          login: true,
          connectionLimit: spec.database.connectionLimit,
          password: password.result,
          inherit: false,
          createDatabase: false,
          createRole: false,
          superuser: false,
        },
        databaseOptions,
      );
      const schema = new postgresql.Schema(
        `${name}-database-schema`,
        { name: spec.database.schema, database: spec.database.name, owner: role.name, dropCascade: true },
        databaseOptions,
      );
      const connect = new postgresql.Grant(
        `${name}-database-connect`,
        { database: spec.database.name, role: role.name, objectType: "database", privileges: ["CONNECT"] },
        databaseOptions,
      );
      // Nobody but the owner may use the schema: PUBLIC keeps no rights on it.
      const revokePublic = new postgresql.Grant(
        `${name}-database-revoke-public`,
        {
          database: spec.database.name,
          role: "public",
          schema: schema.name,
          objectType: "schema",
          privileges: [],
        },
        databaseOptions,
      );
      const url = pulumi.secret(
        pulumi.interpolate`postgres://${role.name}:${password.result}@${spec.database.host}:${spec.database.port}/${spec.database.name}?sslmode=verify-full`,
      );
      return { role, schema, url, grants: [connect, revokePublic] };
    }

    function createRuntime() {
      const serviceAccount = new k8s.core.v1.ServiceAccount(
        `${name}-service-account`,
        { metadata: metadata("agent-runtime"), automountServiceAccountToken: false },
        kubernetesOptions(),
      );
      const secretData: Record<string, pulumi.Input<string>> = { DATABASE_URL: database.url };
      for (const [key, value] of Object.entries(args.runtimeEnv ?? {}))
        secretData[key] = pulumi.secret(value);
      const secret = new k8s.core.v1.Secret(
        `${name}-runtime-secret`,
        { metadata: metadata("agent-runtime"), type: "Opaque", stringData: secretData },
        kubernetesOptions(),
      );
      // A changed Secret (a rotated credential) rolls the pods: envFrom is read only when a pod starts.
      const secretChecksum = pulumi.unsecret(
        pulumi.all(secretData).apply((data) => sha256(JSON.stringify(Object.entries(data).sort()))),
      );
      const deployment = new k8s.apps.v1.Deployment(
        `${name}-runtime`,
        {
          metadata: {
            ...metadata("agent-runtime", selector),
            annotations: { "websp.lat/generation": String(spec.generation) },
          },
          spec: {
            replicas: spec.runtime.replicas,
            selector: { matchLabels: selector },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: {
              metadata: {
                labels: { ...labels, ...selector },
                annotations: {
                  "websp.lat/secret-checksum": secretChecksum,
                  // Its emptyDir is scratch (everything lives in Postgres): the cluster autoscaler may move it
                  // and remove an idle node, which it refuses for pods with local storage otherwise.
                  "cluster-autoscaler.kubernetes.io/safe-to-evict": "true",
                },
              },
              spec: runtimePodSpec(serviceAccount, secret),
            },
          },
        },
        // The runtime migrates its schema at start: role, schema and grants must exist first.
        kubernetesOptions([database.role, database.schema, ...database.grants]),
      );
      const service = new k8s.core.v1.Service(
        `${name}-runtime-service`,
        {
          metadata: metadata("agent-runtime"),
          spec: {
            type: "ClusterIP",
            selector,
            ports: [{ name: HTTP_PORT_NAME, port: 80, targetPort: HTTP_PORT_NAME, protocol: "TCP" }],
          },
        },
        kubernetesOptions(),
      );
      const ingress = new k8s.networking.v1.Ingress(
        `${name}-ingress`,
        {
          metadata: {
            ...metadata("agent-runtime"),
            annotations: {
              "nginx.ingress.kubernetes.io/ssl-redirect": "true",
              // Run events stream over SSE for as long as a run lasts.
              "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
              "nginx.ingress.kubernetes.io/proxy-buffering": "off",
              "nginx.ingress.kubernetes.io/proxy-body-size": "16m",
            },
          },
          spec: {
            ingressClassName: spec.ingress.className,
            // No secretName: the controller serves the platform's wildcard certificate.
            tls: [{ hosts: [spec.hostname] }],
            rules: [
              {
                host: spec.hostname,
                http: {
                  paths: [
                    {
                      path: "/",
                      pathType: "Prefix",
                      backend: { service: { name: service.metadata.name, port: { name: HTTP_PORT_NAME } } },
                    },
                  ],
                },
              },
            ],
          },
        },
        kubernetesOptions(),
      );
      // Kept while suspended (it then protects nothing) so resuming changes only the replica count.
      if (spec.limits.replicas >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(
          `${name}-runtime-disruption-budget`,
          {
            metadata: metadata("agent-runtime"),
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
          },
          kubernetesOptions(),
        );
      }
      return { deployment, service, ingress };
    }

    function runtimePodSpec(
      serviceAccount: k8s.core.v1.ServiceAccount,
      secret: k8s.core.v1.Secret,
    ): k8s.types.input.core.v1.PodSpec {
      const { resources } = spec.runtime;
      const probe = (initialDelaySeconds: number, failureThreshold: number) => ({
        httpGet: { path: "/healthz", port: HTTP_PORT_NAME },
        initialDelaySeconds,
        periodSeconds: 10,
        timeoutSeconds: 3,
        failureThreshold,
      });
      const spread =
        spec.limits.replicas >= 2
          ? [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
              },
            ]
          : undefined;
      return {
        serviceAccountName: serviceAccount.metadata.name,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        topologySpreadConstraints: spread,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: args.runAsUser ?? 10001,
          runAsGroup: args.runAsUser ?? 10001,
          fsGroup: args.runAsUser ?? 10001,
          seccompProfile: { type: "RuntimeDefault" },
        },
        containers: [
          {
            name: "agent-runtime",
            image: spec.runtime.image,
            imagePullPolicy: "IfNotPresent",
            ports: [{ name: HTTP_PORT_NAME, containerPort: spec.runtime.containerPort, protocol: "TCP" }],
            env: [
              ...Object.entries(spec.runtime.env).map(([envName, value]) => ({ name: envName, value })),
              { name: "PORT", value: String(spec.runtime.containerPort) },
              { name: "TMPDIR", value: "/tmp" },
            ],
            envFrom: [{ secretRef: { name: secret.metadata.name } }],
            resources: {
              requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
              limits: { cpu: resources.cpu, memory: resources.memory },
            },
            livenessProbe: probe(10, 6),
            readinessProbe: probe(2, 3),
            securityContext: {
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              privileged: false,
              capabilities: { drop: ["ALL"] },
              seccompProfile: { type: "RuntimeDefault" },
            },
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
          },
        ],
        volumes: [{ name: "tmp", emptyDir: { sizeLimit: args.tmpSize ?? "256Mi" } }],
      };
    }

    function createDns() {
      const provider = new cloudflare.Provider(
        `${name}-cloudflare`,
        args.cloudflareApiToken ? { apiToken: pulumi.secret(args.cloudflareApiToken) } : {},
        { parent },
      );
      return new cloudflare.DnsRecord(
        `${name}-dns`,
        {
          zoneId: args.cloudflareZoneId,
          name: spec.hostname,
          type: "CNAME",
          content: spec.ingress.hostname,
          proxied: true,
          // 1 = automatic, the only TTL Cloudflare accepts on proxied records.
          ttl: 1,
          comment: `websplat tenant ${spec.slug}`,
        },
        { parent, provider },
      );
    }
  }
}

/** The parts of an admin connection URL the postgresql provider needs. */
export function postgresConnection(databaseUrl: string) {
  const url = new URL(databaseUrl);
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new Error(`The admin database URL must start with postgres://, not "${url.protocol}".`);
  }
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1) || "postgres",
    sslmode: url.searchParams.get("sslmode") ?? "verify-full",
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
