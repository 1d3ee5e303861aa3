ALTER TABLE `sessions` ADD `auth_time` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `auth_method` text DEFAULT 'password' NOT NULL;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `revoked_at` integer;