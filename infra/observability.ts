import { readFileSync } from "node:fs";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { OBSERVABILITY_NAMESPACE, OTLP_HTTP_PORT } from "../tenant-template/index.ts";
import { POD_IDENTITY_TRUST } from "./identity.ts";

export interface ObservabilityArgs {
  provider: k8s.Provider;
  /** Region of AWS X-Ray, where the collector sends traces. */
  region: string;
  /**
   * EKS cluster of the collector's Pod Identity association (its right to write to X-Ray).
   * @default none: give the `otel-collector` ServiceAccount an AWS role yourself
   */
  clusterName?: pulumi.Input<string>;
  /** WEBSPLAT_METRICS_TOKEN of the control plane and sites pods: Prometheus sends it as a bearer when scraping. */
  metricsToken: pulumi.Input<string>;
}

const COLLECTOR_LABELS = {
  "app.kubernetes.io/name": "otel-collector",
  "app.kubernetes.io/part-of": "websplat",
};
const ALERTS = new URL("./monitoring/alerts.yaml", import.meta.url);

/**
 * Metrics and traces in production: Prometheus (kube-prometheus-stack) scraping the control plane, with the
 * alerting rules of `infra/monitoring/alerts.yaml` loaded, and an OpenTelemetry collector receiving OTLP from the
 * control plane and tenant runtimes (`OTEL_EXPORTER_OTLP_ENDPOINT`), keeping traces in memory-bounded batches
 * and sending them to AWS X-Ray with its own Pod Identity role.
 */
export class Observability extends pulumi.ComponentResource {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` of everything in the cluster. */
  readonly otlpEndpoint: string;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:Observability", name, {}, opts);
    const options = { parent: this, provider: args.provider };
    const awsOptions = { parent: this };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: OBSERVABILITY_NAMESPACE } },
      options,
    );
    const prometheus = createPrometheus();
    createAlerts(prometheus);
    createScrape(prometheus);
    const collector = createCollector();
    this.otlpEndpoint = `http://${collector}.${OBSERVABILITY_NAMESPACE}.svc.cluster.local:${OTLP_HTTP_PORT}`;
    this.registerOutputs({ otlpEndpoint: this.otlpEndpoint });

    function createPrometheus() {
      return new k8s.helm.v3.Release(
        `${name}-prometheus`,
        {
          name: "prometheus",
          chart: "kube-prometheus-stack",
          version: "75.6.2",
          repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
          namespace: namespace.metadata.name,
          values: {
            grafana: { enabled: false },
            prometheus: {
              prometheusSpec: {
                retention: "15d",
                // Rules and monitors of any release (ours are labelled below) are picked up.
                ruleSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
              },
            },
          },
        },
        options,
      );
    }

    /** The alerting rules operators read in docs/operations.md, as the Prometheus operator loads them. */
    function createAlerts(prometheus: k8s.helm.v3.Release) {
      const rules = parse(readFileSync(ALERTS, "utf8")) as { groups: unknown[] };
      new k8s.apiextensions.CustomResource(
        `${name}-alerts`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { name: "websplat", namespace: namespace.metadata.name },
          spec: { groups: rules.groups },
        },
        { ...options, dependsOn: [prometheus] },
      );
    }

    function createScrape(prometheus: k8s.helm.v3.Release) {
      // /metrics answers only this bearer (or loopback): the Prometheus operator reads it from a Secret beside
      // the ServiceMonitors.
      const token = new k8s.core.v1.Secret(
        `${name}-scrape-token`,
        {
          metadata: { name: "websplat-metrics-token", namespace: namespace.metadata.name },
          stringData: { token: pulumi.secret(args.metricsToken) },
        },
        options,
      );
      for (const [label, app] of [
        ["control-plane", "control-plane"],
        ["sites", "sites"],
      ] as const) {
        new k8s.apiextensions.CustomResource(
          `${name}-scrape-${label}`,
          {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: `websplat-${label}`, namespace: namespace.metadata.name },
            spec: {
              namespaceSelector: { matchNames: ["websplat"] },
              selector: { matchLabels: { "app.kubernetes.io/name": app } },
              endpoints: [
                {
                  port: "http",
                  path: "/metrics",
                  interval: "30s",
                  authorization: { type: "Bearer", credentials: { name: token.metadata.name, key: "token" } },
                },
              ],
            },
          },
          { ...options, dependsOn: [prometheus] },
        );
      }
    }

    function createCollector(): string {
      const metadata = {
        name: "otel-collector",
        namespace: namespace.metadata.name,
        labels: COLLECTOR_LABELS,
      };
      const config = {
        receivers: { otlp: { protocols: { http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` } } } },
        processors: { memory_limiter: { check_interval: "1s", limit_percentage: 80 }, batch: {} },
        exporters: { awsxray: { region: args.region, indexed_attributes: ["websplat.tenant"] } },
        extensions: { health_check: { endpoint: "0.0.0.0:13133" } },
        service: {
          extensions: ["health_check"],
          telemetry: {
            metrics: { readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }] },
          },
          pipelines: {
            traces: { receivers: ["otlp"], processors: ["memory_limiter", "batch"], exporters: ["awsxray"] },
          },
        },
      };
      const serviceAccount = createCollectorIdentity();
      const configMap = new k8s.core.v1.ConfigMap(
        `${name}-collector-config`,
        { metadata, data: { "config.yaml": JSON.stringify(config) } },
        options,
      );
      new k8s.apps.v1.Deployment(
        `${name}-collector`,
        {
          metadata,
          spec: {
            replicas: 1,
            selector: { matchLabels: COLLECTOR_LABELS },
            template: {
              metadata: { labels: COLLECTOR_LABELS },
              spec: {
                serviceAccountName: serviceAccount.metadata.name,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 10001,
                  seccompProfile: { type: "RuntimeDefault" },
                },
                containers: [
                  {
                    name: "otel-collector",
                    image: "otel/opentelemetry-collector-contrib:0.129.0",
                    args: ["--config=/conf/config.yaml"],
                    ports: [
                      { name: "otlp-http", containerPort: OTLP_HTTP_PORT },
                      { name: "metrics", containerPort: 8888 },
                    ],
                    readinessProbe: { httpGet: { path: "/", port: 13133 } },
                    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      readOnlyRootFilesystem: true,
                      capabilities: { drop: ["ALL"] },
                    },
                    volumeMounts: [{ name: "config", mountPath: "/conf" }],
                  },
                ],
                volumes: [{ name: "config", configMap: { name: configMap.metadata.name } }],
              },
            },
          },
        },
        options,
      );
      new k8s.core.v1.Service(
        `${name}-collector`,
        {
          metadata,
          spec: {
            selector: COLLECTOR_LABELS,
            ports: [
              { name: "otlp-http", port: OTLP_HTTP_PORT, targetPort: "otlp-http" },
              { name: "metrics", port: 8888, targetPort: "metrics" },
            ],
          },
        },
        options,
      );
      return "otel-collector";

      function createCollectorIdentity() {
        const role = new aws.iam.Role(
          `${name}-collector`,
          { assumeRolePolicy: POD_IDENTITY_TRUST },
          awsOptions,
        );
        new aws.iam.RolePolicy(
          `${name}-collector-xray`,
          {
            role: role.id,
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                  ],
                  Resource: "*",
                },
              ],
            }),
          },
          awsOptions,
        );
        if (args.clusterName) {
          new aws.eks.PodIdentityAssociation(
            `${name}-collector`,
            {
              clusterName: args.clusterName,
              namespace: OBSERVABILITY_NAMESPACE,
              serviceAccount: "otel-collector",
              roleArn: role.arn,
            },
            awsOptions,
          );
        }
        return new k8s.core.v1.ServiceAccount(`${name}-collector`, { metadata }, options);
      }
    }
  }
}
