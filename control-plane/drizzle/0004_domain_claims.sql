ALTER TABLE "control_plane"."site_domains" DROP CONSTRAINT "site_domains_pkey";--> statement-breakpoint
ALTER TABLE "control_plane"."site_domains" ADD CONSTRAINT "site_domains_hostname_slug_pk" PRIMARY KEY("hostname","slug");--> statement-breakpoint
ALTER TABLE "control_plane"."site_domains" ADD COLUMN "verified_at" timestamp with time zone;--> statement-breakpoint
UPDATE "control_plane"."site_domains" SET "verified_at" = coalesce("checked_at", "created_at") WHERE "status" IN ('verified', 'active');--> statement-breakpoint
CREATE UNIQUE INDEX "site_domains_held_idx" ON "control_plane"."site_domains" USING btree ("hostname") WHERE "control_plane"."site_domains"."verified_at" is not null;
