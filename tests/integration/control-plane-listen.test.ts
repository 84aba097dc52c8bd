import { Hono } from "hono";
import { expect, test } from "vitest";
import { loadConfig } from "../../control-plane/config.ts";
import { listen } from "../../control-plane/start/listen.ts";

test("the port is bound before start finishes: the public URL names it, and requests meanwhile are told to retry", async () => {
  const listening = await listen(loadConfig({ PORT: "0" }));
  try {
    expect(listening.port).toBeGreaterThan(0);
    expect(listening.publicUrl).toBe(`http://localhost:${listening.port}`);
    expect(listening.publicPort).toBe(listening.port);
    const early = await fetch(`http://127.0.0.1:${listening.port}/healthz`);
    expect(early.status).toBe(503);
    expect(early.headers.get("retry-after")).toBe("1");
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe("starting");

    listening.serve(new Hono().get("/healthz", (c) => c.text("ok")));
    const ready = await fetch(`http://127.0.0.1:${listening.port}/healthz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe("ok");
  } finally {
    await listening.close();
    await listening.close();
  }
});

test("a public URL that is configured is kept, with the port tenant URLs carry", async () => {
  const listening = await listen(loadConfig({ PORT: "0", WEBSPLAT_PUBLIC_URL: "https://websp.lat" }));
  try {
    expect(listening.publicUrl).toBe("https://websp.lat");
    expect(listening.publicPort).toBeUndefined();
  } finally {
    await listening.close();
  }
});
