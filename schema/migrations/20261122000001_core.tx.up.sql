-- Core tables of the gateway: accounts, devices, sessions, login security, audit.
-- Written once for both dialects; the PK, Time and Bytes template fields expand per dialect.
-- Statements are separated by bun's split directive.

CREATE TABLE groups (
    id {{.PK}},
    name VARCHAR(191) NOT NULL UNIQUE,
    description TEXT,
    upload_policy TEXT,
    finalize_policy TEXT,
    ip_use_clinical BOOLEAN NOT NULL DEFAULT FALSE,
    ip_use_commercial BOOLEAN NOT NULL DEFAULT FALSE,
    ip_use_educational BOOLEAN NOT NULL DEFAULT FALSE,
    ip_use_research BOOLEAN NOT NULL DEFAULT FALSE
);
--bun:split

CREATE TABLE users (
    id {{.PK}},
    username VARCHAR(191) NOT NULL UNIQUE,
    hashedpw TEXT NOT NULL DEFAULT '',
    upload_group_id BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    superuser BOOLEAN NOT NULL DEFAULT FALSE,
    auto_generated BOOLEAN NOT NULL DEFAULT FALSE,
    single_patient_pk BIGINT,
    when_password_changed_utc {{.Time}}
);
--bun:split

CREATE TABLE memberships (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    may_upload BOOLEAN NOT NULL DEFAULT FALSE,
    may_register_devices BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, group_id)
);
--bun:split

CREATE TABLE idnum_definitions (
    which_idnum BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    short_description TEXT NOT NULL,
    validation_method VARCHAR(50)
);
--bun:split

CREATE TABLE devices (
    id {{.PK}},
    name VARCHAR(191) NOT NULL UNIQUE,
    friendly_name TEXT,
    camcops_version VARCHAR(100),
    registered_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    when_registered_utc {{.Time}},
    last_upload_batch_utc {{.Time}},
    ongoing_upload_batch_utc {{.Time}},
    uploading_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    currently_preserving BOOLEAN NOT NULL DEFAULT FALSE,
    batch_last_activity_utc {{.Time}},
    batch_already_received BOOLEAN NOT NULL DEFAULT FALSE
);
--bun:split

-- The device that owns server-created patients (PROTOCOL 8.2).
INSERT INTO devices (name, friendly_name) VALUES ('server', 'Server');
--bun:split

-- The dirty set of each device's open batch (PROTOCOL 8.2).
CREATE TABLE dirty_tables (
    device_id BIGINT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    tablename VARCHAR(191) NOT NULL,
    PRIMARY KEY (device_id, tablename)
);
--bun:split

CREATE TABLE sessions (
    id {{.PK}},
    token_sha256 {{.Bytes}} NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ip_address VARCHAR(45) NOT NULL DEFAULT '',
    created_at_utc {{.Time}} NOT NULL,
    last_activity_utc {{.Time}} NOT NULL,
    is_api_session BOOLEAN NOT NULL DEFAULT FALSE
);
--bun:split
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
--bun:split
CREATE INDEX sessions_last_activity_idx ON sessions (last_activity_utc);
--bun:split

CREATE TABLE login_failures (
    id {{.PK}},
    username VARCHAR(191) NOT NULL,
    when_utc {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX login_failures_username_idx ON login_failures (username);
--bun:split

CREATE TABLE lockouts (
    username VARCHAR(191) PRIMARY KEY,
    locked_until_utc {{.Time}} NOT NULL
);
--bun:split

CREATE TABLE audit (
    id {{.PK}},
    when_utc {{.Time}} NOT NULL,
    source VARCHAR(20) NOT NULL,
    remote_addr VARCHAR(45),
    user_id BIGINT,
    username VARCHAR(191),
    device_id BIGINT,
    details TEXT NOT NULL
);
--bun:split
CREATE INDEX audit_when_idx ON audit (when_utc);
