package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// End-to-end tests of the field type time (PROTOCOL 7.5): a registry table
// with a time field, uploaded by every method, read back from the column.

// clockFields are the fields of the clock table, in the order records give
// them.
const clockFields = "id,_move_off_tablet,when_last_modified,at"

// clockTable is a task table with a time field, added to the default registry.
const clockTable = "\ntable clock kind=task pk=id min_version=2.0.0\n    id integer\n    when_last_modified datetime\n" +
	"    _move_off_tablet boolean\n    at time\n"

// clockServer starts a server whose registry has the clock table, with an
// uploader alice.
func clockServer(t *testing.T) *testServer {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clock.tables")
	if err := os.WriteFile(path, []byte(registry.Default().Format()+clockTable), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServerOn(t, dbtest.NewURL(t), "--tables", path)
	s.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	return s
}

// clockClient registers a new device for alice and returns its client.
func clockClient(t *testing.T, s *testServer) *testclient.Client {
	t.Helper()
	c := s.client("alice", "pw!-secret")
	if _, err := c.RegisterSequence(context.Background(), "tablet"); err != nil {
		t.Fatal(err)
	}
	c.ResetSession()
	return c
}

// clockOneStep returns upload_entire_database parameters for clock records,
// each given as its at literal; record i has id i+1.
func clockOneStep(t *testing.T, finalizing string, moveOff string, ats ...string) map[string]string {
	t.Helper()
	rows := []map[string]string{}
	for i, at := range ats {
		rows = append(rows, map[string]string{
			"id": fmt.Sprint(i + 1), "_move_off_tablet": moveOff,
			"when_last_modified": "'" + wlm1 + "'", "at": at,
		})
	}
	pk, err := json.Marshal(map[string]string{"clock": "id"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(map[string]any{"clock": rows})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"finalizing": finalizing, "pknameinfo": string(pk), "dbdata": string(data)}
}

// storedClockAt returns c's device's clock rows that match cond, as "id=value"
// with the value as the database's own text of the column, or NULL.
func storedClockAt(t *testing.T, s *testServer, c *testclient.Client, cond string) []string {
	t.Helper()
	rows, err := s.DB.QueryContext(context.Background(),
		"SELECT k.id, CAST(k.at AS TEXT) FROM clock k JOIN devices d ON d.id = k._device_id"+
			" WHERE d.name = ? AND "+cond+" ORDER BY k.id, k._pk", c.Device())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		var at *string
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		v := "NULL"
		if at != nil {
			v = *at
		}
		out = append(out, fmt.Sprintf("%d=%s", id, v))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantByDialect checks stored rows. PostgreSQL writes a TIME with its fraction's
// trailing zeros cut; SQLite holds the server's normalised text, with six
// fraction digits when there is a fraction.
func wantByDialect(t *testing.T, what string, got []string, pg, sqlite []string) {
	t.Helper()
	want := sqlite
	if dbtest.Postgres() {
		want = pg
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: stored %q, want %q", what, got, want)
	}
}

// TestTimeField: time values uploaded by upload_table, upload_record and
// upload_entire_database are stored in a TIME column on PostgreSQL and as
// HH:MM:SS text on SQLite; empty text is NULL; an hour of 24 or an integer
// is an invalid value with the exact wire text.
func TestTimeField(t *testing.T) {
	t.Parallel()
	s := clockServer(t)
	ctx := context.Background()

	var colType string
	q := "SELECT type FROM pragma_table_info('clock') WHERE name = 'at'"
	if dbtest.Postgres() {
		q = "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'clock' AND column_name = 'at'"
	}
	if err := s.DB.QueryRowContext(ctx, q).Scan(&colType); err != nil {
		t.Fatal(err)
	}
	if want := map[bool]string{false: "TEXT", true: "time without time zone"}[dbtest.Postgres()]; colType != want {
		t.Fatalf("column clock.at has type %q, want %q", colType, want)
	}

	t.Run("MultiStep", func(t *testing.T) {
		c := clockClient(t, s)
		s.step(t, c, "start_upload", nil, "start_upload")
		s.step(t, c, "upload_table", map[string]string{
			"table": "clock", "pkname": "id", "nrecords": "3", "fields": clockFields,
			"record0": "1,0,'" + wlm1 + "','10:04:03'",
			"record1": "2,0,'" + wlm1 + "','23:59:59.25'",
			"record2": "3,0,'" + wlm1 + "',''",
		}, "Table clock upload successful")
		s.step(t, c, "upload_record", map[string]string{
			"table": "clock", "pkname": "id", "fields": clockFields,
			"values": "4,0,'" + wlm1 + "','00:00:00.000000'",
		}, "UPLOAD-INSERT")
		s.step(t, c, "end_upload", nil, "end_upload")
		wantByDialect(t, "multi-step", storedClockAt(t, s, c, "k._current"),
			[]string{"1=10:04:03", "2=23:59:59.25", "3=NULL", "4=00:00:00"},
			[]string{"1=10:04:03", "2=23:59:59.250000", "3=NULL", "4=00:00:00"})
	})

	t.Run("OneStep", func(t *testing.T) {
		c := clockClient(t, s)
		s.step(t, c, "upload_entire_database", clockOneStep(t, "0", "0", "'07:30:00'", "'12:00:00.000001'", "NULL"), "Success")
		wantByDialect(t, "one-step", storedClockAt(t, s, c, "k._current"),
			[]string{"1=07:30:00", "2=12:00:00.000001", "3=NULL"},
			[]string{"1=07:30:00", "2=12:00:00.000001", "3=NULL"})
	})

	t.Run("ErrInvalidValue", func(t *testing.T) {
		c := clockClient(t, s)
		s.step(t, c, "start_upload", nil, "start_upload")
		for _, lit := range []string{"'24:00:00'", "'10:60:00'", "'10:00:60'", "'10:00'", "100000"} {
			wantClientFailure(t, c, "upload_table", map[string]string{
				"table": "clock", "pkname": "id", "nrecords": "1", "fields": clockFields,
				"record0": "1,0,'" + wlm1 + "'," + lit,
			},
				"Invalid value for field 'at' in table 'clock', record 0: "+codec.Repr(lit))
		}
		wantClientFailure(t, c, "upload_entire_database", clockOneStep(t, "0", "0", "'07:30'"),
			`Invalid value for field 'at' in table 'clock', record 0: "'07:30'"`)
		if got := storedClockAt(t, s, c, "1 = 1"); len(got) != 0 {
			t.Fatalf("stored after invalid values: %q", got)
		}
	})
}

// TestTimeFieldAlreadyReceived: a preserving one-step upload repeated
// because its reply was lost, with the same time written differently
// ('23:59:59.25' then '23:59:59.250000'), finds the record already
// received and stores nothing (PROTOCOL 8.4.2): times compare as times of
// day, not as the text the client sent or the database returns.
func TestTimeFieldAlreadyReceived(t *testing.T) {
	t.Parallel()
	s := clockServer(t)
	c := clockClient(t, s)
	s.step(t, c, "upload_entire_database", clockOneStep(t, "1", "1", "'23:59:59.25'"), "Success")
	first := storedClockAt(t, s, c, "1 = 1")
	c.ResetSession()
	s.step(t, c, "upload_entire_database", clockOneStep(t, "1", "1", "'23:59:59.250000'"), "Success")
	if got := storedClockAt(t, s, c, "1 = 1"); !slices.Equal(got, first) || len(got) != 1 {
		t.Fatalf("rows after the repeat %q, before %q; want one row, unchanged", got, first)
	}
}
