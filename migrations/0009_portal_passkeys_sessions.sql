CREATE TABLE `portal_passkeys` (
	`id` text PRIMARY KEY NOT NULL,
	`login_id` integer NOT NULL,
	`agency_id` integer NOT NULL,
	`name` text NOT NULL,
	`public_key` text NOT NULL,
	`counter` integer DEFAULT 0 NOT NULL,
	`transports` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`login_id`) REFERENCES `portal_logins`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `portal_passkeys_login` ON `portal_passkeys` (`login_id`);--> statement-breakpoint
CREATE TABLE `portal_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`login_id` integer NOT NULL,
	`agency_id` integer NOT NULL,
	`session_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`device` text NOT NULL,
	`country` text,
	`city` text,
	`method` text NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`login_id`) REFERENCES `portal_logins`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `portal_sessions_login` ON `portal_sessions` (`login_id`);--> statement-breakpoint
CREATE INDEX `portal_sessions_last_seen` ON `portal_sessions` (`last_seen_at`);--> statement-breakpoint
ALTER TABLE `webauthn_challenges` ADD `owner_kind` text DEFAULT 'staff' NOT NULL;--> statement-breakpoint
ALTER TABLE `webauthn_challenges` ADD `login_id` integer;--> statement-breakpoint
ALTER TABLE `webauthn_challenges` ADD `agency_id` integer;