import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPERATION_TIMEOUT_MS, SHUTDOWN_GRACE_MS } from "../stacks/driver.ts";
import { CONTROL_PLANE_NAMESPACE, OBSERVABILITY_NAMESPACE } from "../tenant-template/index.ts";
import { ControlPlaneIdentity, type ControlPlaneIdentityArgs } from "./identity.ts";
import { healthProbes, restrictedContainerSecurity, workVolumeMounts } from "./pod-defaults.ts";
import { SitesServer, type SitesServerArgs } from "./sites-server.ts";

export interface ControlPlaneArgs {
  provider: k8s.Provider;
  /** Namespace of the ingress controller: the only hop allowed in front of the control plane and sites pods. */
  ingressNamespace: string;
  /** Image pinned by tag in the control plane's repository. */
  image: pulumi.Input<string>;
  replicas: number;
  hostnames: string[];
  ingressClassName: string;
  /** Non-secret environment (driver settings, domain, endpoints). */
  env: Record<string, pulumi.Input<string>>;
  /** Secret environment (database URL, Stripe, tokens). */
  secrets: Record<string, pulumi.Input<string>>;
  /** Where its AWS identity applies: the cluster (Pod Identity), the two buckets it may use, its mail identity. */
  identity: Omit<ControlPlaneIdentityArgs, "provider" | "namespace">;
  /** Published sites: the same image in the sites-only role, on the sites domain and custom hostnames. */
  sites: Omit<
    SitesServerArgs,
    "provider" | "namespace" | "image" | "env" | "secretName" | "secretChecksum" | "ingressClassName"
  >;
}

export const PORT = 8080;

/**
 * Memory of the pod, and what one tenant operation adds to it: the pulumi CLI, the inline program and
 * four provider plugins (kubernetes, cloudflare, postgresql, random) as separate processes. The
 * per-operation figure is an estimate to be confirmed by the staging rehearsal (docs/deploy.md); the
 * driver runs no more operations at once than fit under the limit.
 */
export const CONTROL_PLANE_MEMORY = { limitMi: 4096, baseMi: 768, perOperationMi: 900 } as const;
/** Operations at once per replica: as many as fit in the memory limit next to the server itself. */
export const MAX_OPERATIONS_PER_REPLICA = Math.floor(
  (CONTROL_PLANE_MEMORY.limitMi - CONTROL_PLANE_MEMORY.baseMi) / CONTROL_PLANE_MEMORY.perOperationMi,
);
/** The driver's operation timeout (its default), which a terminating pod must be allowed to finish. */
export const OPERATION_TIMEOUT_SECONDS = OPERATION_TIMEOUT_MS / 1000;
/** The pod's grace: the control plane's own shutdown wait (running operations drain) and a margin to exit. */
export const TERMINATION_GRACE_SECONDS = SHUTDOWN_GRACE_MS / 1000 + 30;

/** The control plane in its own namespace, run as hardened as a tenant, reachable on the zone's hostnames. */
export class ControlPlane extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:ControlPlane", name, {}, opts);
    const options = { parent: this, provider: args.provider };
    const labels = { "app.kubernetes.io/name": "control-plane", "app.kubernetes.io/part-of": "websplat" };

    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: CONTROL_PLANE_NAMESPACE,
          labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
          },
        },
      },
      options,
    );
    const metadata = { name: "control-plane", namespace: namespace.metadata.name, labels };
    const identity = new ControlPlaneIdentity(
      `${name}-identity`,
      { ...args.identity, provider: args.provider, namespace: namespace.metadata.name },
      { parent: this },
    );
    // envFrom is read when a pod starts: a changed Secret (a real whsec_ set later) must roll the pods.
    const secretChecksum = pulumi.unsecret(
      pulumi.all(args.secrets).apply((values) =>
        createHash("sha256")
          .update(JSON.stringify(Object.entries(values).sort()))
          .digest("hex"),
      ),
    );
    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata,
        stringData: Object.fromEntries(
          Object.entries(args.secrets).map(([key, value]) => [key, pulumi.secret(value)]),
        ),
      },
      options,
    );
    const env = [
      { name: "PORT", value: String(PORT) },
      // The root filesystem is read-only: keys and runtime state live in a writable emptyDir.
      { name: "WEBSPLAT_DATA_DIR", value: "/data" },
      ...Object.entries(args.env).map(([key, value]) => ({ name: key, value })),
    ];
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata,
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: labels },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: {
              labels,
              annotations: {
                "websp.lat/secret-checksum": secretChecksum,
                // Its emptyDirs hold only scratch (work dirs, linked plugins): scale-down may move it, and
                // the grace period below lets running operations finish first.
                "cluster-autoscaler.kubernetes.io/safe-to-evict": "true",
              },
            },
            spec: {
              // In-cluster credentials for tenant stacks (RBAC in identity.ts) and AWS via Pod Identity.
              serviceAccountName: identity.serviceAccountName,
              automountServiceAccountToken: true,
              // A rolling update or a drained node lets running tenant operations finish (SIGTERM waits).
              terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 10001,
                seccompProfile: { type: "RuntimeDefault" },
              },
              containers: [
                {
                  name: "control-plane",
                  image: args.image,
                  ports: [{ name: "http", containerPort: PORT }],
                  env: [
                    ...env,
                    { name: "WEBSPLAT_ROLE", value: "all" },
                    { name: "PULUMI_HOME", value: "/data/pulumi" },
                    { name: "WEBSPLAT_PULUMI_MAX_OPERATIONS", value: String(MAX_OPERATIONS_PER_REPLICA) },
                  ],
                  envFrom: [{ secretRef: { name: secret.metadata.name } }],
                  resources: {
                    requests: { cpu: "250m", memory: "512Mi" },
                    limits: { cpu: "2", memory: `${CONTROL_PLANE_MEMORY.limitMi}Mi` },
                  },
                  ...healthProbes,
                  securityContext: restrictedContainerSecurity,
                  volumeMounts: workVolumeMounts,
                },
              ],
              // Pulumi work dirs live in /tmp (a fresh dir per operation); PULUMI_HOME in /data links the
              // plugins baked into the image. Nothing here must survive the pod: secrets come from the
              // Secret, tenant state from the state bucket, the rest from Postgres.
              volumes: [
                { name: "tmp", emptyDir: { sizeLimit: "4Gi" } },
                { name: "data", emptyDir: { sizeLimit: "1Gi" } },
              ],
            },
          },
        },
      },
      { ...options, dependsOn: identity.ready },
    );
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata,
        spec: {
          type: "ClusterIP",
          selector: labels,
          ports: [{ name: "http", port: 80, targetPort: "http" }],
        },
      },
      options,
    );
    new k8s.networking.v1.Ingress(
      `${name}-ingress`,
      {
        metadata: { ...metadata, annotations: { "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600" } },
        spec: {
          ingressClassName: args.ingressClassName,
          tls: [{ hosts: args.hostnames }],
          rules: args.hostnames.map((host) => ({
            host,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: service.metadata.name, port: { name: "http" } } },
                },
              ],
            },
          })),
        },
      },
      options,
    );
    // WEBSPLAT_TRUSTED_PROXY is the pod network: only the ingress controller (and Prometheus) may connect, so
    // no other pod can pose as the proxy and name its own client address.
    new k8s.networking.v1.NetworkPolicy(
      `${name}-ingress-only`,
      {
        metadata: { name: "ingress-controller-only", namespace: namespace.metadata.name },
        spec: {
          podSelector: {},
          policyTypes: ["Ingress"],
          ingress: [
            {
              from: [args.ingressNamespace, OBSERVABILITY_NAMESPACE].map((peer) => ({
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer } },
              })),
              ports: [{ protocol: "TCP", port: PORT }],
            },
          ],
        },
      },
      options,
    );
    // A drain or a node scale-down keeps one replica serving while the other finishes its operations.
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-disruption-budget`,
      { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      options,
    );
    new SitesServer(
      `${name}-sites`,
      {
        ...args.sites,
        provider: args.provider,
        namespace: namespace.metadata.name,
        image: args.image,
        env,
        secretName: secret.metadata.name,
        secretChecksum,
        ingressClassName: args.ingressClassName,
      },
      { parent: this },
    );
    this.namespace = namespace.metadata.name;
    this.registerOutputs({ namespace: this.namespace });
  }
}
