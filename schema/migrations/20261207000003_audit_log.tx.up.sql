-- The gateway's audit table was called "audit", which is also the name of a
-- CamCOPS task's client table (the AUDIT questionnaire). Client tables take
-- their names from the registry, so the gateway's table moves aside.
ALTER TABLE audit RENAME TO audit_log;
