ALTER TABLE `oauth_requests` ADD `dpop_jkt` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `dpop_jkt` text;