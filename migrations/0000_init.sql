CREATE TABLE `agencies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`portal_enabled` integer DEFAULT false NOT NULL,
	`timezone` text DEFAULT 'America/New_York' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agencies_slug_unique` ON `agencies` (`slug`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`case_number` text NOT NULL,
	`program` text NOT NULL,
	`opened_on` text NOT NULL,
	`closed_on` text,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cases_client` ON `cases` (`client_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_agency_number` ON `cases` (`agency_id`,`case_number`);--> statement-breakpoint
CREATE TABLE `client_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` integer,
	`actor_name` text NOT NULL,
	`change_type` text NOT NULL,
	`description` text NOT NULL,
	`details` text DEFAULT '{}' NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `client_log_client_seq` ON `client_log` (`client_id`,`seq`);--> statement-breakpoint
CREATE INDEX `client_log_client_at` ON `client_log` (`client_id`,`at`);--> statement-breakpoint
CREATE INDEX `client_log_client_type_at` ON `client_log` (`client_id`,`change_type`,`at`);--> statement-breakpoint
CREATE INDEX `client_log_agency_at` ON `client_log` (`agency_id`,`at`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`client_number` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`first_name_key` text NOT NULL,
	`last_name_key` text NOT NULL,
	`date_of_birth` text NOT NULL,
	`residence_address` text DEFAULT '' NOT NULL,
	`residence_city` text DEFAULT '' NOT NULL,
	`residence_state` text DEFAULT '' NOT NULL,
	`residence_zip` text DEFAULT '' NOT NULL,
	`residence_phone` text DEFAULT '' NOT NULL,
	`residence_email` text DEFAULT '' NOT NULL,
	`residence_homeless` integer DEFAULT false NOT NULL,
	`refused_portal_login` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clients_agency_number` ON `clients` (`agency_id`,`client_number`);--> statement-breakpoint
CREATE INDEX `clients_agency_last` ON `clients` (`agency_id`,`last_name_key`,`first_name_key`);--> statement-breakpoint
CREATE INDEX `clients_agency_first` ON `clients` (`agency_id`,`first_name_key`);--> statement-breakpoint
CREATE TABLE `portal_logins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`username` text NOT NULL,
	`username_key` text NOT NULL,
	`email` text NOT NULL,
	`representative` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`password_hash` text,
	`must_change_password` integer DEFAULT true NOT NULL,
	`temp_password_expires_at` integer,
	`session_version` integer DEFAULT 1 NOT NULL,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`last_login_at` integer,
	`email_status` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `portal_logins_agency_username` ON `portal_logins` (`agency_id`,`username_key`);--> statement-breakpoint
CREATE INDEX `portal_logins_client` ON `portal_logins` (`client_id`);--> statement-breakpoint
CREATE TABLE `sign_in_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`window_start` integer NOT NULL,
	`locked_until` integer
);
--> statement-breakpoint
CREATE TABLE `staff_users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`role` text DEFAULT 'staff' NOT NULL,
	`password_hash` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_users_email` ON `staff_users` (`email`);