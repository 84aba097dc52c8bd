import { html } from "hono/html";
import type { ComponentStatus, Incident } from "../probes/index.ts";
import { page } from "./layout.ts";

const NAMES: Record<ComponentStatus["name"], string> = {
  api: "API and website",
  webhooks: "Payments (Stripe webhooks)",
  provisioning: "Provisioning",
  database: "Database",
  tenants: "Customer environments",
};

const STATES: Record<ComponentStatus["state"], string> = {
  operational: "Operational",
  degraded: "Degraded",
  down: "Outage",
  unknown: "No data yet",
};

/** `GET /status`: the platform's components, 90 days of uptime, incidents. Never a tenant's name. */
export function statusPage(data: { components: ComponentStatus[]; incidents: Incident[] }) {
  const worst = data.components.some((c) => c.state === "down")
    ? "Some systems have an outage"
    : data.components.some((c) => c.state === "degraded")
      ? "Some systems are degraded"
      : "All systems operational";
  return page({
    title: "Status",
    body: html`<h1>WebSplat status</h1>
<p class="status-summary" id="summary">${worst}</p>
<section aria-labelledby="components-title">
<h2 id="components-title">Components</h2>
<ul class="components">
${data.components.map(
  (c) => html`<li class="card component" data-component="${c.name}" data-state="${c.state}">
<div class="component-head"><strong>${NAMES[c.name]}</strong> <span class="state state-${c.state}">${STATES[c.state]}</span></div>
${c.detail ? html`<p class="muted">${c.detail}</p>` : ""}
<p class="muted">90-day uptime: <span class="uptime">${percent(c.uptime.uptime)}</span></p>
<div class="bars" role="img" aria-label="Daily uptime of ${NAMES[c.name]} over 90 days">${c.uptime.days.map(
    (d) => html`<span class="bar ${barClass(d.uptime)}" title="${d.day}: ${percent(d.uptime)}"></span>`,
  )}</div>
</li>`,
)}
</ul>
</section>
<section aria-labelledby="incidents-title">
<h2 id="incidents-title">Incidents (last 90 days)</h2>
${
  data.incidents.length === 0
    ? html`<p id="no-incidents">No incidents.</p>`
    : html`<ol class="incidents">${data.incidents.map(
        (i) => html`<li class="card incident" data-component="${i.component}">
<strong>${incidentTitle(i)}</strong>
<p class="muted">Started ${when(i.startedAt)}${i.resolvedAt ? html`, resolved ${when(i.resolvedAt)} (${duration(i)})` : html` · <span class="state state-down">ongoing</span>`}</p>
</li>`,
      )}</ol>`
}
</section>
<style>
.status-summary { font-size:1.2rem; font-weight:600; }
.components, .incidents { list-style:none; padding:0; display:grid; gap:.75rem; }
.component-head { display:flex; justify-content:space-between; gap:1rem; }
.state-operational { color:var(--ok); } .state-down { color:var(--bad); } .state-degraded { color:#92400e; } .state-unknown { color:var(--muted); }
.bars { display:flex; gap:2px; height:1.6rem; }
.bar { flex:1; border-radius:2px; background:var(--line); }
.bar.ok { background:#16a34a; } .bar.minor { background:#f59e0b; } .bar.major { background:#dc2626; }
</style>`,
  });
}

function incidentTitle(incident: Incident): string {
  if (incident.component === "tenants") return "A customer environment was unreachable";
  return `${NAMES[incident.component]} unavailable`;
}

function percent(value: number | null): string {
  return value === null ? "no data" : `${(Math.floor(value * 10_000) / 100).toFixed(2)} %`;
}

function barClass(value: number | null): string {
  if (value === null) return "none";
  return value >= 0.999 ? "ok" : value >= 0.99 ? "minor" : "major";
}

function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function duration(incident: Incident): string {
  const minutes = Math.max(
    1,
    Math.round(((incident.resolvedAt?.getTime() ?? Date.now()) - incident.startedAt.getTime()) / 60_000),
  );
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}
