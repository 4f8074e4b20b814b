package schema

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// PatientTables are the tables of reg that PatientTablesFunction probes:
// the task tables with an integer patient_id field, in registry order.
func PatientTables(reg *registry.Registry) []*registry.Table {
	var out []*registry.Table
	for _, t := range reg.Tables() {
		if f, ok := t.Field("patient_id"); ok && f.Type == registry.Integer && t.Kind == registry.KindTask {
			out = append(out, t)
		}
	}
	return out
}

// patientTables is the function PatientTablesFunction names. As in
// nowTables, one generic plan per statement, on the index (here the patient
// index: _device_id and patient_id of current rows).
func patientTables(reg *registry.Registry) probeFunction {
	return probeFunction{
		prefix:   "tabletapi_patient_tables_",
		version:  "1", // change it with the body
		params:   "devices BIGINT[], patients BIGINT[]",
		settings: "SET plan_cache_mode = force_generic_plan SET enable_seqscan = off",
		where:    "_current AND _device_id = ANY(devices) AND patient_id = ANY(patients)",
		tables:   PatientTables(reg),
	}
}

// PatientTablesFunction is the name of the PostgreSQL function that
// SyncTables creates for reg: called with an array of device ids and an
// array of client patient ids, it returns the names of the tables of
// PatientTables(reg) that hold a current row of one of those devices whose
// patient_id is one of those ids. The console's patient view asks it which
// tables to read, so that its query spans a patient's few tables rather
// than all 130 (whose planning alone costs 60 ms).
func PatientTablesFunction(reg *registry.Registry) string { return patientTables(reg).name() }

// createPatientTables creates PatientTablesFunction(reg) on PostgreSQL
// unless it exists.
func createPatientTables(ctx context.Context, db bun.IDB, reg *registry.Registry) error {
	return patientTables(reg).create(ctx, db)
}
