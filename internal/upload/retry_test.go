package upload_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// patientRecord is one patient record: client PK id, modified at minute
// wlm of the client's clock, with a forename and its _move_off_tablet flag.
type patientRecord struct {
	id, wlm  int
	forename string
	moveOff  bool
}

var patientFields = []string{"id", "when_last_modified", "_move_off_tablet", "forename"}

func (r patientRecord) values() []string {
	return []string{strconv.Itoa(r.id), fmt.Sprintf("'2020-02-01T09:%02d:00.000+00:00'", r.wlm), flag(r.moveOff), "'" + r.forename + "'"}
}

// tabletData is a tablet's patients and bmi records.
type tabletData struct {
	patients []patientRecord
	bmis     []bmiRecord
}

// oneStep is the one-step upload of d by alice at +at.
func (d tabletData) oneStep(at time.Duration, finalizing bool) []step {
	form := oneStepFormOf(finalizing, jsonRows(patientFields, d.patients), jsonRows(bmiFields, d.bmis))
	return []step{{o: uploadEntireDB, user: "alice", at: at, form: form}}
}

// multiStep is the multi-step upload of d by alice from +at, a request a
// minute; a Move (start_preservation) if finalizing.
func (d tabletData) multiStep(at time.Duration, finalizing bool) []step {
	steps := []step{{o: startUpload, user: "alice", at: at}}
	if finalizing {
		steps = append(steps, step{o: startPreservation, user: "alice", at: at})
	}
	return append(steps,
		step{o: uploadTable, user: "alice", at: at + time.Minute, form: tableFormOf("patient", patientFields, d.patients)},
		step{o: uploadTable, user: "alice", at: at + 2*time.Minute, form: tableForm(d.bmis...)},
		step{o: endUpload, user: "alice", at: at + 3*time.Minute})
}

// TestPureRetry: the pure-retry rule of PROTOCOL 8.4.2, by a multi-step
// commit and at the end of a one-step upload alike. After a Move of
// patient 1 and its bmi 1, the same upload again stores nothing. An
// upload that met the already-received bmi 1 but also inserts a patient
// without a preserved twin, preserves a row stored before (a bmi, or a
// patient while the one patient it inserts is flagged, which one-step
// preserves at once, before the finalizing preservation of the table), or
// as a Copy flags a row stored before, is no retry and stores its patients
// again.
func TestPureRetry(t *testing.T) {
	ann, bob := patientRecord{id: 1, forename: "Ann"}, patientRecord{id: 2, forename: "Bob"}
	move := tabletData{patients: []patientRecord{ann}, bmis: []bmiRecord{{id: 1}}}
	for _, tc := range []struct {
		name  string
		setup tabletData // uploaded, without preserving, after the Move
		retry tabletData // uploaded as a Move
		copy  bool       // upload the retry as a Copy (not preserving) instead
		audit string     // the retry's
	}{{
		name:  "Repeat",
		retry: move,
		audit: "No changes",
	}, {
		name:  "NewPatient",
		retry: tabletData{patients: []patientRecord{ann, bob}, bmis: []bmiRecord{{id: 1}}},
		audit: "patient (2 added, PKs [2, 3]; 0 modified out, PKs []; 0 deleted, PKs []; 2 preserved, PKs [2, 3]; current PKs [2, 3])",
	}, {
		name:  "PreservesStoredRow",
		setup: tabletData{bmis: []bmiRecord{{id: 2}}},
		retry: tabletData{patients: []patientRecord{ann}, bmis: []bmiRecord{{id: 1}, {id: 2}}},
		audit: "patient (1 added, PKs [2]; 0 modified out, PKs []; 0 deleted, PKs []; 1 preserved, PKs [2]; current PKs [2]), " +
			"bmi (0 added, PKs []; 0 modified out, PKs []; 0 deleted, PKs []; 1 preserved, PKs [2]; current PKs [2])",
	}, {
		name:  "PreservesStoredPatient",
		setup: tabletData{patients: []patientRecord{{id: 3, forename: "Cy"}}},
		retry: tabletData{patients: []patientRecord{{id: 1, forename: "Ann", moveOff: true}, {id: 3, forename: "Cy"}}, bmis: []bmiRecord{{id: 1}}},
		audit: "patient (1 added, PKs [3]; 0 modified out, PKs []; 0 deleted, PKs []; 2 preserved, PKs [2, 3]; current PKs [2, 3])",
	}, {
		name:  "FlagsStoredRow",
		setup: tabletData{bmis: []bmiRecord{{id: 2}}},
		retry: tabletData{patients: []patientRecord{ann}, bmis: []bmiRecord{{id: 1}, {id: 2, moveOff: true}}},
		copy:  true,
		audit: "patient (1 added, PKs [2]; 0 modified out, PKs []; 0 deleted, PKs []; 0 preserved, PKs []; current PKs [2]), " +
			"bmi (0 added, PKs []; 0 modified out, PKs []; 0 deleted, PKs []; 1 preserved, PKs [2]; current PKs [2])",
	}} {
		for _, path := range []struct {
			name   string
			upload func(d tabletData, at time.Duration, finalizing bool) []step
		}{
			{"MultiStep", tabletData.multiStep},
			{"OneStep", tabletData.oneStep},
		} {
			t.Run(tc.name+"/"+path.name, func(t *testing.T) {
				t.Parallel()
				f := mustFixture(t)
				f.runSteps(t, path.upload(move, 0, true))
				if tc.setup.patients != nil || tc.setup.bmis != nil {
					f.runSteps(t, path.upload(tc.setup, 10*time.Minute, false))
				}
				f.runSteps(t, path.upload(tc.retry, 20*time.Minute, !tc.copy))
				audits := f.audits(t)
				wantLines(t, "the retry's audit", audits[len(audits)-1:],
					[]string{fmt.Sprintf("Upload from device %d, username 'alice': %s", f.deviceID, tc.audit)})
			})
		}
	}
}
