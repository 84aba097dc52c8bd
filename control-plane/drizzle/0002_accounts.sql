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
CREATE TABLE "control_plane"."local_portal_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"return_url" text NOT NULL,
	"sites" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "email_links_expires_idx" ON "control_plane"."email_links" USING btree ("expires_at");