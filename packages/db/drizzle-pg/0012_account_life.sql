ALTER TABLE "email_tokens" ADD COLUMN "address" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deleted_at" bigint;--> statement-breakpoint
CREATE INDEX "email_tokens_address_idx" ON "email_tokens" USING btree ("address");