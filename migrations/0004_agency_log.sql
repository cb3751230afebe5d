CREATE TABLE `agency_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` integer,
	`actor_name` text NOT NULL,
	`action` text NOT NULL,
	`description` text NOT NULL,
	`details` text DEFAULT '{}' NOT NULL,
	`ip_address` text,
	`user_agent` text,
	`prev_hash` text NOT NULL,
	`key_id` text NOT NULL,
	`hash` text NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agency_log_agency_seq` ON `agency_log` (`agency_id`,`seq`);--> statement-breakpoint
CREATE INDEX `agency_log_agency_at` ON `agency_log` (`agency_id`,`at`,`seq`);--> statement-breakpoint
CREATE INDEX `agency_log_agency_action_at` ON `agency_log` (`agency_id`,`action`,`at`,`seq`);