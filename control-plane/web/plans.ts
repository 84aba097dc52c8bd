import { TIER_NAMES, TIERS, type Tier, type TierName } from "../../tenant-template/index.ts";

/** A recurring price as Stripe states it (or as the tier table states it without Stripe). */
export interface Price {
  amountCents: number;
  currency: string;
  interval: string;
}

export type PriceList = Record<TierName, Price | null>;

/** One tier as the signup page shows it. */
export interface Plan {
  tier: TierName;
  title: string;
  tagline: string;
  price: string;
  interval: string;
  features: string[];
}

/** The tier table's price: what we sell at when no Stripe price is known for a tier. */
export function fallbackPrice(tier: TierName): Price {
  return { amountCents: TIERS[tier].monthlyPriceCents, currency: "usd", interval: "month" };
}

export function formatPrice(price: Price): string {
  const whole = price.amountCents % 100 === 0;
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: price.currency.toUpperCase(),
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(price.amountCents / 100);
}

/** What a tier includes, in the customer's words rather than Kubernetes quantities. */
export function features(tier: Tier): string[] {
  return [
    tier.sites === 1 ? "1 website" : `${tier.sites} websites`,
    `${formatTokens(tier.tokensPerMonth)} model tokens a month`,
    `${formatCpu(tier.cpu)} and ${formatMemory(tier.memory)} of memory, yours alone`,
    tier.podDisruptionBudget
      ? `${tier.replicas} replicas, kept online during maintenance`
      : `${tier.replicas} ${tier.replicas === 1 ? "replica" : "replicas"}`,
    `Backups kept ${tier.backupRetentionDays} days`,
    tier.customDomain ? "Your own domain name" : "Your own websp.lat address",
  ];
}

export function plans(prices: PriceList): Plan[] {
  return TIER_NAMES.map((name) => {
    const tier = TIERS[name];
    const price = prices[name] ?? fallbackPrice(name);
    return {
      tier: name,
      title: tier.title,
      tagline: tier.tagline,
      price: formatPrice(price),
      interval: price.interval,
      features: features(tier),
    };
  });
}

function formatTokens(tokens: number): string {
  if (tokens >= 1_000_000) return `${tokens / 1_000_000} million`;
  if (tokens >= 1_000) return `${tokens / 1_000} thousand`;
  return String(tokens);
}

function formatCpu(cpu: string): string {
  const cores = cpu.endsWith("m") ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
  return cores === 1 ? "1 CPU core" : `${cores} CPU cores`;
}

function formatMemory(memory: string): string {
  if (memory.endsWith("Gi")) return `${memory.slice(0, -2)} GB`;
  if (memory.endsWith("Mi")) return `${memory.slice(0, -2)} MB`;
  return memory;
}
