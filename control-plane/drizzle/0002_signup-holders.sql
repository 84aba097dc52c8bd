ALTER TABLE "control_plane"."local_checkouts" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "welcome_key_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "welcome_link_issued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "checkout_session_id" text;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "reserved_by_email" text;--> statement-breakpoint
ALTER TABLE "control_plane"."tenants" ADD COLUMN "reserved_by_client" text;--> statement-breakpoint
CREATE INDEX "tenants_reservations_idx" ON "control_plane"."tenants" USING btree ("reserved_until") WHERE "control_plane"."tenants"."status" = 'awaiting_payment';