#!/usr/bin/env node
// `websplat`: the admin CLI. It is written in TypeScript, which Node runs natively from version 24;
// on an older Node found first on PATH, re-run with the project's pinned Node (the `node` dev dependency).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const major = Number(process.versions.node.split(".")[0]);
if (major >= 24) {
  await import("./main.ts");
} else {
  const pinned = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
  if (!existsSync(pinned)) {
    console.error(
      `websplat needs Node 24 or later (found ${process.version}); run \`npm install\` in the project to get it.`,
    );
    process.exit(1);
  }
  const child = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  if (child.error) {
    console.error(`websplat could not start Node 24 at ${pinned}: ${child.error.message}`);
    process.exit(1);
  }
  process.exit(child.status ?? 1);
}
