package main_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// End-to-end tests of the multi-step upload (PROTOCOL 6.11–6.18, 8): each
// talks to a real server through testclient and checks the per-table
// relations with SQL.

// Three distinct when_last_modified instants (client style).
const (
	wlm1 = "2024-05-01T09:31:12.345+01:00"
	wlm2 = "2024-05-02T10:00:00.000+01:00"
	wlm3 = "2024-05-03T11:00:00.000+01:00"
)

// bmiRecord is one bmi record in bmiFields order.
func bmiRecord(id, moveOff int, wlm, mass string) string {
	return fmt.Sprintf("%d,%d,'%s','2024-05-01T09:30:00.000+01:00',1,0,'2024-05-01T09:31:12.300+01:00',72.5,1,%s,1.75,NULL,NULL",
		id, moveOff, wlm, mass)
}

// uploadTableOf returns upload_table parameters for records of table.
func uploadTableOf(table, fields string, recs ...string) map[string]string {
	p := map[string]string{"table": table, "pkname": "id", "fields": fields, "nrecords": strconv.Itoa(len(recs))}
	for i, r := range recs {
		p["record"+strconv.Itoa(i)] = r
	}
	return p
}

// uploadBMI sends upload_table for bmi and expects success.
func (f *uploadFixture) uploadBMI(t *testing.T, recs ...string) {
	t.Helper()
	f.s.step(t, f.c, "upload_table", uploadTableOf("bmi", bmiFields, recs...), "Table bmi upload successful")
}

// batchBMI runs start_upload, upload_table bmi and end_upload.
func (f *uploadFixture) batchBMI(t *testing.T, recs ...string) {
	t.Helper()
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, recs...)
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
}

// fail sends op and expects the failure reply with msg.
func (f *uploadFixture) fail(t *testing.T, op string, params map[string]string, msg string) {
	t.Helper()
	wantClientFailure(t, f.c, op, params, msg)
}

func wantClientFailure(t *testing.T, c *testclient.Client, op string, params map[string]string, msg string) {
	t.Helper()
	r, err := c.Do(context.Background(), op, params)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:"+msg+"\nsession_id:{session_id}\nsession_token:{session_token}\n")
}

// rows returns the device's rows of table, by _pk.
func (f *uploadFixture) rows(t *testing.T, table string) []storedRow {
	t.Helper()
	return storedRows(t, f.s, table, f.dev)
}

// snapshot returns every column of the device's rows of table, the
// device row and its dirty set, for "nothing changed" comparisons.
func (f *uploadFixture) snapshot(t *testing.T, tables ...string) map[string][]map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string][]map[string]any{}
	read := func(key, q string) {
		var rows []map[string]any
		if err := f.s.DB.NewRaw(q, f.dev).Scan(ctx, &rows); err != nil {
			t.Fatalf("snapshot %s: %v", key, err)
		}
		out[key] = rows
	}
	for _, table := range tables {
		read(table, `SELECT * FROM "`+table+`" WHERE _device_id = ? ORDER BY _pk`)
	}
	read("devices", "SELECT * FROM devices WHERE id = ?")
	read("dirty_tables", "SELECT * FROM dirty_tables WHERE device_id = ? ORDER BY tablename")
	return out
}

func wantSameSnapshot(t *testing.T, what string, before, after any) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("%s changed the database:\nbefore %v\nafter  %v", what, before, after)
	}
}

// audits returns the details of the device's upload audit rows, oldest
// first.
func (f *uploadFixture) audits(t *testing.T) []string {
	t.Helper()
	var d []string
	if err := f.s.DB.NewSelect().Table("audit_log").Column("details").
		Where("device_id = ? AND details LIKE 'Upload from device %'", f.dev).Order("id").
		Scan(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// lastAudit returns the newest upload audit text of the device.
func (f *uploadFixture) lastAudit(t *testing.T) string {
	t.Helper()
	d := f.audits(t)
	if len(d) == 0 {
		t.Fatal("no upload audit row")
	}
	return d[len(d)-1]
}

// auditPrefix is the start of the device's upload audit text for user.
func (f *uploadFixture) auditPrefix(user string) string {
	return fmt.Sprintf("Upload from device %d, username '%s': ", f.dev, user)
}

// batchTime returns devices.last_upload_batch_utc.
func (f *uploadFixture) batchTime(t *testing.T) time.Time {
	t.Helper()
	var bt time.Time
	if err := f.s.DB.NewSelect().Table("devices").Column("last_upload_batch_utc").Where("id = ?", f.dev).
		Scan(context.Background(), &bt); err != nil {
		t.Fatal(err)
	}
	return bt
}

// era is the era string of the device's last batch (PROTOCOL 8.7).
func (f *uploadFixture) era(t *testing.T) string {
	t.Helper()
	return f.batchTime(t).UTC().Format("2006-01-02T15:04:05Z")
}

// preserving reads devices.currently_preserving.
func (f *uploadFixture) preserving(t *testing.T) bool {
	t.Helper()
	var p bool
	if err := f.s.DB.NewSelect().Table("devices").Column("currently_preserving").Where("id = ?", f.dev).
		Scan(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func pointsTo(p *int64, v int64) bool { return p != nil && *p == v }

// TestMultistepPendingInvisible: additions stay pending (not current)
// until end_upload commits them with the bookkeeping of PROTOCOL 8.6.
func TestMultistepPendingInvisible(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, bmiRecord(1, 0, wlm1, "70.2"))
	r := oneRow(t, f.rows(t, "bmi"), 1)
	if r.Current || !r.AddPending || r.RemPending || r.Era != "NOW" || r.AddingUser != nil || r.AddedBatch != nil ||
		r.Pred != nil || r.Succ != nil {
		t.Fatalf("pending row = %+v; want _current false, _addition_pending true, era NOW, no adding user", r)
	}
	if n := f.s.count(t, "bmi", "_device_id = ? AND _current", f.dev); n != 0 {
		t.Fatalf("%d current rows before end_upload, want 0", n)
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	r = oneRow(t, f.rows(t, "bmi"), 1)
	bt := f.batchTime(t)
	switch {
	case !r.Current || r.AddPending || r.RemPending || r.Era != "NOW":
		t.Fatalf("committed row = %+v; want current, not pending, era NOW", r)
	case !pointsTo(r.AddingUser, f.alice):
		t.Fatalf("_adding_user_id = %v, want alice (%d)", r.AddingUser, f.alice)
	case r.AddedBatch == nil || !r.AddedBatch.Equal(bt):
		t.Fatalf("_when_added_batch_utc = %v, want the batch time %v", r.AddedBatch, bt)
	case r.AddedExact == nil:
		t.Fatal("_when_added_exact not set")
	case !pointsTo(r.GroupID, f.group):
		t.Fatalf("_group_id = %v, want alice's group %d", r.GroupID, f.group)
	case r.Version == nil || *r.Version != "2.4.24":
		t.Fatalf("_camcops_version = %v, want 2.4.24", r.Version)
	}
}

// TestMultistepModify: a new when_last_modified makes a new version; the
// old one stays current, flagged, until the commit (PROTOCOL 8.4.2, 8.6).
func TestMultistepModify(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70.2"))
	old := oneRow(t, f.rows(t, "bmi"), 1)

	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, bmiRecord(1, 0, wlm2, "80"))
	rows := rowsWithID(f.rows(t, "bmi"), 1)
	if len(rows) != 2 {
		t.Fatalf("rows = %+v, want the old and the new version", rows)
	}
	l, n := rows[0], rows[1]
	if l.PK != old.PK || !l.Current || !l.RemPending || !pointsTo(l.Succ, n.PK) {
		t.Fatalf("old row before commit = %+v; want current, _removal_pending, _successor_pk %d", l, n.PK)
	}
	if n.Current || !n.AddPending || !pointsTo(n.Pred, l.PK) {
		t.Fatalf("new row before commit = %+v; want pending with _predecessor_pk %d", n, l.PK)
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	rows = rowsWithID(f.rows(t, "bmi"), 1)
	l, n = rows[0], rows[1]
	if l.Current || l.RemPending || !pointsTo(l.Succ, n.PK) || !pointsTo(l.RemovingUser, f.alice) || l.RemovedBatch == nil || l.RemovedExact == nil {
		t.Fatalf("old row after commit = %+v; want not current, _successor_pk %d, removed by alice", l, n.PK)
	}
	if !n.Current || n.AddPending || !pointsTo(n.Pred, l.PK) {
		t.Fatalf("new row after commit = %+v", n)
	}
	if a := f.lastAudit(t); !strings.Contains(a, "1 modified out, PKs [1]") {
		t.Fatalf("audit = %q, want 1 modified out, PKs [1]", a)
	}
}

// TestMultistepUnchanged: the same when_last_modified instant means
// unchanged, whatever the other values; nothing is written.
func TestMultistepUnchanged(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70.2"))
	before := f.snapshot(t, "bmi")
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	// The same instant in another offset, with other values.
	rec := strings.Replace(bmiRecord(1, 0, "2024-05-01T08:31:12.345+00:00", "99.9"), "NULL,NULL", "12.5,'changed'", 1)
	f.uploadBMI(t, rec)
	if n := f.s.count(t, "bmi", "_device_id = ? AND (_addition_pending OR _removal_pending)", f.dev); n != 0 {
		t.Fatalf("%d pending rows for an unchanged record", n)
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	after := f.snapshot(t, "bmi")
	wantSameSnapshot(t, "an unchanged record", before["bmi"], after["bmi"])
	if a := f.lastAudit(t); a != f.auditPrefix("alice")+"No changes" {
		t.Fatalf("audit = %q, want No changes", a)
	}
}

// TestMultistepDelete: a record missing from upload_table, and every row
// of a table listed in upload_empty_tables, is deleted at commit.
func TestMultistepDelete(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71"))

	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, bmiRecord(1, 0, wlm1, "70"))
	r := oneRow(t, f.rows(t, "bmi"), 2)
	if !r.Current || !r.RemPending || r.Succ != nil {
		t.Fatalf("row 2 before commit = %+v; want current, _removal_pending, no successor", r)
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	r = oneRow(t, f.rows(t, "bmi"), 2)
	if r.Current || r.RemPending || r.Succ != nil || !pointsTo(r.RemovingUser, f.alice) {
		t.Fatalf("row 2 after commit = %+v; want deleted by alice with no successor", r)
	}
	if a := f.lastAudit(t); !strings.Contains(a, "1 deleted, PKs [2]") {
		t.Fatalf("audit = %q, want 1 deleted, PKs [2]", a)
	}

	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.s.step(t, f.c, "upload_empty_tables", map[string]string{"tables": "phq9, bmi"}, "UPLOAD-EMPTY-TABLES")
	r = oneRow(t, f.rows(t, "bmi"), 1)
	if !r.Current || !r.RemPending || r.Succ != nil {
		t.Fatalf("row 1 after upload_empty_tables = %+v; want flagged delete-later", r)
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	if n := f.s.count(t, "bmi", "_device_id = ? AND _current", f.dev); n != 0 {
		t.Fatalf("%d current bmi rows after upload_empty_tables, want 0", n)
	}
	if a := f.lastAudit(t); !strings.Contains(a, "1 deleted, PKs [1]") {
		t.Fatalf("audit = %q, want 1 deleted, PKs [1]", a)
	}
}

// TestMultistepPreserveRecord: _move_off_tablet=1 preserves that record
// (and its predecessor chain) at end_upload (PROTOCOL 8.6, 8.7).
func TestMultistepPreserveRecord(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 1, wlm1, "71"), bmiRecord(3, 0, wlm1, "73"))
	era1 := f.era(t)
	rows := f.rows(t, "bmi")
	r1, r2 := oneRow(t, rows, 1), oneRow(t, rows, 2)
	if r2.Era != era1 || !pointsTo(r2.PreservingUser, f.alice) || r2.MoveOff == nil || *r2.MoveOff || !r2.Current {
		t.Fatalf("flagged row = %+v; want era %s, preserved by alice, _move_off_tablet false, current", r2, era1)
	}
	if r1.Era != "NOW" || r1.PreservingUser != nil {
		t.Fatalf("unflagged row = %+v; want era NOW", r1)
	}

	// Batch 2 modifies record 1 with move-off: both versions are preserved.
	// Record 3 is unchanged but now flagged: its row is preserved.
	f.batchBMI(t, bmiRecord(1, 1, wlm2, "75"), bmiRecord(3, 1, wlm1, "73"))
	era2 := f.era(t)
	rows = f.rows(t, "bmi")
	v := rowsWithID(rows, 1)
	if len(v) != 2 {
		t.Fatalf("record 1 versions = %+v, want 2", v)
	}
	for _, r := range v {
		if r.Era != era2 || !pointsTo(r.PreservingUser, f.alice) || r.MoveOff == nil || *r.MoveOff {
			t.Fatalf("version %+v; want era %s, preserved by alice, _move_off_tablet false", r, era2)
		}
	}
	if v[0].Current || !pointsTo(v[0].Succ, v[1].PK) || !v[1].Current || !pointsTo(v[1].Pred, v[0].PK) {
		t.Fatalf("chain = %+v; want old (not current) → new (current)", v)
	}
	if r := oneRow(t, rows, 2); r.Era != era1 || !r.Current {
		t.Fatalf("row preserved earlier = %+v; want untouched in era %s", r, era1)
	}
	if r := oneRow(t, rows, 3); r.Era != era2 || !r.Current || !pointsTo(r.PreservingUser, f.alice) {
		t.Fatalf("unchanged flagged row = %+v; want preserved in era %s", r, era2)
	}
}

// TestMultistepPreserveBatch: start_preservation preserves every era-NOW
// row of the device in the dirty tables, current or not; other devices'
// rows stay.
func TestMultistepPreserveBatch(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	other := f.s.client("alice", "pw!-secret")
	if _, err := other.RegisterSequence(context.Background(), "tablet 2"); err != nil {
		t.Fatal(err)
	}
	var otherDev int64
	if err := f.s.DB.NewSelect().Table("devices").Column("id").Where("name = ?", other.Device()).
		Scan(context.Background(), &otherDev); err != nil {
		t.Fatal(err)
	}
	g := &uploadFixture{s: f.s, c: other, dev: otherDev}
	g.batchBMI(t, bmiRecord(1, 0, wlm1, "60"))
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71"))

	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.s.step(t, f.c, "start_preservation", nil, "STARTPRESERVATION")
	f.uploadBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(3, 0, wlm1, "73")) // 2 is deleted
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	era := f.era(t)
	rows := f.rows(t, "bmi")
	if len(rows) != 3 {
		t.Fatalf("rows = %+v, want 3", rows)
	}
	for _, r := range rows {
		if r.Era != era || !pointsTo(r.PreservingUser, f.alice) || (r.Current != (r.ID != 2)) {
			t.Fatalf("row %+v; want era %s, preserved by alice, current unless deleted", r, era)
		}
	}
	if f.preserving(t) {
		t.Fatal("currently_preserving still set after end_upload")
	}
	if r := oneRow(t, g.rows(t, "bmi"), 1); r.Era != "NOW" {
		t.Fatalf("other device's row = %+v; want era NOW", r)
	}
}

// TestMultistepStartUploadResetsPreserving: start_upload after
// start_preservation starts a batch that does not preserve (D11).
func TestMultistepStartUploadResetsPreserving(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"))
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.s.step(t, f.c, "start_preservation", nil, "STARTPRESERVATION")
	if !f.preserving(t) {
		t.Fatal("currently_preserving not set by start_preservation")
	}
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	if f.preserving(t) {
		t.Fatal("currently_preserving still set after start_upload")
	}
	f.uploadBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71")) // bmi becomes dirty
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	if n := f.s.count(t, "bmi", "_device_id = ? AND _era <> 'NOW'", f.dev); n != 0 {
		t.Fatalf("%d rows preserved, want 0", n)
	}
	if n := f.s.count(t, "bmi", "_device_id = ? AND _current", f.dev); n != 2 {
		t.Fatalf("%d current rows, want 2", n)
	}
}

// TestMultistepRollbackAbandoned: a new start_upload rolls back the
// abandoned batch: pending rows go, removals and move-off flags are undone,
// and every other column (_when_added_exact included, C6) is as before.
func TestMultistepRollbackAbandoned(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71"), bmiRecord(3, 0, wlm1, "72"))
	before := f.snapshot(t, "bmi")

	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	// 1 modified, 2 deleted, 3 unchanged but flagged to move off, 4 new.
	f.uploadBMI(t, bmiRecord(1, 0, wlm2, "80"), bmiRecord(3, 1, wlm1, "72"), bmiRecord(4, 0, wlm1, "74"))
	for cond, want := range map[string]int{"_addition_pending": 2, "_removal_pending": 2, "_move_off_tablet": 1} {
		if n := f.s.count(t, "bmi", "_device_id = ? AND "+cond, f.dev); n != want {
			t.Fatalf("%s rows = %d, want %d", cond, n, want)
		}
	}
	f.c.ResetSession() // a new sequence
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	after := f.snapshot(t, "bmi")
	wantSameSnapshot(t, "the rollback", before["bmi"], after["bmi"])
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	if a := f.lastAudit(t); a != f.auditPrefix("alice")+"No changes" {
		t.Fatalf("audit = %q, want No changes", a)
	}
}

// TestMultistepResendTable: sending a table again within a batch replaces
// the earlier send (C11).
func TestMultistepResendTable(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"))
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, bmiRecord(1, 0, wlm2, "80"), bmiRecord(2, 0, wlm1, "71"))
	f.uploadBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(3, 0, wlm1, "73"))
	rows := f.rows(t, "bmi")
	if len(rows) != 2 {
		t.Fatalf("rows = %+v, want the committed 1 and the pending 3", rows)
	}
	r1, r3 := oneRow(t, rows, 1), oneRow(t, rows, 3)
	if !r1.Current || r1.RemPending || r1.Succ != nil || r3.Current || !r3.AddPending {
		t.Fatalf("rows = %+v; want 1 untouched and 3 pending", rows)
	}
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	if n := f.s.count(t, "bmi", "_device_id = ? AND _current AND id IN (1, 3)", f.dev); n != 2 {
		t.Fatalf("current rows for 1 and 3 = %d, want 2", n)
	}
}

// TestMultistepDuplicatePK: within one upload_table the last record of a
// client PK counts.
func TestMultistepDuplicatePK(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71"), bmiRecord(1, 0, wlm2, "80"))
	rows := f.rows(t, "bmi")
	if len(rows) != 2 {
		t.Fatalf("rows = %+v, want 2", rows)
	}
	var mass float64
	if err := f.s.DB.NewSelect().Table("bmi").Column("mass_kg").Where("_device_id = ? AND id = 1", f.dev).
		Scan(context.Background(), &mass); err != nil {
		t.Fatal(err)
	}
	if mass != 80 {
		t.Fatalf("mass_kg of record 1 = %v, want 80 (the last one sent)", mass)
	}
}

// TestMultistepBusy: another user's active batch makes the device busy;
// once it is stale, the other user takes over and the old work is rolled
// back (PROTOCOL 8.3.2, D10).
func TestMultistepBusy(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.s.addUser(t, "research", "bob", "pw2-secret", "--may-upload")
	bobID, _ := userAndGroup(t, f.s, "bob")
	bob := testclient.New(testclient.Config{URL: f.s.API, Device: f.c.Device(), User: "bob", Password: "pw2-secret"})
	const busy = "Device is busy: an upload by another user is in progress"

	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, bmiRecord(1, 0, wlm1, "70"))
	before := f.snapshot(t, "bmi")
	wantClientFailure(t, bob, "start_upload", nil, busy)
	wantClientFailure(t, bob, "upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(2, 0, wlm1, "71")), busy)
	wantClientFailure(t, bob, "end_upload", nil, busy)
	wantSameSnapshot(t, "bob's refused requests", before, f.snapshot(t, "bmi"))

	// Age alice's batch past the stale-batch timeout (10 min).
	if _, err := f.s.DB.NewUpdate().Table("devices").
		Set("batch_last_activity_utc = ?", time.Now().UTC().Add(-11*time.Minute)).
		Where("id = ?", f.dev).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.s.step(t, bob, "start_upload", nil, "start_upload")
	if n := f.s.count(t, "bmi", "_device_id = ?", f.dev); n != 0 {
		t.Fatalf("%d bmi rows after the takeover, want alice's pending row rolled back", n)
	}
	if n := f.s.count(t, "devices", "id = ? AND uploading_user_id = ?", f.dev, bobID); n != 1 {
		t.Fatal("bob does not own the batch after start_upload")
	}
	f.fail(t, "upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(1, 0, wlm1, "70")), busy)
	f.s.step(t, bob, "end_upload", nil, "end_upload")
	if a := f.lastAudit(t); a != f.auditPrefix("bob")+"No changes" {
		t.Fatalf("audit = %q, want bob's No changes", a)
	}
}

// TestMultistepRepeatedEndUpload: a second end_upload succeeds and
// commits nothing.
func TestMultistepRepeatedEndUpload(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"))
	before := f.snapshot(t, "bmi")
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	wantSameSnapshot(t, "a repeated end_upload", before["bmi"], f.snapshot(t, "bmi")["bmi"])
	a := f.audits(t)
	if len(a) != 2 || a[1] != f.auditPrefix("alice")+"No changes" {
		t.Fatalf("audits = %q, want the upload then No changes", a)
	}
}

// TestMultistepAuditFormat: the whole audit text of a simple commit
// (PROTOCOL 8.9).
func TestMultistepAuditFormat(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"))
	var row struct {
		Source   string `bun:"source"`
		UserID   int64  `bun:"user_id"`
		Username string `bun:"username"`
		DeviceID int64  `bun:"device_id"`
		Details  string `bun:"details"`
	}
	if err := f.s.DB.NewRaw("SELECT source, user_id, username, device_id, details FROM audit_log"+
		" WHERE details LIKE 'Upload from device %' ORDER BY id").Scan(context.Background(), &row); err != nil {
		t.Fatal(err)
	}
	want := f.auditPrefix("alice") +
		"bmi (1 added, PKs [1]; 0 modified out, PKs []; 0 deleted, PKs []; 0 preserved, PKs []; current PKs [1])"
	if row.Details != want || row.Source != "tablet" || row.UserID != f.alice || row.Username != "alice" || row.DeviceID != f.dev {
		t.Fatalf("audit = %+v\nwant details %q, source tablet, alice, device %d", row, want, f.dev)
	}
}

// TestMultistepAuditServerPKs: the audit lists server PKs (_pk), as the
// PROTOCOL 8.9 example shows (a record modified out as PK 7 is added as
// PK 12, the pair preserved as [7, 12]), and "current" counts the rows
// current after the commit, preserved or not (current PKs [12]).
func TestMultistepAuditServerPKs(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(7, 0, wlm1, "70"), bmiRecord(5, 0, wlm1, "71"))
	rows := f.rows(t, "bmi")
	o7, o5 := oneRow(t, rows, 7).PK, oneRow(t, rows, 5).PK
	f.batchBMI(t, bmiRecord(7, 1, wlm2, "75")) // 7 modified and moved off, 5 deleted
	v := rowsWithID(f.rows(t, "bmi"), 7)
	if len(v) != 2 {
		t.Fatalf("versions of 7 = %+v", v)
	}
	n7 := v[1].PK
	want := f.auditPrefix("alice") + fmt.Sprintf(
		"bmi (1 added, PKs [%d]; 1 modified out, PKs [%d]; 1 deleted, PKs [%d]; 2 preserved, PKs [%d, %d]; current PKs [%d])",
		n7, o7, o5, o7, n7, n7)
	if a := f.lastAudit(t); a != want {
		t.Fatalf("audit = %q\nwant    %q", a, want)
	}
}

// TestMultistepIDNumbers: patient_idnum rows must have a defined type and
// a valid number (PROTOCOL 8.4.2); a failure changes nothing.
func TestMultistepIDNumbers(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	idnum := func(id int, which, value string) string {
		return fmt.Sprintf("%d,0,'2024-05-01T09:29:00.000+01:00',1,%s,%s", id, which, value)
	}
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.s.step(t, f.c, "upload_table", uploadTableOf("patient_idnum", idnumFields, idnum(1, "1", "9434765919")),
		"Table patient_idnum upload successful")
	before := f.snapshot(t, "patient_idnum")
	for _, tc := range []struct{ which, value, msg string }{
		{"7", "9434765919", "No such ID number type: 7"},
		{"NULL", "9434765919", "No such ID number type: None"},
		{"1", "9434765918", "For ID type 1, ID number 9434765918 is invalid: Invalid UK NHS number"},
	} {
		f.fail(t, "upload_table", uploadTableOf("patient_idnum", idnumFields, idnum(1, "1", "9434765919"), idnum(2, tc.which, tc.value)), tc.msg)
		wantSameSnapshot(t, "a refused ID number", before, f.snapshot(t, "patient_idnum"))
	}
	f.s.step(t, f.c, "upload_table", uploadTableOf("patient_idnum", idnumFields, idnum(1, "1", "9434765919"), idnum(2, "1", "NULL")),
		"Table patient_idnum upload successful")
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	if n := f.s.count(t, "patient_idnum", "_device_id = ? AND _current", f.dev); n != 2 {
		t.Fatalf("%d current ID numbers, want 2", n)
	}
	if n := f.s.count(t, "patient_idnum", "_device_id = ? AND id = 2 AND idnum_value IS NULL", f.dev); n != 1 {
		t.Fatal("the NULL ID number was not stored")
	}
}

// TestMultistepBadInput: every refused upload_table changes nothing, in a
// batch with pending work (PROTOCOL 1.6, 6.14, 8.4.1).
func TestMultistepBadInput(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71"))
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, bmiRecord(1, 0, wlm2, "80"), bmiRecord(3, 0, wlm1, "73")) // 1 modified, 2 deleted, 3 new
	before := f.snapshot(t, "bmi")

	good := bmiRecord(1, 0, wlm2, "80")
	short := strings.TrimSuffix(good, ",NULL") // 12 values
	noWLM := func(id int) string {
		return strings.Replace(bmiRecord(id, 0, wlm1, "70"), "'"+wlm1+"',", "", 1)
	}
	with := func(change func(p map[string]string)) map[string]string {
		p := uploadTableOf("bmi", bmiFields, good, bmiRecord(2, 0, wlm1, "71"))
		change(p)
		return p
	}
	cases := []struct {
		name   string
		params map[string]string
		msg    string
	}{
		{"LastRecordShort", uploadTableOf("bmi", bmiFields, good, bmiRecord(2, 0, wlm1, "71"), short),
			"Number of fields in field list (13) doesn't match number of values in record 2 (12)"},
		{"NegativeNrecords", with(func(p map[string]string) { p["nrecords"] = "-1" }), "nrecords=-1: can't be less than 0"},
		{"NonIntegerNrecords", with(func(p map[string]string) { p["nrecords"] = "x" }), "Variable nrecords is not a valid integer; was 'x'"},
		{"MissingRecord", with(func(p map[string]string) { delete(p, "record1") }), "Must provide the variable: record1"},
		{"ReservedField", with(func(p map[string]string) { p["fields"] = strings.Replace(bmiFields, "comment", "_pk", 1) }),
			"Reserved field name for table 'bmi': '_pk'"},
		{"UnknownField", with(func(p map[string]string) { p["fields"] = strings.Replace(bmiFields, "comment", "nosuch", 1) }),
			"Invalid field name for table 'bmi': 'nosuch'"},
		{"UnknownTable", with(func(p map[string]string) { p["table"] = "nosuch" }), "Invalid client table name: nosuch"},
		{"PknameNotPK", with(func(p map[string]string) { p["pkname"] = "mass_kg" }), "Invalid field name for table 'bmi': 'mass_kg'"},
		{"InvalidValue", with(func(p map[string]string) { p["record1"] = bmiRecord(2, 0, wlm1, "'abc'") }),
			`Invalid value for field 'mass_kg' in table 'bmi', record 1: "'abc'"`},
		{"NullPK", with(func(p map[string]string) {
			p["record1"] = "NULL" + strings.TrimPrefix(bmiRecord(2, 0, wlm1, "71"), "2")
		}),
			"Bad (non-integer) client PK: None"},
		{"MissingWLM", uploadTableOf("bmi", strings.Replace(bmiFields, ",when_last_modified", "", 1), noWLM(1), noWLM(2)),
			"Field 'when_last_modified' missing in client input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.fail(t, "upload_table", tc.params, tc.msg)
			wantSameSnapshot(t, tc.name, before, f.snapshot(t, "bmi"))
		})
	}
}

// TestMultistepTextWithNUL: a text value the database cannot store (a NUL
// character) is refused with the Invalid value message, which quotes the
// literal as received (PROTOCOL 7.5).
func TestMultistepTextWithNUL(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	rec := strings.Replace(bmiRecord(1, 0, wlm1, "70"), "NULL,NULL", "NULL,'a\x00b'", 1)
	f.fail(t, "upload_table", uploadTableOf("bmi", bmiFields, rec),
		`Invalid value for field 'comment' in table 'bmi', record 0: "'a\\x00b'"`)
	if n := f.s.count(t, "bmi", "_device_id = ?", f.dev); n != 0 {
		t.Fatalf("%d rows stored", n)
	}
}

// TestMultistepMinVersion: a table whose minimum version is above the
// client's is refused by name.
func TestMultistepMinVersion(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "registry", "default.tables"))
	if err != nil {
		t.Fatal(err)
	}
	const line = "table bmi kind=task pk=id min_version=2.0.0"
	if !strings.Contains(string(src), line) {
		t.Fatalf("default.tables lacks %q", line)
	}
	path := filepath.Join(t.TempDir(), "tables")
	if err := os.WriteFile(path, []byte(strings.Replace(string(src), line, "table bmi kind=task pk=id min_version=2.5.0", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newUploadFixture(t, "--tables", path)
	const msg = "Client CamCOPS version 2.4.24 is less than the version (2.5.0) required to handle table bmi"
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.fail(t, "upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(1, 0, wlm1, "70")), msg)
	f.fail(t, "upload_empty_tables", map[string]string{"tables": "phq9,bmi"}, msg)
	if n := f.s.count(t, "bmi", "1 = 1"); n != 0 {
		t.Fatalf("%d bmi rows stored", n)
	}
}
