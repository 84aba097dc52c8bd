import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface ControlPlaneArgs {
  provider: k8s.Provider;
  /** Image pinned by tag in the control plane's repository. */
  image: pulumi.Input<string>;
  replicas: number;
  hostnames: string[];
  ingressClassName: string;
  /** Non-secret environment (driver settings, domain, endpoints). */
  env: Record<string, pulumi.Input<string>>;
  /** Secret environment (database URL, kubeconfig, Stripe, tokens). */
  secrets: Record<string, pulumi.Input<string>>;
}

const PORT = 8080;

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
          name: "websplat",
          labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
          },
        },
      },
      options,
    );
    const metadata = { name: "control-plane", namespace: namespace.metadata.name, labels };
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
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
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
                    ...Object.entries(args.env).map(([key, value]) => ({ name: key, value })),
                  ],
                  envFrom: [{ secretRef: { name: secret.metadata.name } }],
                  resources: {
                    requests: { cpu: "250m", memory: "512Mi" },
                    limits: { cpu: "2", memory: "2Gi" },
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
              // Pulumi work dirs and plugins live in /tmp (a fresh dir per operation).
              // Nothing in /data must survive the pod: secrets come from the Secret, state from Postgres.
              volumes: [
                { name: "tmp", emptyDir: { sizeLimit: "4Gi" } },
                { name: "data", emptyDir: { sizeLimit: "1Gi" } },
              ],
            },
          },
        },
      },
      options,
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
