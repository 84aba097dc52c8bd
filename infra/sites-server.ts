import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POD_IDENTITY_TRUST } from "./identity.ts";
import { healthProbes, restrictedContainerSecurity, workVolumeMounts } from "./pod-defaults.ts";

export interface SitesServerArgs {
  provider: k8s.Provider;
  /** The control plane's namespace (the sites role shares its image, config and Secret). */
  namespace: pulumi.Input<string>;
  image: pulumi.Input<string>;
  /** The control plane's non-secret environment; `WEBSPLAT_ROLE=sites` is added. */
  env: k8s.types.input.core.v1.EnvVar[];
  /** Secret the control plane reads its credentials from. */
  secretName: pulumi.Input<string>;
  /** Checksum of that Secret: a changed Secret rolls these pods too. */
  secretChecksum: pulumi.Input<string>;
  ingressClassName: string;
  /** The sites domain: sites are `<site>--<slug>.<domain>`. */
  domain: string;
  /** Names routed by host (`*.<domain>`, the SaaS target); custom hostnames reach the host-less rule. */
  hostnames: string[];
  /** cert-manager ClusterIssuer of the origin certificate for `*.<domain>`. */
  issuerName: pulumi.Input<string>;
  /** Replicas the autoscaler keeps between (CPU-driven). @default { min: 2, max: 10 } */
  replicas?: { min: number; max: number };
  /**
   * EKS cluster of the Pod Identity association that lets the pods read published files.
   * @default none: give the `sites` ServiceAccount an AWS role yourself
   */
  clusterName?: pulumi.Input<string>;
  /** Bucket holding published sites under `sites/`. */
  bucket: pulumi.Input<string>;
}

/** ServiceAccount of the sites Deployment: its own AWS role reads published files, nothing else. */
export const SITES_SERVICE_ACCOUNT = "sites";
const TLS_SECRET = "websplat-sites-tls";

/**
 * Published sites served apart from the control plane's API: a Deployment of the same image with
 * `WEBSPLAT_ROLE=sites`, scaled on CPU by its own autoscaler, kept available through drains, behind the sites
 * domain's route and the catch-all route that custom hostnames (Cloudflare for SaaS) arrive on.
 */
export class SitesServer extends pulumi.ComponentResource {
  constructor(name: string, args: SitesServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:SitesServer", name, {}, opts);
    const parent = this;
    const options = { parent, provider: args.provider };
    const labels = { "app.kubernetes.io/name": "sites", "app.kubernetes.io/part-of": "websplat" };
    const metadata = { name: "sites", namespace: args.namespace, labels };
    const replicas = args.replicas ?? { min: 2, max: 10 };

    const serviceAccount = createIdentity();
    const deployment = createDeployment();
    const service = createService();
    createAutoscaling();
    createRoute();
    this.registerOutputs({});

    function createIdentity() {
      const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: POD_IDENTITY_TRUST }, { parent });
      new aws.iam.RolePolicy(
        `${name}-read-sites`,
        {
          role: role.id,
          policy: pulumi.output(args.bucket).apply((bucket) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: ["s3:ListBucket"],
                  Resource: `arn:aws:s3:::${bucket}`,
                  Condition: { StringLike: { "s3:prefix": ["sites/*"] } },
                },
                { Effect: "Allow", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${bucket}/sites/*` },
                {
                  Effect: "Allow",
                  Action: ["kms:Decrypt"],
                  Resource: "*",
                  Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
                },
              ],
            }),
          ),
        },
        { parent },
      );
      if (args.clusterName) {
        new aws.eks.PodIdentityAssociation(
          `${name}-pod-identity`,
          {
            clusterName: args.clusterName,
            namespace: pulumi.output(args.namespace),
            serviceAccount: SITES_SERVICE_ACCOUNT,
            roleArn: role.arn,
          },
          { parent },
        );
      }
      return new k8s.core.v1.ServiceAccount(
        `${name}-service-account`,
        { metadata: { ...metadata, name: SITES_SERVICE_ACCOUNT }, automountServiceAccountToken: false },
        options,
      );
    }

    function createDeployment() {
      return new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        {
          metadata,
          spec: {
            replicas: replicas.min,
            selector: { matchLabels: labels },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: {
              metadata: {
                labels,
                annotations: {
                  "websp.lat/secret-checksum": args.secretChecksum,
                  "cluster-autoscaler.kubernetes.io/safe-to-evict": "true",
                },
              },
              spec: {
                serviceAccountName: serviceAccount.metadata.name,
                automountServiceAccountToken: false,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 10001,
                  seccompProfile: { type: "RuntimeDefault" },
                },
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: "topology.kubernetes.io/zone",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: labels },
                  },
                ],
                containers: [
                  {
                    name: "sites",
                    image: args.image,
                    ports: [{ name: "http", containerPort: 8080 }],
                    env: [...args.env, { name: "WEBSPLAT_ROLE", value: "sites" }],
                    envFrom: [{ secretRef: { name: args.secretName } }],
                    resources: {
                      requests: { cpu: "200m", memory: "256Mi" },
                      limits: { cpu: "1", memory: "1Gi" },
                    },
                    ...healthProbes,
                    securityContext: restrictedContainerSecurity,
                    volumeMounts: workVolumeMounts,
                  },
                ],
                volumes: [
                  { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
                  { name: "data", emptyDir: { sizeLimit: "256Mi" } },
                ],
              },
            },
          },
        },
        // The autoscaler owns the replica count once the Deployment exists.
        { ...options, ignoreChanges: ["spec.replicas"] },
      );
    }

    function createService() {
      return new k8s.core.v1.Service(
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
    }

    function createAutoscaling() {
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-autoscaler`,
        {
          metadata,
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
            minReplicas: replicas.min,
            maxReplicas: replicas.max,
            metrics: [
              {
                type: "Resource",
                resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
              },
            ],
          },
        },
        options,
      );
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-disruption-budget`,
        { metadata, spec: { minAvailable: 1, selector: { matchLabels: labels } } },
        options,
      );
    }

    function createRoute() {
      const certificate = new k8s.apiextensions.CustomResource(
        `${name}-certificate`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: "websplat-sites", namespace: args.namespace },
          spec: {
            secretName: TLS_SECRET,
            dnsNames: [args.domain, `*.${args.domain}`],
            issuerRef: { kind: "ClusterIssuer", name: args.issuerName },
          },
        },
        options,
      );
      const backend = { service: { name: service.metadata.name, port: { name: "http" } } };
      const paths = [{ path: "/", pathType: "Prefix", backend }];
      new k8s.networking.v1.Ingress(
        `${name}-ingress`,
        {
          metadata: {
            ...metadata,
            annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "1m" },
          },
          spec: {
            ingressClassName: args.ingressClassName,
            tls: [{ hosts: args.hostnames, secretName: TLS_SECRET }],
            rules: [
              ...args.hostnames.map((host) => ({ host, http: { paths } })),
              // Custom hostnames come through Cloudflare for SaaS under the customer's own name.
              { http: { paths } },
            ],
          },
        },
        { ...options, dependsOn: [certificate] },
      );
    }
  }
}
