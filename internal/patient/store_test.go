package patient_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// mustOpenClientDB opens a fresh database with the default registry's
// client tables, among them patient and patient_idnum.
func mustOpenClientDB(tb testing.TB) *bun.DB {
	tb.Helper()
	db, err := sqldb.Open(dbtest.NewURL(tb))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// mustDeviceID returns the id of the device with that name, creating it
// unless it is the server's, which the migration creates.
func mustDeviceID(tb testing.TB, db bun.IDB, name string) int64 {
	tb.Helper()
	var id int64
	q := "SELECT id FROM devices WHERE name = ?"
	if name != device.ServerName {
		q = "INSERT INTO devices (name) VALUES (?) RETURNING id"
	}
	if err := db.NewRaw(q, name).Scan(tb.Context(), &id); err != nil {
		tb.Fatalf("device %q: %v", name, err)
	}
	return id
}

// mustPatient inserts a patient row of dev with client id id and returns
// its _pk.
func mustPatient(tb testing.TB, db bun.IDB, dev, id int64, era string, current bool, forename string) int64 {
	tb.Helper()
	var pk int64
	err := db.NewRaw(`INSERT INTO patient (id, forename, surname, sex, dob, _device_id, _era, _current)
VALUES (?, ?, 'Smith', 'F', '1980-02-29', ?, ?, ?) RETURNING _pk`, id, forename, dev, era, current).Scan(tb.Context(), &pk)
	if err != nil {
		tb.Fatalf("insert patient: %v", err)
	}
	return pk
}

// mustIDNum inserts a patient_idnum row of dev for client patient patientID.
// value is an int64, or nil for NULL.
func mustIDNum(tb testing.TB, db bun.IDB, dev, patientID, which int64, value any, current bool) {
	tb.Helper()
	_, err := db.ExecContext(tb.Context(), `INSERT INTO patient_idnum (id, patient_id, which_idnum, idnum_value, _device_id, _era, _current)
VALUES (?, ?, ?, ?, ?, 'NOW', ?)`, patientID*100+which, patientID, which, value, dev, current)
	if err != nil {
		tb.Fatalf("insert patient_idnum: %v", err)
	}
}

func TestStore_ServerPatient(t *testing.T) {
	db := mustOpenClientDB(t)
	server, tablet := mustDeviceID(t, db, device.ServerName), mustDeviceID(t, db, "tab1")
	s := patient.NewStore(db)

	ann := mustPatient(t, db, server, 1, "NOW", true, "Ann")
	mustIDNum(t, db, server, 1, 1, int64(9434765919), true)
	mustIDNum(t, db, server, 1, 2, int64(42), true)
	mustIDNum(t, db, server, 1, 3, int64(7), false)                                  // not current
	mustIDNum(t, db, server, 1, 4, nil, true)                                        // no value
	mustIDNum(t, db, server, 2, 5, int64(8), true)                                   // another patient
	mustIDNum(t, db, tablet, 1, 6, int64(9), true)                                   // the tablet's patient 1
	old := mustPatient(t, db, server, 3, "NOW", false, "Old")                        // not current
	preserved := mustPatient(t, db, server, 4, "2026-01-01T00:00:00Z", true, "Kept") // not era NOW
	tablets := mustPatient(t, db, tablet, 1, "NOW", true, "Tab")                     // not the server's

	t.Run("OK", func(t *testing.T) {
		got, err := s.ServerPatient(t.Context(), ann)
		if err != nil {
			t.Fatal(err)
		}
		want := &patient.ServerPatient{
			PK: ann, ID: 1,
			Forename: ptr("Ann"), Surname: ptr("Smith"), Sex: ptr("F"), DOB: ptr("1980-02-29"),
			IDNums: map[int64]int64{1: 9434765919, 2: 42},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ServerPatient(%d) mismatch (-want +got):\n%s", ann, diff)
		}
	})
	for name, pk := range map[string]int64{
		"NoneForNotCurrent": old, "NoneForPreserved": preserved, "NoneForTablets": tablets, "NoneForUnknown": 1_000_000,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := s.ServerPatient(t.Context(), pk)
			if got != nil || err != nil {
				t.Errorf("ServerPatient(%d) = %+v, %v; want nil, nil", pk, got, err)
			}
		})
	}
}
