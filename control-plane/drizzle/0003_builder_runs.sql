CREATE TABLE "control_plane"."builder_runs" (
	"slug" text NOT NULL,
	"run_id" text NOT NULL,
	"status" text NOT NULL,
	"prompt_tokens" integer NOT NULL,
	"completion_tokens" integer NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "builder_runs_slug_run_id_pk" PRIMARY KEY("slug","run_id")
);
--> statement-breakpoint
CREATE INDEX "builder_runs_finished_at_idx" ON "control_plane"."builder_runs" USING btree ("finished_at");