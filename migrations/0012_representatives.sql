CREATE TABLE `part2_consents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`representation_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`client_name` text NOT NULL,
	`discloser` text NOT NULL,
	`recipient` text NOT NULL,
	`purpose` text NOT NULL,
	`information` text NOT NULL,
	`expires_on` text,
	`expiry_event` text,
	`event_occurred_at` integer,
	`signed_on` text NOT NULL,
	`signer_authority` text,
	`right_to_revoke_stated` integer NOT NULL,
	`signed_on_paper` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` integer,
	`revoked_at` integer,
	`revoked_by` integer,
	`superseded_at` integer,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`representation_id`) REFERENCES `portal_representations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revoked_by`) REFERENCES `staff_users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `part2_consents_representation` ON `part2_consents` (`representation_id`);--> statement-breakpoint
CREATE INDEX `part2_consents_client` ON `part2_consents` (`agency_id`,`client_id`);--> statement-breakpoint
CREATE TABLE `portal_representations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`login_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`name` text NOT NULL,
	`relationship` text NOT NULL,
	`relationship_other` text,
	`legal_basis` text NOT NULL,
	`start_date` text NOT NULL,
	`end_date` text,
	`guardianship` integer DEFAULT false NOT NULL,
	`ended_at` integer,
	`end_recorded_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`login_id`) REFERENCES `portal_logins`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `portal_representations_login_client` ON `portal_representations` (`login_id`,`client_id`);--> statement-breakpoint
CREATE INDEX `portal_representations_client` ON `portal_representations` (`agency_id`,`client_id`);--> statement-breakpoint
CREATE INDEX `portal_representations_end` ON `portal_representations` (`agency_id`,`end_date`);--> statement-breakpoint
CREATE TABLE `programs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`name` text NOT NULL,
	`part2` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `programs_agency_name` ON `programs` (`agency_id`,`name`);--> statement-breakpoint
ALTER TABLE `cases` ADD `minor_consented` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `portal_logins` ADD `blocked_at` integer;--> statement-breakpoint
ALTER TABLE `portal_logins` ADD `blocked_reason` text;--> statement-breakpoint
ALTER TABLE `portal_logins` ADD `blocked_by` integer;--> statement-breakpoint
ALTER TABLE `portal_sessions` ADD `client_id` integer;