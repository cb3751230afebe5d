CREATE TABLE `staff_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` integer NOT NULL,
	`staff_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`device` text NOT NULL,
	`address` text NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`staff_id`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `staff_sessions_staff` ON `staff_sessions` (`staff_id`,`ended_at`);--> statement-breakpoint
ALTER TABLE `staff_users` ADD `last_sign_in_at` integer;--> statement-breakpoint
ALTER TABLE `staff_users` ADD `invite_email_status` text;