import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CONTROL_PLANE_NAMESPACE } from "../tenant-template/index.ts";
import { ControlPlaneIdentity, type ControlPlaneIdentityArgs } from "./identity.ts";

export interface ControlPlaneArgs {
  provider: k8s.Provider;
  /** Image pinned by tag in the control plane's repository. */
  image: pulumi.Input<string>;
  replicas: number;
  hostnames: string[];
  ingressClassName: string;
  /** Non-secret environment (driver settings, domain, endpoints). */
  env: Record<string, pulumi.Input<string>>;
  /** Secret environment (database URL, Stripe, tokens). */
  secrets: Record<string, pulumi.Input<string>>;
  /** Where its AWS identity applies: the cluster (Pod Identity) and the two buckets it may use. */
  identity: Omit<ControlPlaneIdentityArgs, "provider" | "namespace">;
}

const PORT = 8080;

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
export const OPERATION_TIMEOUT_SECONDS = 15 * 60;

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
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata,
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: labels },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels, annotations: { "websp.lat/secret-checksum": secretChecksum } },
            spec: {
              // In-cluster credentials for tenant stacks (RBAC in identity.ts) and AWS via Pod Identity.
              serviceAccountName: identity.serviceAccountName,
              automountServiceAccountToken: true,
              // A rolling update or a drained node lets running tenant operations finish (SIGTERM waits).
              terminationGracePeriodSeconds: OPERATION_TIMEOUT_SECONDS + 60,
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
                    { name: "PORT", value: String(PORT) },
                    // The root filesystem is read-only: keys and runtime state live in a writable emptyDir.
                    { name: "WEBSPLAT_DATA_DIR", value: "/data" },
                    { name: "PULUMI_HOME", value: "/data/pulumi" },
                    { name: "WEBSPLAT_PULUMI_MAX_OPERATIONS", value: String(MAX_OPERATIONS_PER_REPLICA) },
                    ...Object.entries(args.env).map(([key, value]) => ({ name: key, value })),
                  ],
                  envFrom: [{ secretRef: { name: secret.metadata.name } }],
                  resources: {
                    requests: { cpu: "250m", memory: "512Mi" },
                    limits: { cpu: "2", memory: `${CONTROL_PLANE_MEMORY.limitMi}Mi` },
                  },
                  readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 10 },
                  livenessProbe: {
                    httpGet: { path: "/healthz", port: "http" },
                    periodSeconds: 10,
                    failureThreshold: 6,
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                  },
                  volumeMounts: [
                    { name: "tmp", mountPath: "/tmp" },
                    { name: "data", mountPath: "/data" },
                  ],
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
    this.namespace = namespace.metadata.name;
    this.registerOutputs({ namespace: this.namespace });
  }
}
