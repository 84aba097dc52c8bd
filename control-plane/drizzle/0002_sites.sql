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
CREATE INDEX "site_domains_slug_idx" ON "control_plane"."site_domains" USING btree ("slug","site");--> statement-breakpoint
CREATE INDEX "site_submission_queue_slug_idx" ON "control_plane"."site_submission_queue" USING btree ("slug","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sites_project_idx" ON "control_plane"."sites" USING btree ("slug","project_id");