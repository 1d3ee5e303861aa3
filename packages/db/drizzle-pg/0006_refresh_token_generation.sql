ALTER TABLE "refresh_tokens" ADD COLUMN "generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "refresh_tokens_session_generation_idx" ON "refresh_tokens" USING btree ("session_id","generation");--> statement-breakpoint
DROP INDEX "refresh_tokens_session_id_idx";
