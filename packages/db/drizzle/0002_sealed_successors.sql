ALTER TABLE `refresh_tokens` ADD `successor_sealed` text;--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `rotated_by` text;--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `grace_hits` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `refresh_tokens_pending_successor_idx` ON `refresh_tokens` (`replaced_at`) WHERE "refresh_tokens"."successor_sealed" is not null;--> statement-breakpoint
ALTER TABLE `sessions` DROP COLUMN `rotation_secret`;