package simtest

import (
	"fmt"
	"strings"
)

// The tables of SyntheticRegistry that a client of version 2.4.24 may not
// upload or that no task owns: they must stay empty, or, for Standalone,
// be filled on their own.
const (
	FutureTask      = "future_task"      // a task for clients from 99.0.0
	FutureTaskChild = "future_task_item" // its child, open to all clients
	FutureChild     = "task01_extra"     // a child of task01 for clients from 99.0.0
	Standalone      = "loose_notes"      // a nontask table of no task
)

// SyntheticRegistry returns a table registry in the file format of
// internal/registry, with the tables every tablet has (patient,
// patient_idnum, blobs) and tasks task tables task01, task02, …: every
// fourth one anonymous (no patient_id), every third with a picture_blobid
// field, and every other one with a child table <task>_item that refers
// to it by <task>_id. Every task and child has fields of every type
// (f_integer, f_real, …), time only if withTime. Then come the tables
// named by the constants above.
func SyntheticRegistry(tasks int, withTime bool) string {
	types := []string{"integer", "real", "text", "datetime", "date", "boolean", "blob"}
	if withTime {
		types = append(types, "time")
	}
	var b strings.Builder
	table := func(name, kind, version string, fields ...string) {
		fmt.Fprintf(&b, "table %s kind=%s pk=id min_version=%s\n", name, kind, version)
		fmt.Fprintf(&b, "    id integer\n    when_last_modified datetime\n    _move_off_tablet boolean\n")
		for _, f := range fields {
			fmt.Fprintf(&b, "    %s\n", f)
		}
		b.WriteString("\n")
	}
	typed := func(prefix string) []string {
		var out []string
		for _, t := range types {
			out = append(out, prefix+t+" "+t)
		}
		return out
	}
	table("patient", "patient", "2.0.0", "forename text", "surname text", "dob date", "sex text", "address text",
		"email text", "gp text", "other text", "uuid text")
	table("patient_idnum", "patient_idnum", "2.0.0", "patient_id integer", "which_idnum integer", "idnum_value integer")
	table("blobs", "nontask", "2.0.0", "tablename text", "tablepk integer", "fieldname text", "filename text",
		"mimetype text", "image_rotation_deg_cw integer", "theblob blob")
	for i := 1; i <= tasks; i++ {
		name := fmt.Sprintf("task%02d", i)
		fields := []string{"when_created datetime", "when_firstexit datetime", "firstexit_is_finish boolean",
			"firstexit_is_abort boolean", "editing_time_s real"}
		if i%4 != 0 {
			fields = append(fields, "patient_id integer")
		}
		if i%3 == 0 {
			fields = append(fields, "picture_blobid integer")
		}
		table(name, "task", "2.0.0", append(fields, typed("f_")...)...)
		if i%2 == 1 {
			table(name+"_item", "nontask", "2.1.0", append([]string{name + "_id integer", "seqnum integer"}, typed("item_")...)...)
		}
	}
	table(FutureTask, "task", "99.0.0", "patient_id integer", "score integer")
	table(FutureTaskChild, "nontask", "2.0.0", FutureTask+"_id integer", "score integer")
	table(FutureChild, "nontask", "99.0.0", "task01_id integer", "note text")
	table(Standalone, "nontask", "2.0.0", append([]string{"someone_id integer"}, typed("note_")...)...)
	return b.String()
}
