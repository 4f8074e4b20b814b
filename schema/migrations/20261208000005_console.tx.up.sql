-- The operator's console (issue 12): who may use it, disabled accounts, the
-- form-token queue of a human session, and an audit an operator can filter.

-- A user may use the console in the groups where this is set (superusers
-- everywhere).
ALTER TABLE memberships ADD COLUMN may_use_webviewer BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split

-- A disabled user cannot log in, on a tablet or on the console; disabling
-- ends the user's sessions.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split

-- The single-use form tokens of a human session, newest first, as
-- space-separated base64 SHA-256 digests (at most 16). Empty for tablet
-- sessions.
ALTER TABLE sessions ADD COLUMN form_tokens TEXT NOT NULL DEFAULT '';
--bun:split

-- What an entry records, as a short code (login, login_failed, lockout,
-- register, upload, …), so the console can filter by it. NULL on entries
-- written before this migration.
ALTER TABLE audit_log ADD COLUMN operation VARCHAR(40);
--bun:split
CREATE INDEX audit_log_operation_idx ON audit_log (operation, id);
--bun:split
CREATE INDEX audit_log_username_idx ON audit_log (username, id);
--bun:split
CREATE INDEX audit_log_device_idx ON audit_log (device_id, id);
