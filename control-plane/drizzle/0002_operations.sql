CREATE TABLE "control_plane"."feedback" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"message" text NOT NULL,
	"may_contact" boolean NOT NULL,
	"page" text
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
CREATE INDEX "feedback_at_idx" ON "control_plane"."feedback" USING btree ("at");--> statement-breakpoint
CREATE INDEX "probe_hours_hour_idx" ON "control_plane"."probe_hours" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "probe_incidents_started_idx" ON "control_plane"."probe_incidents" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "probe_incidents_open_idx" ON "control_plane"."probe_incidents" USING btree ("kind","target") WHERE "control_plane"."probe_incidents"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "probe_minutes_minute_idx" ON "control_plane"."probe_minutes" USING btree ("minute");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "control_plane"."audit_log" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "stripe_events_type_idx" ON "control_plane"."stripe_events" USING btree ("type","created");