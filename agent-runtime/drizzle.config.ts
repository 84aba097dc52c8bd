import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./agent-runtime/db/schema.ts",
  out: "./agent-runtime/drizzle",
});
