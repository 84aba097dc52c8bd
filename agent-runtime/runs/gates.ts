import { sql, sum } from "drizzle-orm";
import type { Workflow } from "../agents/workflow.ts";
import type { Database } from "../db/index.ts";
import { usageLedger } from "../db/schema.ts";

export const currentMonth = (now = new Date()) => now.toISOString().slice(0, 7);

export async function tokensUsedThisMonth(db: Database): Promise<number> {
  const [row] = await db
    .select({ total: sum(sql`${usageLedger.promptTokens} + ${usageLedger.completionTokens}`) })
    .from(usageLedger)
    .where(sql`${usageLedger.month} = ${currentMonth()}`);
  return Number(row?.total ?? 0);
}

export interface Gate {
  kind: "budget" | "loop";
  reason: "month" | "run" | "steps" | "loop";
  message: string;
}

/** Caps pause a run (it waits for the owner) rather than kill it. */
export function checkGates(input: {
  workflow: Workflow;
  runTokens: number;
  monthTokens: number;
  monthLimit: number;
  tier: string;
  loopThreshold: number;
}): Gate | undefined {
  const { workflow: wf } = input;
  if (input.monthTokens >= input.monthLimit) {
    const next = new Date();
    next.setUTCMonth(next.getUTCMonth() + 1, 1);
    return {
      kind: "budget",
      reason: "month",
      message: `This month's model budget (${input.monthLimit.toLocaleString("en")} tokens on the ${input.tier} plan) is used up. It renews on ${next.toISOString().slice(0, 10)}; upgrade your plan to continue sooner.`,
    };
  }
  if (input.runTokens >= wf.tokenAllowance) {
    return {
      kind: "budget",
      reason: "run",
      message: `This run has used its ${wf.tokenAllowance.toLocaleString("en")} tokens. Continue to allow more, or stop here.`,
    };
  }
  if (wf.stepsTaken >= wf.stepAllowance) {
    return {
      kind: "budget",
      reason: "steps",
      message: `This run took ${wf.stepsTaken} steps, its limit. Continue to allow more, or stop here.`,
    };
  }
  const last = wf.recentActions.at(-1);
  if (last && wf.recentActions.filter((a) => a === last).length >= input.loopThreshold) {
    return {
      kind: "loop",
      reason: "loop",
      message:
        "The agents repeated the same action several times without progress. Continue, steer them with a prompt, or stop.",
    };
  }
  return undefined;
}
