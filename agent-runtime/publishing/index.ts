import type { RuntimeConfig } from "../config.ts";
import type { Database } from "../db/index.ts";
import { PlatformClient } from "./platform.ts";
import { Publishing } from "./service.ts";

export { type Publications, Publishing, submissionsCsv } from "./service.ts";

export function publishingFor(db: Database, config: RuntimeConfig): Publishing {
  return new Publishing(db, config.publishing ? new PlatformClient(config.publishing) : null);
}
