package records

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Sizes of the benchmark database: benchRows phq9 rows over benchDevices
// devices with benchPatients patients each, in two eras; an ID number is
// shared by the same patient on benchShare devices.
const (
	benchRows     = 1_000_000
	benchDevices  = 200
	benchPatients = 100
	benchShare    = 10
)

// benchDB is a PostgreSQL database with the default registry's tables and
// benchRows rows in phq9, filled by the server itself (generate_series):
// row g belongs to device 1 + g%200 and its patient 1 + (g/200)%100; one
// row in ten is in an old era, one in twenty not current. Every device has
// its patients in both eras, each with ID number 1 valued
// (device%20)*1000 + patient, so a number finds ten devices' patients.
func benchDB(b *testing.B) (*bun.DB, *registry.Registry) {
	b.Helper()
	if !dbtest.Postgres() {
		b.Skip("the records benchmarks need PostgreSQL: set " + dbtest.EnvURL)
	}
	db, err := sqldb.Open(dbtest.NewURL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	const era = "CASE WHEN (g / 20000) % 10 = 0 THEN '2020-01-01T00:00:00Z' ELSE 'NOW' END"
	for _, q := range []string{
		`INSERT INTO phq9 (_pk, id, when_created, patient_id, q1, q2, _device_id, _era, _current, _when_added_exact)
		 SELECT g, g, '2020-01-01T10:00:00.000+00:00', 1 + (g / 200) % 100, g % 4, 1, 1 + g % 200, ` + era + `,
		   (g / 7) % 20 <> 0, now()
		 FROM generate_series(1, 1000000) AS g`,
		`INSERT INTO patient (id, forename, _device_id, _era, _current)
		 SELECT p, 'P', d, e, TRUE FROM generate_series(1, 200) AS d, generate_series(1, 100) AS p,
		   (VALUES ('NOW'), ('2020-01-01T00:00:00Z')) AS v(e)`,
		`INSERT INTO patient_idnum (id, patient_id, which_idnum, idnum_value, _device_id, _era, _current)
		 SELECT p, p, 1, (d % 20) * 1000 + p, d, e, TRUE FROM generate_series(1, 200) AS d,
		   generate_series(1, 100) AS p, (VALUES ('NOW'), ('2020-01-01T00:00:00Z')) AS v(e)`,
		"SELECT setval(pg_get_serial_sequence('phq9', '_pk'), 1000000)",
		"ANALYZE phq9", "ANALYZE patient", "ANALYZE patient_idnum",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	return db, registry.Default()
}

// explain logs PostgreSQL's plan of query and fails if it reads a whole
// table.
func explain(b *testing.B, db *bun.DB, query string, args ...any) {
	b.Helper()
	var lines []string
	if err := db.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+query, args...).Scan(context.Background(), &lines); err != nil {
		b.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	b.Logf("plan:\n%s", plan)
	if strings.Contains(plan, "Seq Scan on phq9") {
		b.Errorf("a sequential scan of phq9")
	}
}

func BenchmarkRecordsPage(b *testing.B) {
	db, reg := benchDB(b)
	phq9, _ := reg.Table("phq9")
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		f     Filter
		after int64
	}{
		{"All", Filter{}, 500_000},
		{"Device", Filter{DeviceID: 77}, 500_000},
		{"IDNum", Filter{IDNum: &IDNumRef{Which: 1, Value: 17*1000 + 42}}, 0},
		{"DeviceIDNum", Filter{DeviceID: 17, IDNum: &IDNumRef{Which: 1, Value: 17*1000 + 42}}, 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			var keys []patientKey
			if c.f.IDNum != nil {
				var err error
				if keys, err = patientKeys(ctx, db, reg, *c.f.IDNum, c.f.DeviceID); err != nil {
					b.Fatal(err)
				}
			}
			q, args, _ := pageQuery(phq9, c.f.DeviceID, keys, c.after, DefaultLimit+1, true)
			explain(b, db, q, args...)
			for b.Loop() {
				p, err := Page(ctx, db, reg, "phq9", c.f, c.after, DefaultLimit)
				if err != nil || len(p.Rows) == 0 {
					b.Fatalf("page: %d rows, %v", len(p.Rows), err)
				}
			}
		})
	}
}

func BenchmarkPatientView(b *testing.B) {
	db, reg := benchDB(b)
	ctx := context.Background()
	keys, err := patientKeys(ctx, db, reg, IDNumRef{Which: 1, Value: 17*1000 + 42}, 0)
	if err != nil {
		b.Fatal(err)
	}
	tables, err := withRows(ctx, db, reg, keys)
	if err != nil || len(tables) != 1 {
		b.Fatalf("tables with rows: %d, %v; want phq9", len(tables), err)
	}
	q, args := taskQuery(tables, keys)
	explain(b, db, q, args...)
	for b.Loop() {
		p, err := PatientView(ctx, db, reg, 1, 17*1000+42)
		if err != nil || len(p.Tasks) != 1 || len(p.Patients.Rows) != 2*benchShare {
			b.Fatalf("patient view: %d patients, %d tables, %v", len(p.Patients.Rows), len(p.Tasks), err)
		}
	}
}
