ALTER TABLE "oauth_requests" ADD COLUMN "dpop_jkt" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "dpop_jkt" text;