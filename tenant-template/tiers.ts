/** The tier table: what each plan includes. DESIGN §4 is the source; prices are the fallback shown when Stripe is not configured. */

export const TIER_NAMES = ["starter", "pro", "studio"] as const;
export type TierName = (typeof TIER_NAMES)[number];

export interface Tier {
  name: TierName;
  /** Shown on the signup page. */
  title: string;
  /** One line for the signup page. */
  tagline: string;
  /** Sites (projects) the builder may hold. */
  sites: number;
  /** Model tokens per calendar month. */
  tokensPerMonth: number;
  /** Kubernetes CPU limit of the runtime container. */
  cpu: string;
  /** Kubernetes memory limit of the runtime container. */
  memory: string;
  /** CPU request (what the scheduler reserves). */
  cpuRequest: string;
  /** Memory request. */
  memoryRequest: string;
  /** Runtime replicas while active. */
  replicas: number;
  /** A PodDisruptionBudget keeps one replica up during node drains. */
  podDisruptionBudget: boolean;
  /** Days of backups kept. */
  backupRetentionDays: number;
  /** Whether a custom domain may point at the tenant. */
  customDomain: boolean;
  /** Postgres connection limit of the tenant's role. */
  connectionLimit: number;
  /** Fallback monthly price in US cents, when prices are not read from Stripe. */
  monthlyPriceCents: number;
  /** Requests per second a tenant's host accepts (sustained; bursts of 4× pass). */
  requestsPerSecond: number;
  /** Bytes of published files (every version kept, each file once) the platform stores for the tenant. */
  publishedBytes: number;
}

export const TIERS: Readonly<Record<TierName, Tier>> = {
  starter: {
    name: "starter",
    title: "Starter",
    tagline: "One site, built with you by a team of agents.",
    sites: 1,
    tokensPerMonth: 500_000,
    cpu: "500m",
    memory: "512Mi",
    cpuRequest: "100m",
    memoryRequest: "256Mi",
    replicas: 1,
    podDisruptionBudget: false,
    backupRetentionDays: 7,
    customDomain: false,
    connectionLimit: 5,
    monthlyPriceCents: 1900,
    requestsPerSecond: 20,
    publishedBytes: 100 * 1024 * 1024,
  },
  pro: {
    name: "pro",
    title: "Pro",
    tagline: "Five sites, ten times the model budget, your own domain.",
    sites: 5,
    tokensPerMonth: 5_000_000,
    cpu: "1",
    memory: "1Gi",
    cpuRequest: "250m",
    memoryRequest: "512Mi",
    replicas: 1,
    podDisruptionBudget: false,
    backupRetentionDays: 30,
    customDomain: true,
    connectionLimit: 10,
    monthlyPriceCents: 4900,
    requestsPerSecond: 50,
    publishedBytes: 1024 * 1024 * 1024,
  },
  studio: {
    name: "studio",
    title: "Studio",
    tagline: "Twenty-five sites, two replicas that survive node drains, 90 days of backups.",
    sites: 25,
    tokensPerMonth: 25_000_000,
    cpu: "2",
    memory: "2Gi",
    cpuRequest: "500m",
    memoryRequest: "1Gi",
    replicas: 2,
    podDisruptionBudget: true,
    backupRetentionDays: 90,
    customDomain: true,
    connectionLimit: 20,
    monthlyPriceCents: 14900,
    requestsPerSecond: 100,
    publishedBytes: 5 * 1024 * 1024 * 1024,
  },
};

export function isTierName(value: unknown): value is TierName {
  return typeof value === "string" && (TIER_NAMES as readonly string[]).includes(value);
}

/** Stripe price lookup keys (contract): `websplat_<tier>` with an optional suffix such as `_yearly`. */
export const LOOKUP_KEY_PATTERN = /^websplat_(starter|pro|studio)(?:_[a-z0-9_]+)?$/;

export function lookupKeyFor(tier: TierName): string {
  return `websplat_${tier}`;
}

/** The tier a price lookup key sells, or null when the key is not one of ours. */
export function tierFromLookupKey(lookupKey: string | null | undefined): TierName | null {
  const match = lookupKey ? LOOKUP_KEY_PATTERN.exec(lookupKey) : null;
  return match ? (match[1] as TierName) : null;
}
