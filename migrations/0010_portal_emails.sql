CREATE TABLE `portal_emails` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agency_id` integer NOT NULL,
	`client_id` integer NOT NULL,
	`login_id` integer NOT NULL,
	`kind` text NOT NULL,
	`to_address` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`message_id` text,
	`expires_at` integer,
	`facts` text,
	`resend_of` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`login_id`) REFERENCES `portal_logins`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `portal_emails_client` ON `portal_emails` (`agency_id`,`client_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `portal_emails_login` ON `portal_emails` (`login_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `portal_logins` ADD `credential_method` text DEFAULT 'password' NOT NULL;