package main_test

import (
	"fmt"
	"strings"
	"testing"
)

// End-to-end tests of the recordwise path (PROTOCOL 6.15–6.17): BLOBs
// sent with delete_where_key_not, which_keys_to_send and upload_record.
// The upload fixture comes from multistep_test.go.

// Distinct when_last_modified instants of the BLOB tests, as the client
// sends them in datevalues (unquoted).
const (
	blobWLM1 = "2024-05-01T09:31:00.000+01:00"
	blobWLM2 = "2024-05-02T09:31:00.000+01:00"
	blobWLM3 = "2024-05-03T09:31:00.000+01:00"
	blobWLM4 = "2024-05-04T09:31:00.000+01:00"
)

// blobRecord is a blobs record in blobFields order; moveOff is a literal.
func blobRecord(id int, moveOff, wlm string) string {
	return fmt.Sprintf("%d,%s,'%s','bmi',1,'photo_blobid',NULL,'image/png',64'iVBORw0KGgo=',0", id, moveOff, wlm)
}

// record sends upload_record for blobs and expects want.
func (f *uploadFixture) record(t *testing.T, values, want string) {
	t.Helper()
	f.s.step(t, f.c, "upload_record", uploadRecordParams(values), want)
}

func uploadRecordParams(values string) map[string]string {
	return map[string]string{"table": "blobs", "pkname": "id", "fields": blobFields, "values": values}
}

// recordwiseSetup gives a fixture whose device has committed BLOBs 1..n, BLOB i
// with blobWLM<i> and _move_off_tablet 0.
func recordwiseSetup(t *testing.T, n int) *uploadFixture {
	t.Helper()
	f := newUploadFixture(t)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	for i := 1; i <= n; i++ {
		f.record(t, blobRecord(i, "0", blobDates[i]), "UPLOAD-INSERT")
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	return f
}

var blobDates = map[int]string{1: blobWLM1, 2: blobWLM2, 3: blobWLM3, 4: blobWLM4}

// whichKeysParams returns which_keys_to_send parameters for blobs; a nil moveOff
// leaves move_off_tablet_values out.
func whichKeysParams(pks, dates string, moveOff *string) map[string]string {
	p := map[string]string{"table": "blobs", "pkname": "id", "pkvalues": pks, "datevalues": dates}
	if moveOff != nil {
		p["move_off_tablet_values"] = *moveOff
	}
	return p
}

func strPtr(s string) *string { return &s }

// TestKeysDeleteWhereKeyNot: rows whose PK is not listed are deleted at
// commit; pkvalues is mandatory and must hold integers.
func TestKeysDeleteWhereKeyNot(t *testing.T) {
	t.Parallel()
	f := recordwiseSetup(t, 3)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	before := f.snapshot(t, "blobs")
	params := map[string]string{"table": "blobs", "pkname": "id"}
	f.fail(t, "delete_where_key_not", params, "Must provide the variable: pkvalues")
	params["pkvalues"] = "1,x"
	f.fail(t, "delete_where_key_not", params, "Bad (non-integer) client PK: 'x'")
	wantSameSnapshot(t, "refused delete_where_key_not", before, f.snapshot(t, "blobs"))

	params["pkvalues"] = "1,3"
	f.s.step(t, f.c, "delete_where_key_not", params, "Trimmed")
	rows := f.rows(t, "blobs")
	for id, wantFlag := range map[int64]bool{1: false, 2: true, 3: false} {
		if r := oneRow(t, rows, id); r.RemPending != wantFlag || !r.Current {
			t.Fatalf("BLOB %d = %+v; want current with _removal_pending %v", id, r, wantFlag)
		}
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	if r := oneRow(t, f.rows(t, "blobs"), 2); r.Current || r.RemPending || r.Succ != nil || !pointsTo(r.RemovingUser, f.alice) {
		t.Fatalf("BLOB 2 after commit = %+v; want deleted by alice", r)
	}
	if a := f.lastAudit(t); !strings.Contains(a, "blobs (0 added, PKs []; 0 modified out, PKs []; 1 deleted, PKs [2];") {
		t.Fatalf("audit = %q, want one deletion", a)
	}
}

// TestKeysWhichKeysToSend: which PKs are asked for, and the parameter
// errors (PROTOCOL 6.17).
func TestKeysWhichKeysToSend(t *testing.T) {
	t.Parallel()
	f := recordwiseSetup(t, 3)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	zero3 := strPtr("0,0,0")
	ok := []struct {
		name             string
		pks, dates, want string
		moveOff          *string
	}{
		// 1 unchanged (the same instant in another offset), 2 changed, 4 new.
		{"NewChangedUnchanged", "1,2,4", "2024-05-01T08:31:00.000+00:00," + blobWLM3 + "," + blobWLM4, "2,4", zero3},
		{"OldClientAllNeeded", "1,2", blobWLM1 + "," + blobWLM2, "1,2", nil},
		{"BlankFlagOnePK", "1", blobWLM1, "", strPtr("")},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			f.s.step(t, f.c, "which_keys_to_send", whichKeysParams(tc.pks, tc.dates, tc.moveOff), tc.want)
		})
	}
	// Nothing was flagged for preservation by the blank (NULL) flag.
	if n := f.s.count(t, "blobs", "_device_id = ? AND _move_off_tablet", f.dev); n != 0 {
		t.Fatalf("%d BLOBs flagged to move off, want 0", n)
	}
	before := f.snapshot(t, "blobs")
	bad := []struct {
		name, pks, dates string
		moveOff          *string
		msg              string
	}{
		{"DatesCount", "1,2", blobWLM1, zero3, "Number of PK values (2) doesn't match number of dates (1)"},
		{"FlagsCount", "1,2", blobWLM1 + "," + blobWLM2, strPtr("0"), "Number of move-off-tablet values (1) doesn't match number of PKs (2)"},
		{"BlankFlagTwoPKs", "1,2", blobWLM1 + "," + blobWLM2, strPtr(""), "Must provide the variable: move_off_tablet_values"},
		{"MissingDate", "1,2", "," + blobWLM2, strPtr("0,0"), "Missing date/time for client PK 1"},
		{"QuotedEmptyDate", "1,2", blobWLM1 + ",''", strPtr("0,0"), "Missing date/time for client PK 2"},
		{"BadDate", "1", "x", strPtr("0"), "Bad date/time: 'x'"},
		{"BadPK", "1,x", blobWLM1 + "," + blobWLM2, strPtr("0,0"), "Bad (non-integer) client PK: 'x'"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			f.fail(t, "which_keys_to_send", whichKeysParams(tc.pks, tc.dates, tc.moveOff), tc.msg)
			wantSameSnapshot(t, tc.name, before, f.snapshot(t, "blobs"))
		})
	}
}

// TestKeysWhichKeysTrims: which_keys_to_send flags delete-later the live
// rows whose PK is not listed.
func TestKeysWhichKeysTrims(t *testing.T) {
	t.Parallel()
	f := recordwiseSetup(t, 2)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.s.step(t, f.c, "which_keys_to_send", whichKeysParams("1", blobWLM1, strPtr("0")), "")
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	rows := f.rows(t, "blobs")
	if r1, r2 := oneRow(t, rows, 1), oneRow(t, rows, 2); !r1.Current || r2.Current {
		t.Fatalf("rows = %+v; want 1 current and 2 deleted", rows)
	}
}

// TestKeysMoveOffUnchanged: an unchanged record whose flag is now 1 is not
// asked for, yet it is preserved at end_upload (C7); a stored NULL flag
// reads as 0.
func TestKeysMoveOffUnchanged(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.record(t, blobRecord(1, "0", blobWLM1), "UPLOAD-INSERT")
	f.record(t, blobRecord(2, "NULL", blobWLM2), "UPLOAD-INSERT")
	f.s.step(t, f.c, "end_upload", nil, "end_upload")

	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.s.step(t, f.c, "which_keys_to_send", whichKeysParams("1,2", blobWLM1+","+blobWLM2, strPtr("1,0")), "")
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	era := f.era(t)
	rows := f.rows(t, "blobs")
	r1, r2 := oneRow(t, rows, 1), oneRow(t, rows, 2)
	if r1.Era != era || !pointsTo(r1.PreservingUser, f.alice) || r1.MoveOff == nil || *r1.MoveOff || !r1.Current {
		t.Fatalf("BLOB 1 = %+v; want preserved in era %s by alice", r1, era)
	}
	if r2.Era != "NOW" || r2.PreservingUser != nil {
		t.Fatalf("BLOB 2 = %+v; want still era NOW", r2)
	}
	if a := f.lastAudit(t); !strings.Contains(a, "blobs (0 added, PKs []; 0 modified out, PKs []; 0 deleted, PKs []; 1 preserved,") {
		t.Fatalf("audit = %q, want one preservation", a)
	}
}

// TestKeysUploadRecord: upload_record answers UPLOAD-INSERT for a new
// record and UPLOAD-UPDATE for an existing one, changed or not; sending a
// record again within a batch replaces the earlier send (C11).
func TestKeysUploadRecord(t *testing.T) {
	t.Parallel()
	f := recordwiseSetup(t, 1)
	old := oneRow(t, f.rows(t, "blobs"), 1)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.record(t, blobRecord(1, "0", blobWLM1), "UPLOAD-UPDATE")
	if rows := f.rows(t, "blobs"); len(rows) != 1 || rows[0].RemPending {
		t.Fatalf("rows after an unchanged record = %+v; want the old row untouched", rows)
	}
	f.record(t, blobRecord(1, "0", blobWLM2), "UPLOAD-UPDATE")
	f.record(t, blobRecord(1, "0", blobWLM3), "UPLOAD-UPDATE") // replaces the previous send
	f.record(t, blobRecord(2, "0", blobWLM1), "UPLOAD-INSERT")
	f.fail(t, "upload_record", uploadRecordParams(strings.TrimSuffix(blobRecord(3, "0", blobWLM1), ",0")),
		"Number of fields (10) doesn't match number of values (9)")
	rows := f.rows(t, "blobs")
	if len(rows) != 3 {
		t.Fatalf("rows = %+v; want old 1, pending new 1, pending 2", rows)
	}
	v := rowsWithID(rows, 1)
	if len(v) != 2 || v[0].PK != old.PK || !v[0].RemPending || !pointsTo(v[0].Succ, v[1].PK) || !v[1].AddPending || !pointsTo(v[1].Pred, old.PK) {
		t.Fatalf("versions of 1 = %+v; want old → one pending successor", v)
	}
	var wlm string
	if err := f.s.DB.NewSelect().Table("blobs").Column("when_last_modified").Where("_pk = ?", v[1].PK).
		Scan(t.Context(), &wlm); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(wlm, "2024-05-03T09:31:00") {
		t.Fatalf("pending version has when_last_modified %q, want the last send (%s)", wlm, blobWLM3)
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	if n := f.s.count(t, "blobs", "_device_id = ? AND _current", f.dev); n != 2 {
		t.Fatalf("%d current BLOBs, want 2", n)
	}
}
