package schema

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// patientTablesVersion names the body that createPatientTables writes;
// change it with the body.
const patientTablesVersion = "1"

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

// PatientTablesFunction is the name of the PostgreSQL function that
// SyncTables creates for reg: called with an array of device ids and an
// array of client patient ids, it returns the names of the tables of
// PatientTables(reg) that hold a current row of one of those devices whose
// patient_id is one of those ids. The console's patient view asks it which
// tables to read, so that its query spans a patient's few tables rather
// than all of them. A function for the reason NowTablesFunction is one:
// its statements are planned once per connection, where a query over 130
// tables costs 60 ms of planning every time (BENCHMARKS.md).
func PatientTablesFunction(reg *registry.Registry) string {
	h := sha256.New()
	h.Write([]byte(patientTablesVersion))
	for _, t := range PatientTables(reg) {
		h.Write([]byte{0})
		h.Write([]byte(t.Name))
	}
	return "tabletapi_patient_tables_" + hex.EncodeToString(h.Sum(nil)[:6])
}

// createPatientTables creates PatientTablesFunction(reg) on PostgreSQL
// unless it exists; its body depends only on what the name hashes.
func createPatientTables(ctx context.Context, db bun.IDB, reg *registry.Registry) error {
	name := PatientTablesFunction(reg)
	var exists bool
	if err := db.NewRaw("SELECT to_regproc(?) IS NOT NULL", name).Scan(ctx, &exists); err != nil {
		return fmt.Errorf("schema: look up %s: %w", name, err)
	}
	if exists {
		return nil
	}
	var b strings.Builder
	// As in createNowTables: one generic plan per statement, on the index
	// (here the patient index, _device_id and patient_id of current rows).
	fmt.Fprintf(&b, "CREATE FUNCTION %s(devices BIGINT[], patients BIGINT[]) RETURNS SETOF TEXT LANGUAGE plpgsql STABLE\n"+
		"SET plan_cache_mode = force_generic_plan SET enable_seqscan = off\n"+
		"AS $body$\nBEGIN\n", quote(name))
	for _, t := range PatientTables(reg) {
		fmt.Fprintf(&b, "  IF EXISTS (SELECT 1 FROM %s WHERE _current AND _device_id = ANY(devices) AND patient_id = ANY(patients)) THEN RETURN NEXT '%s'; END IF;\n",
			quote(t.Name), t.Name)
	}
	b.WriteString("  RETURN;\nEND\n$body$")
	if _, err := db.ExecContext(ctx, b.String()); err != nil {
		return fmt.Errorf("schema: create %s: %w", name, err)
	}
	return nil
}
