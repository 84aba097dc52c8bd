import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backupKeys, newBackupId } from "../../control-plane/backups/manifest.ts";
import { backupStoreFor } from "../../control-plane/backups/tenant-backups.ts";
import type { Config } from "../../control-plane/config.ts";
import { siteHostname } from "../../control-plane/sites/hosts.ts";
import { assetPath } from "../../control-plane/sites/html.ts";
import { siteStore } from "../../control-plane/sites/store.ts";
import { type FakeS3, startFakeS3 } from "../support/fake-s3.ts";
import {
  type Declared,
  DKIM_TOKENS,
  type PlatformRender,
  renderPlatform,
  unsecret,
} from "../support/platform-render.ts";

// biome-ignore lint/suspicious/noExplicitAny: declared inputs are checked by shape.
type Loose = any;

let render: PlatformRender;
let declared: Declared[];
beforeAll(async () => {
  render = await renderPlatform();
  declared = render.declared;
});

const ofType = (type: string) => declared.filter((resource) => resource.type === type).map((r) => r.inputs);
const named = (name: string): Loose => declared.find((resource) => resource.name === name)?.inputs;
const envOf = (deployment: Loose): Loose =>
  Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: Loose) => [e.name, e.value]));
const controlPlaneEnv = () => envOf(named("websplat-control-plane-deployment"));
const backupLifecycle = (): Loose =>
  declared.find(
    (r) =>
      r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration" &&
      r.name === "websplat-tenant-backups",
  )?.inputs;
const records = () => ofType("cloudflare:index/dnsRecord:DnsRecord");
const SITES_DOMAIN = "websplat.site";

describe("published sites are reachable in production", () => {
  test("the control plane hands out sites on the sites domain of its own zone, with the SaaS target customers CNAME to", () => {
    const env = controlPlaneEnv();
    expect(env.WEBSPLAT_SITES_DOMAIN).toBe(SITES_DOMAIN);
    expect(env.WEBSPLAT_SITES_DOMAIN.endsWith(".websp.lat")).toBe(false);
    expect(env.CLOUDFLARE_SITES_ZONE_ID).toBe("REPLACE-with-the-websplat.site-zone-id");
    const fallback = ofType("cloudflare:index/customHostnameFallbackOrigin:CustomHostnameFallbackOrigin");
    expect(fallback).toEqual([{ zoneId: env.CLOUDFLARE_SITES_ZONE_ID, origin: env.WEBSPLAT_SITES_TARGET }]);
  });

  test("every site hostname the control plane builds has a proxied record in the sites zone, pointing at the ingress", () => {
    const host = siteHostname({ site: "home", slug: "acme" } as Loose, SITES_DOMAIN);
    const target = controlPlaneEnv().WEBSPLAT_SITES_TARGET;
    for (const name of [host, target]) {
      const record = records().find(
        (r) => r.zoneId === controlPlaneEnv().CLOUDFLARE_SITES_ZONE_ID && matchesHost(r.name, name),
      );
      expect(record, name).toMatchObject({
        type: "CNAME",
        proxied: true,
        content: render.outputs.ingressHostname,
      });
    }
  });

  test("a site hostname has an origin certificate and a route to the sites Deployment, and custom hostnames reach it too", () => {
    const host = siteHostname({ site: "home", slug: "acme" } as Loose, SITES_DOMAIN);
    const ingress = named("websplat-control-plane-sites-ingress");
    expect(() => new Ingress(ingress).validate()).not.toThrow();
    const tls = ingress.spec.tls.find((entry: Loose) =>
      entry.hosts.some((h: string) => matchesHost(h, host)),
    );
    const certificate = named("websplat-control-plane-sites-certificate");
    expect(certificate.spec.secretName).toBe(tls.secretName);
    expect(certificate.spec.dnsNames.some((name: string) => matchesHost(name, host))).toBe(true);
    expect(certificate.metadata.namespace).toBe(ingress.metadata.namespace);
    const byHost = ingress.spec.rules.find((rule: Loose) => rule.host && matchesHost(rule.host, host));
    const catchAll = ingress.spec.rules.find((rule: Loose) => !rule.host);
    const service = named("websplat-control-plane-sites-service");
    for (const rule of [byHost, catchAll])
      expect(rule.http.paths[0].backend.service.name).toBe(service.metadata.name);
    const deployment = named("websplat-control-plane-sites-deployment");
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    const ports = deployment.spec.template.spec.containers[0].ports.map((port: Loose) => port.name);
    expect(ports).toContain(service.spec.ports[0].targetPort);
  });

  test("sites run apart from the API: the same image in the sites role, scaled by its own autoscaler, kept through drains", () => {
    const api = named("websplat-control-plane-deployment");
    const sites = named("websplat-control-plane-sites-deployment");
    expect(() => new Deployment(sites).validate()).not.toThrow();
    expect(sites.spec.template.spec.containers[0].image).toBe(api.spec.template.spec.containers[0].image);
    expect(envOf(sites).WEBSPLAT_ROLE).toBe("sites");
    expect(envOf(api).WEBSPLAT_ROLE).toBe("all");
    // Everything else the control plane is configured with, the sites role gets too.
    const { WEBSPLAT_ROLE: _sites, ...sitesEnv } = envOf(sites);
    const { WEBSPLAT_ROLE: _api, PULUMI_HOME, WEBSPLAT_PULUMI_MAX_OPERATIONS, ...apiEnv } = envOf(api);
    expect(sitesEnv).toEqual(apiEnv);
    const autoscaler = named("websplat-control-plane-sites-autoscaler");
    expect(() => new HorizontalPodAutoscaler(autoscaler).validate()).not.toThrow();
    expect(autoscaler.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "sites",
    });
    expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
    // The autoscaler reads CPU from metrics-server, which EKS does not ship.
    expect(ofType("kubernetes:helm.sh/v3:Release").map((release) => release.chart)).toContain(
      "metrics-server",
    );
    const budget = named("websplat-control-plane-sites-disruption-budget");
    expect(() => new PodDisruptionBudget(budget).validate()).not.toThrow();
    expect(sites.spec.template.metadata.labels).toMatchObject(budget.spec.selector.matchLabels);
    // The autoscaler owns the replica count; `pulumi up` does not reset it.
    expect(render.options.get("websplat-control-plane-sites-deployment")?.ignoreChanges).toContain(
      "spec.replicas",
    );
  });

  test("Cloudflare caches hashed assets for a year, pages briefly, and form posts never", () => {
    const ruleset = ofType("cloudflare:index/ruleset:Ruleset").find(
      (r) => r.phase === "http_request_cache_settings",
    );
    expect(ruleset.zoneId).toBe(controlPlaneEnv().CLOUDFLARE_SITES_ZONE_ID);
    const firstMatch = (path: string) => ruleset.rules.find((rule: Loose) => matches(rule.expression, path));
    const asset = firstMatch(assetPath("0f3a", "style.css")).actionParameters;
    expect(asset.cache).toBe(true);
    expect(asset.edgeTtl.default).toBeGreaterThanOrEqual(365 * 86_400);
    expect(asset.browserTtl.default).toBeGreaterThanOrEqual(365 * 86_400);
    const page = firstMatch("/about.html").actionParameters;
    expect(page.cache).toBe(true);
    expect(page.edgeTtl.default).toBeLessThanOrEqual(300);
    expect(firstMatch("/_forms/contact").actionParameters.cache).toBe(false);
  });
});

describe("sign-in mail leaves production, authenticated", () => {
  test("the control plane sends through SES as an address of the base domain", () => {
    const env = controlPlaneEnv();
    expect(env).toMatchObject({ WEBSPLAT_EMAIL_TRANSPORT: "ses", AWS_REGION: "eu-central-1" });
    expect(env.SMTP_FROM).toMatch(/@websp\.lat>?$/);
  });

  test("the domain identity's DKIM, MAIL FROM, SPF and DMARC records are in the zone", () => {
    expect(ofType("aws:sesv2/emailIdentity:EmailIdentity")).toEqual([{ emailIdentity: "websp.lat" }]);
    const byName = (name: string, type: string) =>
      records().filter((r) => r.name === name && r.type === type);
    for (const token of DKIM_TOKENS) {
      expect(byName(`${token}._domainkey.websp.lat`, "CNAME")).toEqual([
        expect.objectContaining({ content: `${token}.dkim.amazonses.com`, proxied: false }),
      ]);
    }
    const mailFrom = ofType("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes")[0];
    expect(byName(mailFrom.mailFromDomain, "MX")).toEqual([
      expect.objectContaining({ content: "feedback-smtp.eu-central-1.amazonses.com", priority: 10 }),
    ]);
    expect(byName(mailFrom.mailFromDomain, "TXT")[0].content).toContain("include:amazonses.com");
    expect(byName("websp.lat", "TXT")[0].content).toMatch(/^"v=spf1 .*include:amazonses\.com/);
    expect(byName("_dmarc.websp.lat", "TXT")[0].content).toMatch(/^"v=DMARC1; p=(quarantine|reject)/);
  });

  test("the control plane's role may send as that identity, and only that", () => {
    const policy = JSON.parse(named("websplat-control-plane-identity-email").policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: ["ses:SendEmail", "ses:SendRawEmail"],
        Resource: "arn:aws:ses:eu-central-1:123456789012:identity/websp.lat",
      }),
    ]);
  });
});

describe("per-client limits see the real client", () => {
  test("the trusted proxy is the ingress controller's pod network: the private subnets its nodes run in", () => {
    const trusted = controlPlaneEnv().WEBSPLAT_TRUSTED_PROXY.split(",");
    const subnets = declared.filter((r) => r.type === "aws:ec2/subnet:Subnet");
    const nodeSubnets = ofType("aws:eks/nodeGroup:NodeGroup")[0].subnetIds.map(
      (id: string) => subnets.find((subnet) => `${subnet.name}-id` === id)?.inputs.cidrBlock,
    );
    expect(trusted.sort()).toEqual([...nodeSubnets].sort());
    // Never the whole internet, never Cloudflare's edge: only what is really in front of the control plane.
    expect(trusted).not.toContain("0.0.0.0/0");
    // Within that network only the ingress controller (and Prometheus) may connect to the control plane's pods.
    const guard = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
      (policy) => policy.metadata.namespace === "websplat",
    );
    expect(guard.spec.podSelector).toEqual({});
    expect(guard.spec.ingress.flatMap((rule: Loose) => rule.from)).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "websplat-observability" } } },
    ]);
  });
});

describe("expiry covers every key the control plane writes to the backup bucket", () => {
  let s3: FakeS3;
  let dataDir: string;
  beforeAll(async () => {
    s3 = await startFakeS3();
    dataDir = await mkdtemp(join(tmpdir(), "websplat-lifecycle-"));
  });
  afterAll(async () => {
    await s3.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The keys the real stores write with the environment infra gives the control plane. */
  async function writtenKeys(): Promise<{ backups: string[]; sites: string[] }> {
    const env = controlPlaneEnv();
    const config = {
      ...env,
      WEBSPLAT_BACKUP_BUCKET: "backups",
      WEBSPLAT_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: "test",
      WEBSPLAT_DATA_DIR: dataDir,
    } as unknown as Config;
    process.env.AWS_ACCESS_KEY_ID ??= "test";
    process.env.AWS_SECRET_ACCESS_KEY ??= "test";
    const store = backupStoreFor(config);
    await store.put(backupKeys.manifest("acme", newBackupId()), Buffer.from("{}"));
    // control-plane/data-rights/delivery.ts keeps an emailed export under `_exports/<slug>/`.
    await store.put("_exports/acme/1700000000-x.zip", Buffer.from("zip"));
    await siteStore(config, dataDir).put("acme", Buffer.from("<h1>hi</h1>"));
    const keys = [...(s3.buckets.get("backups")?.keys() ?? [])];
    return {
      backups: keys.filter((key) => !key.startsWith("sites/")),
      sites: keys.filter((key) => key.startsWith("sites/")),
    };
  }

  const rulesFor = (key: string): Loose[] =>
    backupLifecycle().rules.filter(
      (rule: Loose) => rule.status === "Enabled" && key.startsWith(rule.filter?.prefix ?? ""),
    );

  test("backups and exports expire; their deleted versions and delete markers go too", async () => {
    const { backups, sites } = await writtenKeys();
    expect(backups).toHaveLength(2);
    expect(sites).toHaveLength(1);
    for (const key of backups) {
      const rules = rulesFor(key);
      expect(
        rules.some((rule) => rule.expiration?.days > 0),
        key,
      ).toBe(true);
      expect(
        rules.some((rule) => rule.noncurrentVersionExpiration?.noncurrentDays > 0),
        key,
      ).toBe(true);
      expect(
        rules.some((rule) => rule.expiration?.expiredObjectDeleteMarker === true),
        key,
      ).toBe(true);
    }
  });

  test("published files stay while published, and go once deleted (unpublish, erasure)", async () => {
    const { sites } = await writtenKeys();
    for (const key of sites) {
      const rules = rulesFor(key);
      expect(
        rules.some((rule) => rule.expiration?.days),
        key,
      ).toBe(false);
      expect(
        rules.some((rule) => rule.noncurrentVersionExpiration?.noncurrentDays > 0),
        key,
      ).toBe(true);
      expect(
        rules.some((rule) => rule.expiration?.expiredObjectDeleteMarker === true),
        key,
      ).toBe(true);
    }
  });

  test("S3 accepts the rules: a delete-marker expiry never shares a rule with days", () => {
    for (const rule of backupLifecycle().rules)
      expect(rule.expiration?.expiredObjectDeleteMarker && rule.expiration?.days).toBeFalsy();
  });
});

/** A DNS or TLS name (possibly `*.`) covering a hostname, one label deep for a wildcard. */
function matchesHost(pattern: string, host: string): boolean {
  if (!pattern.startsWith("*.")) return pattern === host;
  const rest = host.split(".").slice(1).join(".");
  return rest === pattern.slice(2) && host.split(".").length === pattern.split(".").length;
}

/** Cloudflare rule expressions as we write them: `starts_with(http.request.uri.path, "…")`, `not`, `and`. */
function matches(expression: string, path: string): boolean {
  return expression.split(" and ").every((term) => {
    const negated = term.trim().startsWith("not ");
    const prefix = /starts_with\(http\.request\.uri\.path, "([^"]*)"\)/.exec(term)?.[1];
    if (prefix === undefined) throw new Error(`Unreadable rule expression: ${expression}`);
    return path.startsWith(prefix) !== negated;
  });
}

describe("operations are observable and the cluster's API is not open to the internet", () => {
  test("the control plane exports traces to the in-cluster collector, whose Service and port exist", () => {
    const endpoint = new URL(controlPlaneEnv().OTEL_EXPORTER_OTLP_ENDPOINT);
    const [service, namespace] = endpoint.hostname.split(".");
    const collector = ofType("kubernetes:core/v1:Service").find(
      (s) => s.metadata?.name === service && s.metadata?.namespace === namespace,
    );
    expect(collector.spec.ports.map((port: Loose) => port.port)).toContain(Number(endpoint.port));
    const deployment = ofType("kubernetes:apps/v1:Deployment").find(
      (d) => d.metadata?.namespace === namespace,
    );
    expect(deployment.spec.template.metadata.labels).toMatchObject(collector.spec.selector);
    const config = JSON.parse(named("websplat-observability-collector-config").data["config.yaml"]);
    expect(config.service.pipelines.traces.exporters).toEqual(["awsxray"]);
  });

  test("Prometheus scrapes the control plane and sites pods and loads every alert of infra/monitoring/alerts.yaml", async () => {
    const { parse } = await import("yaml");
    const { readFile } = await import("node:fs/promises");
    const alerts = parse(
      await readFile(new URL("../../infra/monitoring/alerts.yaml", import.meta.url), "utf8"),
    );
    const rule = ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0];
    expect(rule.spec.groups).toEqual(alerts.groups);
    for (const [service, monitor] of [
      ["websplat-control-plane-service", "websplat-observability-scrape-control-plane"],
      ["websplat-control-plane-sites-service", "websplat-observability-scrape-sites"],
    ]) {
      const target = named(service as string);
      const scrape = named(monitor as string).spec;
      expect(target.metadata.labels).toMatchObject(scrape.selector.matchLabels);
      expect(scrape.namespaceSelector.matchNames).toContain(target.metadata.namespace);
      expect(target.spec.ports.map((port: Loose) => port.name)).toContain(scrape.endpoints[0].port);
    }
  });

  test("Prometheus scrapes with the bearer the control plane and sites pods hold as WEBSPLAT_METRICS_TOKEN", () => {
    const podSecret = declared.find((r) => r.name === "websplat-control-plane-secret")!.inputs;
    const podToken = String(unsecret(unsecret(podSecret.stringData).WEBSPLAT_METRICS_TOKEN));
    expect(podToken.length).toBeGreaterThanOrEqual(16);
    for (const deployment of [
      "websplat-control-plane-deployment",
      "websplat-control-plane-sites-deployment",
    ]) {
      const container = named(deployment).spec.template.spec.containers[0];
      expect(container.envFrom).toContainEqual({ secretRef: { name: podSecret.metadata.name } });
    }
    const monitors = ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
    expect(monitors).toHaveLength(2);
    for (const monitor of monitors) {
      const credentials = monitor.spec.endpoints[0].authorization.credentials;
      expect(monitor.spec.endpoints[0].authorization.type).toBe("Bearer");
      const secret = ofType("kubernetes:core/v1:Secret").find(
        (s) => s.metadata?.name === credentials.name && s.metadata?.namespace === monitor.metadata.namespace,
      );
      expect(String(unsecret(unsecret(secret.stringData)[credentials.key]))).toBe(podToken);
    }
  });

  test("the EKS API answers from the internet only to the configured operator ranges", () => {
    expect(ofType("aws:eks/cluster:Cluster")[0].vpcConfig).toMatchObject({
      endpointPrivateAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    });
  });
});
