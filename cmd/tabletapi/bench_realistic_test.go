package main_test

// The one-step upload of a realistic tablet (issue 9, Performance): a body
// of about 2 MB with rows in 31 tables of the full default registry,
// patients with NHS numbers, BLOBs, 23 tasks and 5 of their child tables,
// the other registry tables sent empty as the real client sends them
// (PROTOCOL 8.8). Its baseline is a raw COPY of the same rows into the
// same tables of a fresh database. Figures and commands in BENCHMARKS.md.

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// realisticPatients is the number of patients of the realistic tablet; each has
// one NHS number.
const realisticPatients = 80

// realisticWarmUps is the number of untimed requests that warm a server (or a
// baseline's connection) up before the timed ones, as a server in service
// is warm: its pooled connections have read the catalog entries of the
// registry's tables.
const realisticWarmUps = 2

// realisticTableSpec is a table of the realistic tablet that has rows.
type realisticTableSpec struct {
	name string
	rows int
	// parent and fk: a child table's task, and the child's field that
	// holds the client PK of its task's row.
	parent, fk string
}

// realisticTables are the tablet's tables with rows besides patient,
// patient_idnum and blobs: a clinic's mix of frequent questionnaires and
// rarer long assessments, with a few tasks that have child tables. The
// counts make the body about 2 MB.
var realisticTables = []realisticTableSpec{
	{name: "phq9", rows: 200},
	{name: "gad7", rows: 200},
	{name: "bmi", rows: 100},
	{name: "audit", rows: 40},
	{name: "hads", rows: 80},
	{name: "core10", rows: 80},
	{name: "wemwbs", rows: 40},
	{name: "epds", rows: 20},
	{name: "cgi", rows: 50},
	{name: "honos", rows: 50},
	{name: "bprs", rows: 20},
	{name: "panss", rows: 20},
	{name: "ybocs", rows: 15},
	{name: "cape42", rows: 15},
	{name: "moca", rows: 8},
	{name: "cisr", rows: 15},
	{name: "ace3", rows: 6},
	{name: "progressnote", rows: 80},
	{name: "photo", rows: 6},
	{name: "photosequence", rows: 3},
	{name: "photosequence_photos", rows: 9, parent: "photosequence", fk: "photosequence_id"},
	{name: "diagnosis_icd10", rows: 30},
	{name: "diagnosis_icd10_item", rows: 75, parent: "diagnosis_icd10", fk: "diagnosis_icd10_id"},
	{name: "ided3d", rows: 8},
	{name: "ided3d_stages", rows: 72, parent: "ided3d", fk: "ided3d_id"},
	{name: "ided3d_trials", rows: 500, parent: "ided3d", fk: "ided3d_id"},
	{name: "khandaker_mojo_medicationtherapy", rows: 20},
	{name: "khandaker_mojo_medication_item", rows: 50, parent: "khandaker_mojo_medicationtherapy", fk: "medicationtable_id"},
}

// realisticTexts are the free-text answers, with what the client's encoding must
// escape: quotes, a newline, a backslash, and characters beyond ASCII.
var realisticTexts = []string{
	"No concerns raised today.",
	"Patient's mood improved since last visit; sleeping better.",
	"Reports \"good days and bad days\".\nFollow up in 4 weeks.",
	"Dr Ana Müller",
	"Consultant psychiatrist",
	"CPFT Older People's Mental Health, Fulbourn",
	"C:\\scans\\intake",
	"Sertraline 50 mg",
	"F32.1",
	"Moderate depressive episode",
	"GMC 1234567",
	"01223 000000",
}

// blobRef is a task field that points at a BLOB.
type blobRef struct {
	table, field string
	pk           int
}

// realisticTablet returns the realistic tablet's database: every table of reg,
// those of realisticTables (and patient, patient_idnum, blobs) with rows, the
// others as empty lists. Every row sets every field of its table, NULL
// where a real record would leave one empty; each value is a literal of
// the field's type as the client writes it (PROTOCOL 7.4).
func realisticTablet(tb testing.TB, reg *registry.Registry) map[string][]tabletRow {
	tb.Helper()
	db := map[string][]tabletRow{}
	for _, n := range reg.Names() {
		db[n] = []tabletRow{}
	}
	nhs := nhsNumbers(realisticPatients)
	for i := 1; i <= realisticPatients; i++ {
		p := benchPatient(i)
		p["uuid"] = fmt.Sprintf("'6f1c1b7e-3f43-4a8e-9d3c-%012x'", i)
		db["patient"] = append(db["patient"], p)
		db["patient_idnum"] = append(db["patient_idnum"], benchIDNum(i, i, nhs[i-1]))
	}
	var refs []blobRef
	for k, spec := range realisticTables {
		t, ok := reg.Table(spec.name)
		if !ok {
			tb.Fatalf("realistic tablet: the registry has no table %s", spec.name)
		}
		parentRows := 0
		if spec.parent != "" {
			parentRows = len(db[spec.parent])
			if parentRows == 0 {
				tb.Fatalf("realistic tablet: %s comes before its parent %s", spec.name, spec.parent)
			}
		}
		for i := range spec.rows {
			db[t.Name] = append(db[t.Name], realisticRow(tb, t, spec, k, i, parentRows, &refs))
		}
	}
	for n, ref := range refs {
		db["blobs"] = append(db["blobs"], realisticBlob(n+1, ref))
	}
	for _, t := range reg.Tables() {
		for _, r := range db[t.Name] {
			if len(r) != len(t.Fields) {
				tb.Fatalf("realistic tablet: a %s row has %d fields, the registry %d", t.Name, len(r), len(t.Fields))
			}
			for _, f := range t.Fields {
				if _, ok := r[f.Name]; !ok {
					tb.Fatalf("realistic tablet: a %s row lacks %s", t.Name, f.Name)
				}
			}
		}
	}
	return db
}

// realisticRow returns row i of spec's table t, the k-th of realisticTables; a child's
// row belongs to row i mod parentRows of its task. Each *_blobid field
// gets a new BLOB, recorded in refs.
func realisticRow(tb testing.TB, t *registry.Table, spec realisticTableSpec, k, i, parentRows int, refs *[]blobRef) tabletRow {
	tb.Helper()
	id := i + 1
	at := (k*1000+i)*3600 + k*17 // when the record was made, in seconds after benchEpoch
	r := make(tabletRow, len(t.Fields))
	for fi, f := range t.Fields {
		var v string
		switch {
		case f.Name == t.PK:
			v = strconv.Itoa(id)
		case f.Name == "_move_off_tablet":
			v = "0"
		case f.Name == "when_created":
			v = benchWhen(at)
		case f.Name == "when_last_modified", f.Name == "when_firstexit":
			v = benchWhen(at + 300 + i%240)
		case f.Name == "firstexit_is_finish":
			v = "1"
		case f.Name == "firstexit_is_abort":
			v = "0"
		case f.Name == "patient_id" && t.Kind == registry.KindTask:
			v = strconv.Itoa(i%realisticPatients + 1)
		case f.Name == spec.fk:
			v = strconv.Itoa(i%parentRows + 1)
		case strings.HasSuffix(f.Name, "_blobid"):
			*refs = append(*refs, blobRef{table: t.Name, field: f.Name, pk: id})
			v = strconv.Itoa(len(*refs))
		default:
			v = realisticValue(tb, f, i, fi, at)
		}
		r[f.Name] = v
	}
	return r
}

// realisticValue returns a literal of f's type for row i, field index fi: small
// integers as questionnaire answers are, reals with the client's 6
// significant digits, one field in nine NULL.
func realisticValue(tb testing.TB, f registry.Field, i, fi, at int) string {
	tb.Helper()
	n := i*31 + fi*7
	if n%9 == 4 {
		return "NULL"
	}
	switch f.Type {
	case registry.Integer:
		return strconv.Itoa(n % 5)
	case registry.Real:
		return formatReal(float64(n%100_000) / 97)
	case registry.Boolean:
		return strconv.Itoa(n % 2)
	case registry.Date:
		return "'" + benchEpoch.AddDate(0, 0, -n%3000).Format(time.DateOnly) + "'"
	case registry.DateTime:
		return benchWhen(at + fi*13)
	case registry.Text:
		return testclient.EncodeLiteral(testclient.TextValue(realisticTexts[n%len(realisticTexts)]))
	}
	tb.Fatalf("realistic tablet: no value for %s of type %s", f.Name, f.Type)
	return ""
}

// realisticBlob returns the blobs row id for ref: a PNG-like image of 2–10 KB,
// random bytes as compressed image data are.
func realisticBlob(id int, ref blobRef) tabletRow {
	rng := rand.New(rand.NewPCG(uint64(id), 9))
	img := make([]byte, 2048+id*2731%8192)
	for j := range img {
		img[j] = byte(rng.Uint32())
	}
	copy(img, "\x89PNG\r\n\x1a\n")
	return tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": "0", "when_last_modified": benchWhen(id * 3600),
		"tablename": "'" + ref.table + "'", "tablepk": strconv.Itoa(ref.pk), "fieldname": "'" + ref.field + "'",
		"filename": "NULL", "mimetype": "'image/png'", "image_rotation_deg_cw": strconv.Itoa(id % 4 * 90),
		"theblob": testclient.EncodeLiteral(testclient.BytesValue(img))}
}

// nonEmptyTables returns the number of tables of db with rows.
func nonEmptyTables(db map[string][]tabletRow) int {
	n := 0
	for _, rows := range db {
		if len(rows) > 0 {
			n++
		}
	}
	return n
}

// BenchmarkOneStepRealisticTablet measures upload_entire_database (Copy)
// of the realistic tablet by a new device each iteration, on a server with
// the full default registry, warmed up by realisticWarmUps uploads. The body is
// prepared outside the timer.
//
// Metrics: records/s; go-cpu-ms/op and pg-cpu-ms/op, the CPU of this
// process (server and client) and of PostgreSQL's backends (cpuUse);
// body-MB; tables, the registry's; tables-with-rows, the body's.
func BenchmarkOneStepRealisticTablet(b *testing.B) {
	skipUnlessBench(b)
	e := startBenchEnv(b)
	reg := registry.Default()
	tablet := realisticTablet(b, reg)
	records, withRows := recordCount(tablet), nonEmptyTables(tablet)
	params := dbdataParam(b, tablet)
	tablet = nil
	var bodyBytes int
	upload := func(timed func(post func())) *testclient.Client {
		c := e.newDevice(b)
		e.do(b, c, "check_upload_user_and_device", nil, "check_upload_user_and_device")
		body := []byte(commonForm(c, "upload_entire_database") + "&" + params)
		bodyBytes = len(body)
		timed(func() { e.post(b, "upload_entire_database", bytes.NewReader(body), int64(len(body)), "Success") })
		return c
	}
	var c *testclient.Client
	for range realisticWarmUps {
		c = upload(func(post func()) { post() })
	}
	wantRealisticStored(b, e, reg, e.deviceID(b, c), records)
	cpu := newCPUUse(e)
	for b.Loop() {
		b.StopTimer()
		upload(func(post func()) {
			cpu.begin(b)
			b.StartTimer()
			post()
			b.StopTimer()
			cpu.end(b)
		})
		b.StartTimer()
	}
	reportRate(b, records)
	cpu.report(b)
	b.ReportMetric(float64(bodyBytes)/1e6, "body-MB")
	b.ReportMetric(float64(len(reg.Names())), "tables")
	b.ReportMetric(float64(withRows), "tables-with-rows")
}

// wantRealisticStored fails unless device dev has records current rows in the
// tables of reg.
func wantRealisticStored(b *testing.B, e *benchEnv, reg *registry.Registry, dev int64, records int) {
	b.Helper()
	stored := 0
	for _, n := range reg.Names() {
		stored += e.s.count(b, n, "_device_id = ? AND _era = 'NOW' AND _current", dev)
	}
	if stored != records {
		b.Fatalf("the upload stored %d rows, want %d", stored, records)
	}
}

// BenchmarkRawCopyRealisticTablet is the baseline of
// BenchmarkOneStepRealisticTablet: the same rows, converted outside the
// timer to the values the server stores, copied with one COPY … FROM STDIN
// per table in one transaction, with the bookkeeping values of a one-step
// upload of a new device, into tables of the server's own schema (same
// columns, key and indexes) in a fresh database where a server has created
// every registry table. No application logic: no reads, no checks, no
// audit.
func BenchmarkRawCopyRealisticTablet(b *testing.B) {
	skipUnlessBench(b)
	e := startBenchEnv(b)
	tablet := realisticTablet(b, registry.Default())
	records := recordCount(tablet)
	fs := newFullSchemaTables(b, e.s.DB, rawTables(b, tablet), false)
	tablet = nil
	conn, err := e.s.DB.Conn(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for range realisticWarmUps {
		fs.nextDevice()
		rawCopy(b, conn, fs.tables, "full_")
	}
	cpu := newCPUUse(e)
	for b.Loop() {
		b.StopTimer()
		fs.nextDevice()
		cpu.begin(b)
		b.StartTimer()
		rawCopy(b, conn, fs.tables, "full_")
		b.StopTimer()
		cpu.end(b)
		b.StartTimer()
	}
	reportRate(b, records)
	cpu.report(b)
	b.ReportMetric(float64(len(fs.tables)), "tables-with-rows")
}

// TestRealisticTabletShape checks the realistic tablet of the benchmarks
// against the brief it stands for: every registry table present, about
// 30 with rows, a body of about 2 MB.
func TestRealisticTabletShape(t *testing.T) {
	reg := registry.Default()
	tablet := realisticTablet(t, reg)
	if got, want := slices.Sorted(maps.Keys(tablet)), reg.Names(); !slices.Equal(got, want) {
		t.Fatalf("tables = %d, want every registry table (%d)", len(got), len(want))
	}
	if n := nonEmptyTables(tablet); n < 28 || n > 32 {
		t.Errorf("tables with rows = %d, want about 30", n)
	}
	// The common parameters before them are about 250 bytes.
	if n := len(dbdataParam(t, tablet)); n < 1_800_000 || n > 2_200_000 {
		t.Errorf("upload_entire_database's parameters = %d bytes, want about 2 MB", n)
	}
}
