-- Single-patient mode (PROTOCOL 6.3, 6.7): task schedules, their items, and
-- their assignments to server-created patients. The server's patients
-- themselves are rows of the registry tables patient and patient_idnum,
-- owned by the device "server"; a group's intellectual-property-use flags
-- are the ip_use_* columns of groups.

-- A task schedule: a named list of tasks that a group's patients are asked
-- to complete. Names are unique within a group.
CREATE TABLE task_schedules (
    id {{.PK}},
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    name VARCHAR(191) NOT NULL,
    UNIQUE (group_id, name)
);
--bun:split

-- One task of a schedule: the client table of the task, due from
-- start + due_from_days until start + due_from_days + due_within_days.
CREATE TABLE task_schedule_items (
    id {{.PK}},
    schedule_id BIGINT NOT NULL REFERENCES task_schedules (id) ON DELETE CASCADE,
    table_name VARCHAR(191) NOT NULL,
    due_from_days INTEGER NOT NULL CHECK (due_from_days >= 0),
    due_within_days INTEGER NOT NULL CHECK (due_within_days >= 1)
);
--bun:split
CREATE INDEX task_schedule_items_schedule_idx ON task_schedule_items (schedule_id);
--bun:split

-- A schedule assigned to a server patient. patient_pk is the _pk of the
-- patient row; the patient table comes from the registry, created after the
-- migrations, so it cannot be a foreign key. start_utc is NULL until the
-- patient's first get_task_schedules sets it (PROTOCOL 6.7). settings is a
-- JSON object keyed by table name.
CREATE TABLE patient_task_schedules (
    id {{.PK}},
    patient_pk BIGINT NOT NULL,
    schedule_id BIGINT NOT NULL REFERENCES task_schedules (id) ON DELETE CASCADE,
    start_utc {{.Time}},
    settings TEXT NOT NULL DEFAULT '{}',
    UNIQUE (patient_pk, schedule_id)
);
