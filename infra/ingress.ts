import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface IngressArgs {
  provider: k8s.Provider;
  domain: string;
  acmeEmail: string;
  cloudflareApiToken: pulumi.Input<string>;
  /** Reads Cloudflare's published edge ranges: the only sources the load balancer accepts. */
  cloudflareProvider: cloudflare.Provider;
}

/** Namespace of the ingress controller: tenants accept traffic from it alone. */
export const INGRESS_NAMESPACE = "ingress-nginx";
export const INGRESS_CLASS = "nginx";
const WILDCARD_SECRET = "websplat-wildcard-tls";

/**
 * ingress-nginx behind an AWS load balancer, and cert-manager keeping a `*.<domain>` certificate
 * (DNS-01 through Cloudflare) that the controller serves for every tenant by default.
 */
export class IngressController extends pulumi.ComponentResource {
  /** Hostname of the load balancer that tenant CNAMEs point at. */
  readonly hostname: pulumi.Output<string>;
  /** The Let's Encrypt ClusterIssuer (DNS-01 through Cloudflare) other certificates are issued by. */
  readonly issuerName: pulumi.Output<string>;

  constructor(name: string, args: IngressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:IngressController", name, {}, opts);
    const options = { parent: this, provider: args.provider };
    // Everything is proxied by Cloudflare: a client reaching the load balancer directly could spoof
    // X-Forwarded-For. Only Cloudflare's ranges get in, and the client address is CF-Connecting-IP,
    // trusted only when the connection comes from one of those ranges.
    const edge = cloudflare.getIpRangesOutput({}, { provider: args.cloudflareProvider, parent: this });

    const certManager = new k8s.helm.v3.Release(
      `${name}-cert-manager`,
      {
        name: "cert-manager",
        chart: "cert-manager",
        version: "v1.18.2",
        repositoryOpts: { repo: "https://charts.jetstack.io" },
        namespace: "cert-manager",
        createNamespace: true,
        values: { crds: { enabled: true } },
      },
      options,
    );
    const token = new k8s.core.v1.Secret(
      `${name}-cloudflare-token`,
      {
        metadata: { name: "cloudflare-api-token", namespace: certManager.status.namespace },
        stringData: { "api-token": pulumi.secret(args.cloudflareApiToken) },
      },
      options,
    );
    const issuer = new k8s.apiextensions.CustomResource(
      `${name}-letsencrypt`,
      {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: "letsencrypt" },
        spec: {
          acme: {
            email: args.acmeEmail,
            server: "https://acme-v02.api.letsencrypt.org/directory",
            privateKeySecretRef: { name: "letsencrypt-account" },
            solvers: [
              {
                dns01: { cloudflare: { apiTokenSecretRef: { name: token.metadata.name, key: "api-token" } } },
              },
            ],
          },
        },
      },
      { ...options, dependsOn: [certManager] },
    );
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: INGRESS_NAMESPACE } },
      options,
    );
    new k8s.apiextensions.CustomResource(
      `${name}-wildcard`,
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "websplat-wildcard", namespace: namespace.metadata.name },
        spec: {
          secretName: WILDCARD_SECRET,
          dnsNames: [args.domain, `*.${args.domain}`],
          issuerRef: { kind: "ClusterIssuer", name: issuer.metadata.name },
        },
      },
      { ...options, dependsOn: [issuer] },
    );
    const controller = new k8s.helm.v3.Release(
      `${name}-ingress-nginx`,
      {
        name: "ingress-nginx",
        chart: "ingress-nginx",
        version: "4.13.2",
        repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" },
        namespace: namespace.metadata.name,
        values: {
          controller: {
            replicaCount: 2,
            ingressClassResource: { name: INGRESS_CLASS, default: true },
            extraArgs: { "default-ssl-certificate": `${INGRESS_NAMESPACE}/${WILDCARD_SECRET}` },
            config: {
              "use-forwarded-headers": "false",
              "enable-real-ip": "true",
              "forwarded-for-header": "CF-Connecting-IP",
              "proxy-real-ip-cidr": pulumi
                .all([edge.ipv4Cidrs, edge.ipv6Cidrs])
                .apply(([v4, v6]) => [...v4, ...v6].join(",")),
              "allow-snippet-annotations": "false",
            },
            service: {
              annotations: {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
              },
              // The NLB's security group admits Cloudflare only; Local keeps the edge's address visible.
              loadBalancerSourceRanges: edge.ipv4Cidrs,
              externalTrafficPolicy: "Local",
            },
            podDisruptionBudget: { enabled: true, minAvailable: 1 },
          },
        },
      },
      options,
    );
    const service = k8s.core.v1.Service.get(
      `${name}-load-balancer`,
      pulumi.interpolate`${controller.status.namespace}/${controller.status.name}-controller`,
      options,
    );
    this.issuerName = issuer.metadata.name;
    this.hostname = service.status.loadBalancer.ingress.apply(
      (entries) => entries?.[0]?.hostname ?? entries?.[0]?.ip ?? "",
    );
    this.registerOutputs({ hostname: this.hostname });
  }
}
