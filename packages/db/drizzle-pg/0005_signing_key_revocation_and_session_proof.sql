ALTER TABLE "sessions" ADD COLUMN "auth_time" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "auth_method" text DEFAULT 'password' NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "revoked_at" bigint;