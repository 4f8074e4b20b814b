-- Batch hardening: the refusals of PROTOCOL 8.3.2 steps 3 and 4.

-- Takeover marks (PROTOCOL 8.3.2 step 3, 8.3.3 step 2): a row means that
-- another user rolled back this user's stale batch on this device. Until the
-- user's next start_upload or upload_entire_database clears it, the user's
-- other batch operations on the device are refused, so that they cannot
-- silently carry on in a new batch. when_utc is for people reading the table.
CREATE TABLE batch_takeovers (
    device_id BIGINT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    when_utc {{.Time}} NOT NULL,
    PRIMARY KEY (device_id, user_id)
);
--bun:split

-- When the open batch started, on the clock that receipt times are compared
-- with (PROTOCOL 8.3.2 step 4): PostgreSQL's statement_timestamp(), which
-- every gateway instance shares; on SQLite the server's own clock. NULL when
-- no batch is open, and for a batch opened before this column existed, to
-- which the rule then does not apply. ongoing_upload_batch_utc stays the
-- batch time (eras) on the server's clock.
ALTER TABLE devices ADD COLUMN batch_started_db_utc {{.Time}};
