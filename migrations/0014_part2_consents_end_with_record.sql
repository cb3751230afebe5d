-- A representative's 42 CFR Part 2 consents end with the representation they were given for:
-- when a portal_representations row is ended (ended_at set: Representative unchecked in the
-- Portal Login window, or End link), its consents still in force are marked replaced, in the same
-- statement. The row can come back (the same login and client, ticked or linked again), but a
-- consent never does: access to a Part 2 client then waits for a consent recorded anew.
-- (A record that lapses on its end date is not ended: its consent keeps its own expiry, and a new
-- end date for the same record continues under it.)
-- A trigger's changes are not counted by changes(), so the statements chained on it are unaffected.
CREATE TRIGGER `part2_consents_end_with_record`
AFTER UPDATE OF `ended_at` ON `portal_representations`
WHEN NEW.`ended_at` IS NOT NULL AND OLD.`ended_at` IS NULL
BEGIN
  UPDATE `part2_consents` SET `superseded_at` = NEW.`ended_at`
  WHERE `representation_id` = NEW.`id` AND `revoked_at` IS NULL AND `superseded_at` IS NULL;
END;
