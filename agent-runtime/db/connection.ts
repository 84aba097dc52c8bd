import postgres, { type Sql } from "postgres";

/** Connects as the tenant's role with search_path pinned to its schema (not left to the role default). */
export function connectTenantDatabase(url: string, tenantSchema: string): Sql {
  return postgres(url, {
    max: 5,
    onnotice: () => {},
    connection: { search_path: tenantSchema, application_name: "websplat-runtime" },
  });
}
