import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { updateSpec } from "../../agents/spec.ts";
import type { Workflow } from "../../agents/workflow.ts";
import type { RunEvent, RunEventLog } from "../../runs/events.ts";
import type { BuilderService } from "../../runs/service.ts";
import { finishedStatuses } from "../../runs/status.ts";
import { parseBody } from "../validate.ts";

const input = z.discriminatedUnion("type", [
  z.object({ type: z.literal("approve") }),
  z.object({ type: z.literal("reject"), feedback: z.string().trim().min(1) }),
  z.object({ type: z.literal("answer"), text: z.string().trim().min(1) }),
  z.object({ type: z.literal("accept_suggestion"), interruptId: z.uuid() }),
  z.object({ type: z.literal("continue") }),
  z.object({ type: z.literal("steer"), text: z.string().trim().min(1) }),
  z.object({ type: z.literal("resume") }),
]);

export function runRoutes(service: BuilderService, events: RunEventLog) {
  return new Hono()
    .get("/:id", async (c) => c.json({ run: await service.runView(c.req.param("id")) }))
    .post("/:id/stop", async (c) => {
      await service.stop(c.req.param("id"));
      return c.json({ run: await service.runView(c.req.param("id")) });
    })
    .post("/:id/input", async (c) => {
      const id = c.req.param("id");
      const body = await parseBody(c, input);
      let extra: Record<string, unknown> = {};
      switch (body.type) {
        case "approve":
          await service.resolve(id, ["plan_approval"], (wf) => ({ ...wf, stage: "design" }), {
            approved: true,
          });
          break;
        case "reject":
          await service.resolve(
            id,
            ["plan_approval"],
            (wf) => ({
              ...wf,
              stage: "plan",
              spec: updateSpec(wf.spec, body.feedback),
              planFeedback: body.feedback,
              previousPlan: wf.plan,
            }),
            { approved: false, feedback: body.feedback },
          );
          break;
        case "answer":
          await service.resolve(
            id,
            ["question"],
            (wf, payload) => answered(wf, (payload as { questions: string[] }).questions, body.text),
            { text: body.text },
          );
          break;
        case "continue":
          await service.resolve(
            id,
            ["budget", "loop"],
            (wf, payload) => continued(wf, payload as { reason: string }),
            { continue: true },
          );
          break;
        case "accept_suggestion":
          extra = await service.acceptSuggestion(id, body.interruptId);
          break;
        case "steer":
          await service.steer(id, body.text);
          break;
        case "resume":
          await service.resume(id);
          break;
      }
      return c.json({ run: await service.runView(id), ...extra }, 202);
    })
    .get("/:id/events", async (c) => {
      const run = await service.run(c.req.param("id"));
      const from = Number(c.req.header("last-event-id") ?? c.req.query("lastEventId") ?? 0) || 0;
      return streamSSE(c, async (stream) => {
        let lastId = from;
        let woken: () => void = () => {};
        const live: RunEvent[] = [];
        const unsubscribe = events.subscribe(run.id, (event) => {
          if (event) live.push(event);
          woken();
        });
        stream.onAbort(unsubscribe);
        try {
          while (!stream.aborted) {
            for (const row of await events.after(run.id, lastId)) {
              await stream.writeSSE({ id: String(row.id), event: row.type, data: JSON.stringify(row.data) });
              lastId = row.id;
              if (
                row.type === "run_status" &&
                finishedStatuses.includes((row.data as { status: never }).status)
              )
                return;
            }
            for (const event of live.splice(0))
              await stream.writeSSE({ event: event.type, data: JSON.stringify(event.data) });
            // Woken by this process's commits; the timeout also catches another replica's.
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 1000);
              woken = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
        } finally {
          unsubscribe();
        }
      });
    });
}

function answered(wf: Workflow, questions: string[], text: string): Workflow {
  return {
    ...wf,
    stage: "plan",
    spec: updateSpec(wf.spec, text),
    answers: [...wf.answers, ...questions.map((question) => ({ question, answer: text }))],
  };
}

function continued(wf: Workflow, payload: { reason: string }): Workflow {
  switch (payload.reason) {
    case "run":
      return { ...wf, tokenAllowance: wf.tokenAllowance * 2 };
    case "steps":
      return { ...wf, stepAllowance: wf.stepAllowance + Math.max(4, wf.stepsTaken) };
    case "loop":
      return { ...wf, recentActions: [] };
    default:
      return wf;
  }
}
