import { goals, growthRows } from "./goals.ts";
import type { BenchResults } from "./index.ts";
import { mib, ms, ratio, type Summary } from "./stats.ts";

const verdict = (ok: boolean, miss: string) => (ok ? "met" : `missed (${miss})`);

function latencyRow(name: string, s: Summary, bare: number, floor: number): string {
  return `| ${name} (n=${s.n}) | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} | ${ratio(s.p50, bare)} / ${ratio(s.p95, bare)} | ${ratio(s.p50, floor)} |`;
}

/** The Markdown written to docs/benchmarks.md: the goals first, then each figure and how it was taken. */
export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(
    "# Benchmarks",
    "",
    "What users feel, measured by `npm run bench` (full set) or `npm run bench -- --quick` (reduced set),",
    "with every comparison measured side by side in the same run. Raw figures: `bench-results/latest.json`.",
    "",
    `- Date: ${r.date} (${r.mode} run)`,
    `- Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB memory, Node ${r.machine.node} (${r.machine.platform}); load average at the start ${r.machine.load.map((x) => x.toFixed(1)).join(" / ")} (1 / 5 / 15 min)`,
    "- Everything runs on this one machine: the bench, the control plane, PostgreSQL and every tenant runtime share its cores.",
    "",
    "## Goals",
    "",
    "Each goal is a ratio to a floor or a percentile from this one run, so a busy machine moves figure and",
    "floor together as far as it can; absolute times still need a quiet machine to mean much.",
    "",
    "| goal | target | this run | |",
    "|---|---|---|---|",
    ...goals(r).map(
      (g) =>
        `| ${g.name} | ${g.target} | ${g.figure} | ${g.pass === null ? "—" : g.pass ? "PASS" : "MISS"} |`,
    ),
    "",
  );
  const growth = growthRows(r);
  if (growth.length) {
    const [small, large] = [r.snapshots![0]!, r.snapshots!.at(-1)!];
    lines.push(
      `Growth with the number of tenants (${small.tenants} vs ${large.tenants}):`,
      "",
      `| figure | at ${small.tenants} tenants | at ${large.tenants} tenants | ratio |`,
      "|---|---|---|---|",
      ...growth.map(
        (g) => `| ${g.name} | ${g.unit(g.small)} | ${g.unit(g.large)} | ${(g.large / g.small).toFixed(2)}× |`,
      ),
      "",
      "Method: at each size, owners of the newest tenants (up to 20) sign in through an owner link, every runtime",
      "is left to stop for idleness, then each owner's first request (`GET /api/projects` with the session and",
      "owner-pass cookies, through the gateway) is timed to its 200, one tenant after another; the control plane's",
      "RSS is read right after, with those runtimes active and every other tenant idle. Payment → URL is the",
      "last ten purchases before that size; the webhook is loaded at 8 connections for its p99.",
      "",
    );
  }
  if (r.floor && r.provisioning) {
    const bare = r.floor.bare.p50;
    const floor = r.floor.total.p50;
    lines.push(
      "## B1 Payment → tenant URL answers 200",
      "",
      "| purchases | p50 | p95 | max | p50 / p95 ÷ bare process | p50 ÷ runtime floor |",
      "|---|---|---|---|---|---|",
      latencyRow("sequential", r.provisioning.sequential.summary, bare, floor),
      latencyRow("concurrent", r.provisioning.concurrent.summary, bare, floor),
      `| floor: role + schema + bare runtime (n=${r.floor.total.n}) | ${ms(r.floor.total.p50)} | ${ms(r.floor.total.p95)} | ${ms(r.floor.total.max)} | ${ratio(floor, bare)} / ${ratio(r.floor.total.p95, bare)} | 1.00× |`,
      `| bare Node process, spawn → first 200 (n=${r.floor.bare.n}) | ${ms(bare)} | ${ms(r.floor.bare.p95)} | ${ms(r.floor.bare.max)} | 1.00× / ${ratio(r.floor.bare.p95, bare)} | — |`,
      "",
      "Breakdown (p50 of each phase, from the operation log's timestamps; webhook ack measured by the client):",
      "",
      "| purchases | webhook ack | queue wait | database ensure | runtime start | route + record |",
      "|---|---|---|---|---|---|",
    );
    for (const kind of ["sequential", "concurrent"] as const) {
      const p = r.provisioning[kind].phases;
      lines.push(
        `| ${kind} | ${ms(p.ack)} | ${ms(p.queueWait)} | ${ms(p.database)} | ${ms(p.runtimeStart)} | ${ms(p.route)} |`,
      );
    }
    lines.push(`| floor | — | — | ${ms(r.floor.database.p50)} | ${ms(r.floor.runtime.p50)} | — |`, "");
    const failures = [...r.provisioning.sequential.failures, ...r.provisioning.concurrent.failures];
    if (failures.length) lines.push(`Failed purchases: ${failures.map((f) => `\`${f}\``).join(", ")}`, "");
    lines.push(
      "Method: a real control plane (`node control-plane/main.ts`, `PORT=0`, temp data dir, local driver) on a",
      "PostgreSQL the bench starts (`startEmbeddedPostgres`). Each purchase is a `checkout.session.completed`",
      "in the Payment Link shape, signed with the Stripe SDK's `generateTestHeaderString`, sent to",
      "`POST /webhooks/stripe`; the clock stops when `GET /healthz` on `<slug>.localhost:<port>` (through the",
      "gateway, polled every 10 ms) answers 200. Sequential: one purchase after another; concurrent: all sent",
      "at once. Phases come from `GET /admin/tenants/:slug/operations` and `GET /admin/operations/:id`: queue",
      'wait = operation `createdAt` → `startedAt`; database ensure = "Ensuring database role and schema" →',
      '"Database role and schema created"; runtime start → "Agent runtime serving"; route + record → operation',
      "`finishedAt`. The bare process is `node -e` with an HTTP server that answers 200, spawned and polled",
      "every 5 ms until it does: the physical floor of any start. The runtime floor is the same role + schema",
      "code (`ensureTenantDatabase`) followed by the bundled runtime (what the local driver runs) spawned with the launch",
      "contract's environment (`tenantSpec().runtime.env`) and timed until its own `/healthz` answers 200.",
      "",
    );
  }
  if (r.ingestion) {
    lines.push("## B2 Webhook ingestion", "");
    if ("error" in r.ingestion) {
      lines.push(`Not measured: ${r.ingestion.error}`, "");
    } else {
      const { webhook, bare } = r.ingestion;
      lines.push(
        "| endpoint | events/s | p50 | p99 | max | non-2xx | errors |",
        "|---|---|---|---|---|---|---|",
        ...[
          webhook,
          bare,
          ...(r.snapshots ?? []).map((at) => ({
            ...at.webhook,
            target: `${at.webhook.target}, ${at.tenants} tenants`,
          })),
        ].map(
          (x) =>
            `| ${x.target} | ${x.eventsPerSecond.toFixed(0)} | ${x.p50Ms} ms | ${x.p99Ms} ms | ${x.maxMs} ms | ${x.non2xx} | ${x.errors + x.timeouts} |`,
        ),
        "",
        `Webhook / bare route at ${r.ingestion.connections} connections: ${((webhook.eventsPerSecond / bare.eventsPerSecond) * 100).toFixed(0)} % of the throughput, p99 ${ratio(webhook.p99Ms, bare.p99Ms)}.`,
        "",
        `Method: \`autocannon\`, ${r.ingestion.connections} connections (saturation) and 8 connections (light load, at each`,
        "platform size), each request a distinct `invoice.paid` event for a subscription nobody has (recorded and",
        "processed, provisions nothing), signed on the fly by the Stripe SDK; 1 s of warm-up, then the measured",
        "window. The comparison is a Hono route on `@hono/node-server` in its own process",
        "(`scripts/bench/bare-hono.ts`) that reads and parses the body, under the same load, in the same run.",
        "",
      );
    }
  }
  if (r.scale) lines.push("## B3 Scale", "");
  if (!r.scale) {
  } else if ("error" in r.scale) {
    lines.push(`Not measured: ${r.scale.error}`, "");
  } else {
    const s = r.scale;
    lines.push(
      "| figure | value |",
      "|---|---|",
      ...s.list.map(
        (l) =>
          `| admin tenant list, ${l.rows.toLocaleString("en")} rows: p50 / p99 | ${ms(l.summary.p50)} / ${ms(l.summary.p99)} |`,
      ),
      `| control plane RSS with ${s.memory.runtimes} active tenants | ${mib(s.memory.controlPlaneRss)} |`,
      `| marginal memory per active tenant (runtime RSS sum / count) | ${mib(s.memory.perRuntimeRss)} (${mib(s.memory.runtimesRss)} / ${s.memory.runtimes}) |`,
      `| after the idle period: runtime processes for ${s.tenants} active tenants | ${s.idleMemory.runtimes} (control plane RSS ${mib(s.idleMemory.controlPlaneRss)}) |`,
      `| provisioning latency, 1st tenant | ${ms(s.firstMs)} |`,
      `| provisioning latency, tenant #${s.lastRank} | ${ms(s.lastMs)} |`,
      `| p50 of the first 5 vs the last 5 (sequential) | ${ms(s.firstFive.p50)} vs ${ms(s.lastFive.p50)} |`,
      "",
      `Growth stopped at ${s.lastRank} tenants: ${s.stoppedBecause}.`,
      "",
      "Method: after B1, purchases continue one at a time (same measure as B1) until the target count, a time",
      "budget or a 3 GiB free-memory reserve is reached; the first tenant is B1's first sequential purchase.",
      "RSS is read from `/proc/<pid>/status` for the control plane and for every tenant runtime child",
      "it supervises. The bench runs the control plane with `WEBSPLAT_IDLE_SECONDS=10` and reads memory again once",
      "that period has passed without requests: idle tenants are stopped and cost no process. For the list, rows are inserted directly into `control_plane.tenants` (suspended and",
      "reconciled, so nothing is provisioned) up to 500 and then 10,000 rows; `GET /admin/tenants` (first page,",
      "default size 50, with its total count) is requested one after another as an operator would, after 10 warm-up requests.",
      "",
    );
  }
  const b = r.builder;
  if (b) lines.push("## B4 Builder", "");
  if (!b) {
  } else if (!b.measured) {
    lines.push(`Not measured: ${b.reason}`, "");
  } else {
    lines.push(
      "| figure | value |",
      "|---|---|",
      `| offline-model run, POST → \`${b.runStatus}\` | ${ms(b.runMs)} |`,
      `| stop, POST → \`${b.stopStatus}\` | ${ms(b.stopMs)} |`,
      `| rollback at ${b.rollbackSmall.checkpoints} checkpoints (median of 5) | ${ms(b.rollbackSmall.medianMs)} |`,
      b.rollbackLarge
        ? `| rollback at ${b.rollbackLarge.checkpoints} checkpoints (median of 5) | ${ms(b.rollbackLarge.medianMs)} |`
        : "| rollback at a long history | not measured: the time budget ran out before the history was long enough |",
      "",
      "Method: on B1's first tenant, an owner link (`POST /admin/tenants/:slug/owner-link`) is exchanged for a",
      "session at `/auth/callback`; a project is created and a run started (autonomy 4, creativity 2, offline",
      "model at its default pace) and `GET /api/runs/:id` polled every 20 ms until a final status. A second run",
      "is stopped 200 ms after it starts. Each rollback (to the oldest checkpoint, scope `both`) adds a `restore`",
      "checkpoint, which is how the long history is grown before the second rollback measure.",
      "",
    );
  }
  if (r.probes) lines.push("## B5 Probes", "");
  if (!r.probes) {
  } else if ("error" in r.probes) {
    lines.push(`Not measured: ${r.probes.error}`, "");
  } else {
    const p = r.probes;
    const share = (x: number) => `${(x * 100).toFixed(2)} %`;
    lines.push(
      "| figure | value |",
      "|---|---|",
      `| control plane CPU over ${p.windowSeconds} s: probes every ${p.intervalSeconds} s / probes off | ${p.cpuWithProbes.toFixed(2)} s / ${p.cpuWithout.toFixed(2)} s |`,
      `| CPU per round over ${p.tenants} tenants (${p.rounds} rounds) | ${p.msPerRound.toFixed(1)} ms |`,
      `| share of one core at one round a minute (the default) | ${share(p.coreShareAtOneMinute)} |`,
      `| share of one core at one round every ${p.intervalSeconds} s | ${share(p.coreShareAccelerated)} |`,
      "",
      `Target (< 5 % of one core for ${p.tenants} tenants at the default schedule): ${verdict(p.coreShareAtOneMinute < 0.05, `${share(p.coreShareAtOneMinute)}`)}.`,
      "",
      "Method: a control plane of its own on the bench's PostgreSQL, with that many active tenants provisioned and",
      "scaled to zero (tenant rows and the local driver's stack records in place, no runtime running), so every",
      "probe crosses the gateway to its readiness answer and every round writes its results and states. CPU",
      "(user + system, `/proc/<pid>/stat`) is read over the window after 5 s of settling, once with probes at an",
      "accelerated interval and once, on an identical control plane, with probes off; the difference per round,",
      "divided by 60 s, is the cost at the default schedule.",
      "",
    );
  }
  lines.push(...likelyReasons(r), ...TRIED);
  return `${lines.join("\n")}\n`;
}

/** What was measured and tried against the misses, outside this run (dated: it does not change with each run). */
const TRIED = [
  "## What was tried",
  "",
  "Measured on 2026-12-02 on this machine; times taken while other work ran say so.",
  "",
  "- Start time. Tenant runtimes run from one esbuild bundle of `agent-runtime/` (`stacks/local/runtime-bundle.ts`),",
  "  built when its code or packages change. Importing the builder went from 450–670 ms (about 1,500 TypeScript",
  "  sources and package files, with Node's compile cache and direct resolution inside drizzle, zod and hono) to",
  "  30–95 ms; a whole runtime from spawn to /healthz 200 (the floor above) from 543 ms to about 140 ms, and an",
  "  owner's first request to a scaled-to-zero tenant from 1.19 s to about 0.2 s (p95).",
  "- Bursts. Purchases at once failed their first attempt with PostgreSQL's `tuple concurrently updated`: each",
  "  provisioning changes the same database and function privileges (one catalog row each), and the loser waited",
  "  for the queue's retry (2 to 4 s, sometimes twice). They now take turns on those statements (an advisory",
  "  lock): 8 at once went from 0.95–6.6 s to 0.8–2.2 s. A completed checkout is also processed ahead of waiting",
  "  events, so a flood of invoices (as the webhook phase sends) no longer delays a purchase.",
  "- Runtime memory, loading the runtime and its builder in one process and reading RSS after a forced GC: a bare",
  "  Node 24 process is 45 MiB, the bundled runtime with its builder 85 MiB (91 MiB from the sources with a warm",
  "  compile cache, 119 MiB without). V8's heap is 14 MiB of it; the rest is code. A minified bundle saved 3–7",
  "  MiB (not taken: stack traces would be unreadable). Flags on top of `--max-semi-space-size=1`: `--lite-mode`",
  "  76 MiB (no optimising compiler: slower code), `--no-opt` 80 MiB, `--single-threaded` 83 MiB,",
  "  `--v8-pool-size=0` 85 MiB, `--max-old-space-size=64` no change. sanitize-html with postcss is 8.5 MiB",
  "  (measured by building without it); every preview and every build needs it, so loading it later would move",
  "  the cost, not remove it. Loading openai's zod helpers only with the SDK changed nothing measurable.",
  "- Control plane memory. A heap snapshot after 200 purchases held about 50 MiB, as at start, yet RSS had gone from",
  "  280 to 430 MiB: with no limit (about 4 GiB on this machine) V8 grows the heap with the allocation rate and keeps",
  "  the pages. With `--max-old-space-size=384` and 2 MiB semi-spaces the same 200 purchases end at 160 MiB",
  "  (start: 127 MiB); 192 gave the same, 2 MiB semi-spaces alone 281 MiB. Small semi-spaces cost webhook",
  "  throughput, though (1,927 events/s against 2,532 with the old-space limit alone and 2,754 with neither, in",
  "  one quick run each), so `npm start` and the image pass only the old-space limit (`WEBSPLAT_HEAP_MIB`, 384 by",
  "  default: seven times the live heap). The AWS SDK (about 30 MiB) now loads with the first S3 backup only.",
  "- Not built: a warm pool of prepared runtimes. On a quiet machine a bare process answers in about 30 ms, so",
  "  3× is about 100 ms: less than a runtime's own spawn-to-ready. Only processes started before the purchase",
  "  (assigned their tenant, user and credentials on handover) can get there; at about 85 MiB each, idle.",
  "",
];

/** Where goals are missed, the phase that explains it, from this run's own figures. */
function likelyReasons(r: BenchResults): string[] {
  const out = ["## Likely reasons for the misses", ""];
  const missed = new Set(
    goals(r)
      .filter((g) => g.pass === false)
      .map((g) => g.name.split(":")[0]!.split(" (")[0]!),
  );
  const has = (prefix: string) => [...missed].some((name) => name.startsWith(prefix));
  if (r.floor && r.provisioning && has("payment → URL")) {
    const seq = r.provisioning.sequential;
    const controlPlane = seq.phases.ack + seq.phases.queueWait + seq.phases.database + seq.phases.route;
    out.push(
      `- Payment → URL one after another (p50 ${ms(seq.summary.p50)}, the bare process ${ms(r.floor.bare.p50)}): the runtime`,
      `  start is ${ms(seq.phases.runtimeStart)} of it (a bare runtime alone: ${ms(r.floor.runtime.p50)}, ${ratio(r.floor.runtime.p50, r.floor.bare.p50)} the bare`,
      `  process: loading its modules and connecting to and checking its schema); ack, queue, database and route add ${ms(controlPlane)}.`,
    );
  }
  if (
    r.provisioning &&
    has(
      `${r.provisioning.concurrent.summary.n + r.provisioning.concurrent.failures.length} purchases at once`,
    )
  ) {
    const conc = r.provisioning.concurrent;
    out.push(
      `- Purchases at once: ${conc.summary.n} runtimes start on ${r.machine.cores} cores, so each start takes`,
      `  ${ms(conc.phases.runtimeStart)} (queue wait ${ms(conc.phases.queueWait)}, database ${ms(conc.phases.database)}): CPU, not queueing.`,
    );
  }
  const large = r.snapshots?.at(-1);
  if (large && has("first owner request")) {
    out.push(
      `- Owner wake (p95 ${ms(large.wake.summary.p95)}): a runtime start from nothing plus loading the builder for the`,
      "  first API request; the same start as a purchase, without the database work.",
    );
  }
  if (large && has("active runtime")) {
    out.push(
      `- Runtime memory (${mib(large.wake.memory.perRuntimeRss)}): Node itself with its heap and the code of the builder`,
      "  (hono, zod, drizzle, the agents) once loaded; a bare Node process is about 45 MiB on its own.",
    );
  }
  if (large && has("control plane RSS")) {
    out.push(
      `- Control plane memory (${mib(large.wake.memory.controlPlaneRss)}): a bare Node process (45 MiB), the code it loads`,
      "  (each measured alone: the Stripe SDK ~30 MiB, @hono/zod-openapi ~20 MiB, nodemailer ~15 MiB, pg-boss ~10 MiB) and",
      "  V8's heap above its live ~50 MiB, up to `WEBSPLAT_HEAP_MIB`; not per-tenant state (see the growth table).",
    );
  }
  if (r.ingestion && !("error" in r.ingestion) && (has("webhook ingestion") || has("webhook p99"))) {
    out.push(
      "- Webhook: each accepted event is verified, inserted into `stripe_events` (a committed, fsynced transaction) and",
      "  then processed in the same process (more queries and a second write to mark it processed), all on the",
      "  cores that also run PostgreSQL and the load generator; the bare route does none of this.",
    );
  }
  if (out.length === 2) out.push("None: every goal measured was met in this run.");
  out.push("");
  return out;
}
