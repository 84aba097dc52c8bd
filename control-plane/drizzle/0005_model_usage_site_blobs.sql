CREATE TABLE "control_plane"."model_usage" (
	"slug" text NOT NULL,
	"month" date NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"calls" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "model_usage_slug_month_pk" PRIMARY KEY("slug","month")
);
--> statement-breakpoint
CREATE TABLE "control_plane"."site_blobs" (
	"slug" text NOT NULL,
	"hash" text NOT NULL,
	"bytes" bigint NOT NULL,
	"touched_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_blobs_slug_hash_pk" PRIMARY KEY("slug","hash")
);
