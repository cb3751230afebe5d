CREATE TABLE `portal_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`login_id` integer NOT NULL,
	`purpose` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`dob_failures` integer DEFAULT 0 NOT NULL,
	`dob_locked_at` integer,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`login_id`) REFERENCES `portal_logins`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `portal_tokens_hash` ON `portal_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `portal_tokens_login` ON `portal_tokens` (`login_id`,`purpose`,`created_at`);--> statement-breakpoint
CREATE INDEX `portal_tokens_expires` ON `portal_tokens` (`expires_at`);