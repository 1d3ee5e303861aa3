ALTER TABLE "oauth_requests" ADD COLUMN "purpose" text DEFAULT 'sign_in' NOT NULL;--> statement-breakpoint
ALTER TABLE "pending_sign_ins" ADD COLUMN "first_factor" text DEFAULT 'password' NOT NULL;--> statement-breakpoint
-- Requests in flight across the upgrade: those with a signed-in user were links.
UPDATE "oauth_requests" SET "purpose" = 'link' WHERE "user_id" IS NOT NULL;