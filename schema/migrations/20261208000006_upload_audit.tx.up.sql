-- The upload audit in a form the console can list (issue 12): one row per
-- committed upload beside its audit_log entry, which keeps the device, the
-- user and the commit time, and one row per table the upload changed. The
-- text of audit_log.details stays as PROTOCOL 8.9 words it.

-- batch_utc is the batch's time (its start); method says how the tablet
-- uploaded, in words an operator reads: "multi-step", "one-step", each
-- possibly ", preserving".
CREATE TABLE audit_uploads (
    audit_id BIGINT PRIMARY KEY REFERENCES audit_log (id) ON DELETE CASCADE,
    batch_utc {{.Time}} NOT NULL,
    method VARCHAR(40) NOT NULL
);
--bun:split

-- The records an upload added, modified (moved out in favour of a new
-- version), deleted and preserved in one table; tables it left alone have
-- no row.
CREATE TABLE audit_upload_tables (
    audit_id BIGINT NOT NULL REFERENCES audit_uploads (audit_id) ON DELETE CASCADE,
    tablename VARCHAR(191) NOT NULL,
    added INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    preserved INTEGER NOT NULL,
    PRIMARY KEY (audit_id, tablename)
);
