package sim_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// The device's id in the test database, and another device's.
const (
	testDevice  = 5
	otherDevice = 6
)

// copiedTablet is the standard tablet after a Copy that moved patient 2
// off: four live records and four preserved ones.
func copiedTablet(t *testing.T) *sim.Tablet {
	t.Helper()
	srv := simtest.New(t)
	tab := standardTablet(t, srv)
	tab.MarkForMoveOff(2)
	mustUpload(t, tab, sim.Copy, false)
	return tab
}

// storedDB returns an SQLite database laid out as tabletapi's for the
// tables of s (the client fields plus the bookkeeping columns Verify
// reads) holding what the server stores for e: live rows in era NOW,
// preserved ones in an earlier era, one old version, and another device's
// rows, which Verify ignores.
func storedDB(t *testing.T, s *sim.Schema, e sim.Expectation) *bun.DB {
	t.Helper()
	db, err := sim.OpenDB("sqlite:" + filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE TABLE devices (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
	exec("INSERT INTO devices (id, name) VALUES (?, ?), (?, 'other')", testDevice, e.Device, otherDevice)
	for _, table := range s.TableNames() {
		if table == s.Unknown() {
			continue
		}
		cols := []string{"_pk INTEGER PRIMARY KEY"}
		for _, c := range s.Columns(table) {
			cols = append(cols, fmt.Sprintf("%q %s", c.Name, sqliteType(c.Type)))
		}
		cols = append(cols, "_device_id BIGINT NOT NULL", "_era VARCHAR(32) NOT NULL", "_current BOOLEAN NOT NULL",
			"_addition_pending BOOLEAN NOT NULL DEFAULT FALSE", "_removal_pending BOOLEAN NOT NULL DEFAULT FALSE")
		exec(fmt.Sprintf("CREATE TABLE %q (%s)", table, strings.Join(cols, ", ")))
	}
	for _, r := range e.Live {
		insertStored(t, db, s, r, testDevice, "NOW", true)
		insertStored(t, db, s, r, otherDevice, "NOW", true)
		old := sim.Record{Table: r.Table, Row: r.Row.Clone()}
		old.Row["when_last_modified"] = testclient.TextValue("2024-04-01T00:00:00.000+00:00")
		insertStored(t, db, s, old, testDevice, "NOW", false)
	}
	for _, r := range e.Preserved {
		insertStored(t, db, s, r, testDevice, "2024-05-01T08:40:00Z", true)
	}
	return db
}

// sqliteType is the column type tabletapi gives a field type on SQLite.
func sqliteType(ft registry.FieldType) string {
	switch ft {
	case registry.Integer:
		return "BIGINT"
	case registry.Real:
		return "REAL"
	case registry.Boolean:
		return "BOOLEAN"
	case registry.Blob:
		return "BLOB"
	}
	return "TEXT"
}

// insertStored stores a record as the server does: the sent literal
// decoded and converted to the field's type, date-times as text with
// microseconds in the client's offset (7.6), the move-off flag cleared on
// preservation.
func insertStored(t *testing.T, db *bun.DB, s *sim.Schema, r sim.Record, device int, era string, current bool) {
	t.Helper()
	var names, marks []string
	var args []any
	for _, c := range s.Columns(r.Table) {
		names = append(names, fmt.Sprintf("%q", c.Name))
		marks = append(marks, "?")
		v := storedValue(t, c.Type, r.Row[c.Name])
		if c.Name == "_move_off_tablet" && era != "NOW" {
			v = false
		}
		args = append(args, v)
	}
	q := fmt.Sprintf("INSERT INTO %q (%s, _device_id, _era, _current) VALUES (%s, ?, ?, ?)",
		r.Table, strings.Join(names, ", "), strings.Join(marks, ", "))
	if _, err := db.ExecContext(context.Background(), q, append(args, device, era, current)...); err != nil {
		t.Fatalf("insert %s: %v", r.Table, err)
	}
}

// storedValue converts a local value as the server stores it.
func storedValue(t *testing.T, ft registry.FieldType, v testclient.Value) any {
	t.Helper()
	d := testclient.DecodeLiteral(testclient.EncodeLiteral(v))
	switch {
	case d.Kind == testclient.KindNull:
		return nil
	case ft == registry.Boolean:
		return d.Int != 0
	case ft == registry.Real && d.Kind == testclient.KindInt:
		return float64(d.Int)
	case ft == registry.Integer && d.Kind == testclient.KindReal && d.Real == math.Trunc(d.Real):
		return int64(d.Real)
	case ft == registry.DateTime:
		ts, err := time.Parse(time.RFC3339Nano, d.Text)
		if err != nil {
			t.Fatal(err)
		}
		return ts.Format("2006-01-02T15:04:05.000000-07:00")
	case d.Kind == testclient.KindInt:
		return d.Int
	case d.Kind == testclient.KindReal:
		return d.Real
	case d.Kind == testclient.KindText:
		return d.Text
	}
	return d.Bytes
}

func TestVerify(t *testing.T) {
	tab := copiedTablet(t)
	e := tab.Expected()
	if len(e.Live) != 4 || len(e.Preserved) != 4 {
		t.Fatalf("Expected: %d live, %d preserved", len(e.Live), len(e.Preserved))
	}
	for _, tc := range []struct {
		name  string
		spoil string // SQL run on the database before Verify
		want  string // a problem Verify must report, as Problem.String ends; "" for none
	}{
		{"OK", "", ""},
		{"SameInstantOtherOffset", `UPDATE bmi SET when_last_modified = '2024-05-01T08:31:12.345+00:00' WHERE id = 1 AND _current`, ""},
		{
			"MissingLive", `DELETE FROM bmi WHERE id = 1 AND _era = 'NOW' AND _device_id = 5`,
			"bmi id 1 era NOW: missing: an uploaded record is not stored as current",
		},
		{
			"DuplicateLive", `INSERT INTO patient (id, _device_id, _era, _current) VALUES (1, 5, 'NOW', 1)`,
			"patient id 1 era NOW: duplicate: 2 current era-NOW rows with this client PK",
		},
		{
			"WrongLiveValue", `UPDATE bmi SET mass_kg = 70.3 WHERE id = 1 AND _current AND _device_id = 5`,
			"bmi id 1 era NOW: wrong values: mass_kg: want 70.2, got 70.3",
		},
		{
			"UnexpectedLive", `INSERT INTO phq9 (id, _device_id, _era, _current) VALUES (9, 5, 'NOW', 1)`,
			"phq9 id 9 era NOW: unexpected: a current row the tablet does not have, or no longer has",
		},
		{
			"Pending", `UPDATE blobs SET _removal_pending = 1 WHERE id = 1 AND _current AND _device_id = 5`,
			"blobs id 1 era NOW: pending: addition pending false, removal pending true after the last upload ended",
		},
		{
			"MissingPreserved", `DELETE FROM patient WHERE _era <> 'NOW'`,
			"patient id 2: missing: a record moved off the tablet is not stored as current in a preserved era",
		},
		{
			"DuplicatePreserved", `INSERT INTO bmi SELECT NULL, id, when_last_modified, _move_off_tablet, when_created,
			when_firstexit, firstexit_is_finish, firstexit_is_abort, editing_time_s, patient_id, height_m, mass_kg,
			waist_cm, comment, _device_id, '2024-05-01T09:00:00Z', 1, 0, 0 FROM bmi WHERE _era <> 'NOW'`,
			"bmi id 2 era 2024-05-01T09:00:00Z: duplicate: a record stored in a preserved era more often than it was moved off",
		},
		{
			"WrongPreservedValue", `UPDATE blobs SET theblob = x'00' WHERE _era <> 'NOW'`,
			"blobs id 2 era 2024-05-01T08:40:00Z: wrong values: theblob: want x89504e470d0a1a0a0000000d494844520000…, got x00",
		},
		{
			"PreservedNotCurrent", `UPDATE patient_idnum SET _current = 0 WHERE _era <> 'NOW'`,
			"patient_idnum id 2: missing: a record moved off the tablet is not stored as current in a preserved era",
		},
		{
			"BadEra", `UPDATE bmi SET _era = '2024-05-01 08:40' WHERE _era <> 'NOW'`,
			"bmi id 2 era 2024-05-01 08:40: bad era: era \"2024-05-01 08:40\" is neither NOW nor a batch time YYYY-MM-DDTHH:MM:SSZ",
		},
		{"Unregistered", `DELETE FROM devices WHERE id = 5`, "unregistered: the device is not in the devices table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := storedDB(t, testSchema, e)
			if tc.spoil != "" {
				if _, err := db.ExecContext(context.Background(), tc.spoil); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := sim.Verify(context.Background(), db, []*sim.Tablet{tab})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tc.want == "" {
				if !rep.OK() || rep.Devices != 1 || rep.LiveRows != 4 || rep.PreservedRows != 4 {
					t.Fatalf("report:\n%s", rep)
				}
				return
			}
			found := false
			for _, p := range rep.Problems {
				found = found || strings.HasSuffix(p.String(), tc.want)
			}
			if rep.OK() || !found {
				t.Fatalf("report:\n%s\nwant a problem ending %q", rep, tc.want)
			}
		})
	}
}

func TestVerify_Unsettled(t *testing.T) {
	srv := simtest.New(t)
	tab := standardTablet(t, srv)
	failOn(srv, "upload_entire_database", simtest.Fault{Drop: true})
	if _, err := tab.Upload(context.Background(), sim.Move, true); err == nil || !tab.Unsettled() {
		t.Fatalf("Upload: %v, unsettled %v; want a lost reply", err, tab.Unsettled())
	}
	rep, err := sim.Verify(context.Background(), storedDB(t, testSchema, tab.Expected()), []*sim.Tablet{tab})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.Problems[0].Kind != "unsettled" {
		t.Fatalf("report:\n%s\nwant the tablet reported as unsettled", rep)
	}
}

func TestOpenDB(t *testing.T) {
	for _, url := range []string{"mysql://x", "sqlite:", "sqlite::memory:", "postgres://u:secret@%zz"} {
		if _, err := sim.OpenDB(url); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("OpenDB(%q): %v, want an error that hides the password", url, err)
		}
	}
}

func TestVerify_ManyTables(t *testing.T) {
	reg, s := syntheticSchema(t, true)
	srv := simtest.New(t)
	srv.SetRegistry(reg)
	tab := mustTablet(t, sim.Config{URL: srv.URL, User: "alice", Password: "pw!", Records: 40, Seed: 11, Schema: s})
	mustRegister(t, tab)
	mustUpload(t, tab, sim.Copy, true)
	e := tab.Expected()
	filled := map[string]bool{}
	for _, r := range e.Live {
		filled[r.Table] = true
	}
	if len(filled) < 20 {
		t.Fatalf("the upload wrote %d tables, want many", len(filled))
	}

	rep, err := sim.Verify(context.Background(), storedDB(t, s, e), []*sim.Tablet{tab})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Tables != len(reg.Names()) || rep.TablesWithRows != len(filled) || rep.LiveRows != len(e.Live) {
		t.Fatalf("report (want %d tables, %d with rows, %d live rows):\n%s", len(reg.Names()), len(filled), len(e.Live), rep)
	}

	// A wrong value of each type, in a task, in a child record and in a
	// record of no task, is found and named.
	for _, c := range spoilable(s, e) {
		t.Run(c.table+"."+c.field, func(t *testing.T) {
			t.Parallel()
			db := storedDB(t, s, e)
			q := fmt.Sprintf(`UPDATE %q SET %q = CASE WHEN %[2]q = ? THEN ? ELSE ? END WHERE id = ? AND _device_id = ? AND _current`,
				c.table, c.field)
			a, b := tampered(c.ft)
			if _, err := db.ExecContext(context.Background(), q, a, b, a, c.id, testDevice); err != nil {
				t.Fatal(err)
			}
			rep, err := sim.Verify(context.Background(), db, []*sim.Tablet{tab})
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("%s id %d era NOW: wrong values: %s: want ", c.table, c.id, c.field)
			if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].String(), want) {
				t.Fatalf("report:\n%s\nwant one problem containing %q", rep, want)
			}
		})
	}
}

// spoilCase is a field of a live record to store wrongly.
type spoilCase struct {
	table, field string
	ft           registry.FieldType
	id           int64
}

// spoilable returns, for each field type, a field of that type set in a
// live task record, one in a child record and one in a record of no task.
// It fails the test if one is missing.
func spoilable(s *sim.Schema, e sim.Expectation) []spoilCase {
	found := map[string]spoilCase{}
	for _, r := range e.Live {
		role := "task"
		if parent, _ := s.Parent(r.Table); parent != "" {
			role = "child"
		} else if r.Table == simtest.Standalone {
			role = "standalone"
		} else if !strings.HasPrefix(r.Table, "task") {
			continue
		}
		for _, c := range s.Columns(r.Table) {
			k := role + " " + string(c.Type)
			if _, ok := found[k]; !ok && r.Row[c.Name].Kind != testclient.KindNull && c.Name != "id" && c.Name != "when_last_modified" &&
				c.Name != "_move_off_tablet" && c.Name != "patient_id" && c.Name != "picture_blobid" {
				found[k] = spoilCase{r.Table, c.Name, c.Type, r.Row.ID()}
			}
		}
	}
	var out []spoilCase
	for _, role := range []string{"task", "child", "standalone"} {
		for _, ft := range []registry.FieldType{registry.Integer, registry.Real, registry.Text, registry.DateTime,
			registry.Date, registry.Boolean, registry.Blob, registry.Time} {
			c, ok := found[role+" "+string(ft)]
			if !ok {
				panic(fmt.Sprintf("no live %s record has a %s field set", role, ft))
			}
			out = append(out, c)
		}
	}
	return out
}

// tampered returns two different stored values of a field type.
func tampered(ft registry.FieldType) (any, any) {
	switch ft {
	case registry.Integer:
		return int64(424242), int64(424243)
	case registry.Real:
		return 0.125, 0.25
	case registry.Boolean:
		return true, false
	case registry.Blob:
		return []byte{0}, []byte{1}
	case registry.Date:
		return "1901-01-01", "1901-01-02"
	case registry.DateTime:
		return "2001-01-01T00:00:00.000000+00:00", "2001-01-02T00:00:00.000000+00:00"
	case registry.Time:
		return "00:00:01", "00:00:02"
	}
	return "tampered", "tampered again"
}

func TestCanonical_Time(t *testing.T) {
	sent := sim.SentValue(registry.Time, text("10:04:03"))
	// As SQLite holds it, as PostgreSQL's TIME arrives, and as a driver
	// might give it.
	for _, stored := range []any{"10:04:03", []byte("10:04:03"), []byte("10:04:03.000000"), time.Date(0, 1, 1, 10, 4, 3, 0, time.UTC)} {
		if got := sim.Canonical(registry.Time, stored); got != sent {
			t.Errorf("stored %#v is %s, sent 10:04:03 is %s", stored, got, sent)
		}
	}
	for _, stored := range []any{"10:04:04", []byte("22:04:03"), []byte("10:04:03.5"), nil, "10:04"} {
		if got := sim.Canonical(registry.Time, stored); got == sent {
			t.Errorf("stored %#v equals sent 10:04:03 (%s)", stored, got)
		}
	}
}
