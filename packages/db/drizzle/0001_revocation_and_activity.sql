CREATE TABLE `auth_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`user_agent` text,
	`ip` text,
	`session_id` text,
	`actor_session_id` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `auth_events_user_id_idx` ON `auth_events` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `rate_limits_expire_idx` ON `rate_limits` (`expire`);--> statement-breakpoint
CREATE INDEX `sessions_revoked_at_idx` ON `sessions` (`revoked_at`);--> statement-breakpoint
CREATE INDEX `sessions_idle_expires_at_idx` ON `sessions` (`idle_expires_at`);