ALTER TABLE `agencies` ADD `portal_origin` text;--> statement-breakpoint
ALTER TABLE `agencies` ADD `lock_after_failures` integer;--> statement-breakpoint
ALTER TABLE `agencies` ADD `lock_minutes` integer;--> statement-breakpoint
ALTER TABLE `agencies` ADD `temp_password_hours` integer;--> statement-breakpoint
ALTER TABLE `agencies` ADD `invite_link_hours` integer;--> statement-breakpoint
ALTER TABLE `agencies` ADD `default_credential_method` text;--> statement-breakpoint
ALTER TABLE `agencies` ADD `minor_own_login_age` integer;--> statement-breakpoint
ALTER TABLE `agencies` ADD `age_of_majority` integer;--> statement-breakpoint
ALTER TABLE `agencies` ADD `settings_version` integer DEFAULT 1 NOT NULL;