CREATE SCHEMA "control_plane";
--> statement-breakpoint
CREATE TABLE "control_plane"."audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"slug" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "control_plane"."local_checkouts" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"email" text NOT NULL,
	"tier" text NOT NULL,
	"customer_id" text NOT NULL,
	"success_url" text NOT NULL,
	"cancel_url" text NOT NULL,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control_plane"."operation_logs" (
	"operation_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"level" text NOT NULL,
	"step" text,
	"message" text NOT NULL,
	CONSTRAINT "operation_logs_operation_id_seq_pk" PRIMARY KEY("operation_id","seq")
);
--> statement-breakpoint
CREATE TABLE "control_plane"."operations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"generation" integer,
	"attempt" integer DEFAULT 0 NOT NULL,
	"reason" text NOT NULL,
	"error" jsonb,
	"result" jsonb,
	"job_id" text,
	"instance_key" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "control_plane"."stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"created" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	"object_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"outcome" text,
	"tenant_slug" text
);
--> statement-breakpoint
CREATE TABLE "control_plane"."tenants" (
	"slug" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"tier" text NOT NULL,
	"desired" text NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"status" text NOT NULL,
	"observed_generation" integer DEFAULT 0 NOT NULL,
	"last_error" jsonb,
	"outputs" jsonb,
	"grace" boolean DEFAULT false NOT NULL,
	"stripe_customer_id" text,
	"stripe_subscription_id" text,
	"subscription_event_at" bigint,
	"invoice_event_at" bigint,
	"welcome_key_hash" text,
	"reserved_until" timestamp with time zone,
	"delete_after" timestamp with time zone,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "control_plane"."operation_logs" ADD CONSTRAINT "operation_logs_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "control_plane"."operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_slug_idx" ON "control_plane"."audit_log" USING btree ("slug","at");--> statement-breakpoint
CREATE INDEX "operations_slug_idx" ON "control_plane"."operations" USING btree ("slug","created_at");--> statement-breakpoint
CREATE INDEX "operations_open_idx" ON "control_plane"."operations" USING btree ("status") WHERE "control_plane"."operations"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "stripe_events_object_idx" ON "control_plane"."stripe_events" USING btree ("object_id","created");--> statement-breakpoint
CREATE INDEX "stripe_events_pending_idx" ON "control_plane"."stripe_events" USING btree ("received_at") WHERE "control_plane"."stripe_events"."processed_at" is null;--> statement-breakpoint
CREATE INDEX "tenants_status_idx" ON "control_plane"."tenants" USING btree ("status");--> statement-breakpoint
CREATE INDEX "tenants_created_idx" ON "control_plane"."tenants" USING btree ("created_at","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_subscription_idx" ON "control_plane"."tenants" USING btree ("stripe_subscription_id") WHERE "control_plane"."tenants"."stripe_subscription_id" is not null;--> statement-breakpoint
CREATE INDEX "tenants_customer_idx" ON "control_plane"."tenants" USING btree ("stripe_customer_id");--> statement-breakpoint
CREATE INDEX "tenants_lagging_idx" ON "control_plane"."tenants" USING btree ("slug") WHERE "control_plane"."tenants"."observed_generation" < "control_plane"."tenants"."generation" or "control_plane"."tenants"."delete_after" is not null;