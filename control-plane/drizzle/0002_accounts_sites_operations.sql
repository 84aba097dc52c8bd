CREATE TABLE "control_plane"."email_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"email" text NOT NULL,
	"slugs" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control_plane"."feedback" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"message" text NOT NULL,
	"may_contact" boolean NOT NULL,
	"page" text
);
--> statement-breakpoint
CREATE TABLE "control_plane"."local_portal_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"return_url" text NOT NULL,
	"sites" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control_plane"."probe_hours" (
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"checks" integer NOT NULL,
	"failures" integer NOT NULL,
	"idle" integer DEFAULT 0 NOT NULL,
	"latency_ms_sum" bigint NOT NULL,
	"latency_ms_max" integer NOT NULL,
	CONSTRAINT "probe_hours_kind_target_hour_pk" PRIMARY KEY("kind","target","hour")
);
--> statement-breakpoint
CREATE TABLE "control_plane"."probe_incidents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "control_plane"."probe_minutes" (
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"checks" integer NOT NULL,
	"failures" integer NOT NULL,
	"idle" integer DEFAULT 0 NOT NULL,
	"latency_ms_sum" integer NOT NULL,
	"latency_ms_max" integer NOT NULL,
	"last_status" integer,
	"last_error" text,
	CONSTRAINT "probe_minutes_kind_target_minute_pk" PRIMARY KEY("kind","target","minute")
);
--> statement-breakpoint
CREATE TABLE "control_plane"."probe_targets" (
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"state" text NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"alerting" boolean DEFAULT false NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"last_checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_latency_ms" integer,
	"last_error" text,
	CONSTRAINT "probe_targets_kind_target_pk" PRIMARY KEY("kind","target")
);
--> statement-breakpoint
CREATE TABLE "control_plane"."site_domains" (
	"hostname" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"site" text NOT NULL,
	"token" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"reason" text,
	"checked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control_plane"."site_submission_queue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"site" text NOT NULL,
	"form" text NOT NULL,
	"page" text NOT NULL,
	"fields" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control_plane"."site_versions" (
	"slug" text NOT NULL,
	"site" text NOT NULL,
	"version" integer NOT NULL,
	"checkpoint_id" text NOT NULL,
	"files" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_versions_slug_site_version_pk" PRIMARY KEY("slug","site","version")
);
--> statement-breakpoint
CREATE TABLE "control_plane"."sites" (
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"project_id" text NOT NULL,
	"live_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sites_slug_name_pk" PRIMARY KEY("slug","name")
);
--> statement-breakpoint
ALTER TABLE "control_plane"."local_checkouts" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "welcome_key_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "welcome_link_issued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "checkout_session_id" text;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "reserved_by_email" text;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "reserved_by_client" text;--> statement-breakpoint
CREATE INDEX "email_links_expires_idx" ON "control_plane"."email_links" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "feedback_at_idx" ON "control_plane"."feedback" USING btree ("at");--> statement-breakpoint
CREATE INDEX "probe_hours_hour_idx" ON "control_plane"."probe_hours" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "probe_incidents_started_idx" ON "control_plane"."probe_incidents" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "probe_incidents_open_idx" ON "control_plane"."probe_incidents" USING btree ("kind","target") WHERE "control_plane"."probe_incidents"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "probe_minutes_minute_idx" ON "control_plane"."probe_minutes" USING btree ("minute");--> statement-breakpoint
CREATE INDEX "site_domains_slug_idx" ON "control_plane"."site_domains" USING btree ("slug","site");--> statement-breakpoint
CREATE INDEX "site_submission_queue_slug_idx" ON "control_plane"."site_submission_queue" USING btree ("slug","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sites_project_idx" ON "control_plane"."sites" USING btree ("slug","project_id");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "control_plane"."audit_log" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "stripe_events_type_idx" ON "control_plane"."stripe_events" USING btree ("type","created");--> statement-breakpoint
CREATE INDEX "tenants_reservations_idx" ON "control_plane"."tenants" USING btree ("reserved_until") WHERE "control_plane"."tenants"."status" = 'awaiting_payment';