ALTER TABLE `portal_logins` ADD `last_failed_at` integer;--> statement-breakpoint
ALTER TABLE `sign_in_throttle` ADD `subject` text;--> statement-breakpoint
ALTER TABLE `sign_in_throttle` ADD `expires_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `sign_in_throttle_subject` ON `sign_in_throttle` (`subject`);--> statement-breakpoint
CREATE INDEX `sign_in_throttle_expires` ON `sign_in_throttle` (`expires_at`);