package sim

import (
	"fmt"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// plan is what a tablet fills: the tables of its schema that its client
// version may upload, whose client PK is id (the PK name the client
// sends), by role. A table a newer client needs stays empty, as on a real
// tablet of that version, which would not have it.
type plan struct {
	tasks        []string            // task tables
	patientTasks []string            // the task tables with a patient_id field
	children     map[string][]string // task table → its child tables
	standalone   []string            // nontask tables with no parent task, blobs aside
	blobs        bool                // whether the tablet may store BLOBs
}

// newPlan returns the plan of a tablet with schema s and client version
// version. It fails if the version may not upload patients or any task.
func newPlan(s *Schema, version string) (*plan, error) {
	usable := func(name string) bool {
		d := s.tables[name]
		return d.pk == FieldID && versionAtLeast(version, d.minVersion)
	}
	for _, table := range []string{TablePatient, TablePatientIDNum} {
		if !usable(table) {
			return nil, fmt.Errorf("sim: client version %s may not upload table %s (minimum %s)", version, table, s.tables[table].minVersion)
		}
	}
	p := &plan{children: map[string][]string{}}
	for _, name := range s.Tasks() {
		if !usable(name) {
			continue
		}
		p.tasks = append(p.tasks, name)
		if s.tables[name].has(FieldPatient, registry.Integer) {
			p.patientTasks = append(p.patientTasks, name)
		}
		for _, c := range s.tables[name].children {
			if usable(c) {
				p.children[name] = append(p.children[name], c)
			}
		}
	}
	if len(p.tasks) == 0 {
		return nil, fmt.Errorf("sim: none of the %d task tables of the registry may be uploaded by client version %s",
			len(s.Tasks()), version)
	}
	for _, name := range s.names {
		d := s.tables[name]
		if d.kind == registry.KindNonTask && d.parent == "" && name != TableBlobs && usable(name) {
			p.standalone = append(p.standalone, name)
		}
	}
	if b := s.tables[TableBlobs]; b != nil && usable(TableBlobs) {
		p.blobs = b.has("tablename", registry.Text) && b.has("tablepk", registry.Integer) &&
			b.has("fieldname", registry.Text) && b.has("theblob", registry.Blob)
	}
	return p, nil
}
