ALTER TABLE `email_tokens` ADD `address` text;--> statement-breakpoint
CREATE INDEX `email_tokens_address_idx` ON `email_tokens` (`address`);--> statement-breakpoint
ALTER TABLE `users` ADD `deleted_at` integer;