package main_test

// Benchmarks of the upload claims (figures and commands in
// BENCHMARKS-upload.md): upload_table of 10,000 records, a one-step upload
// of a 50,000-record tablet, the commit of 10,000 pending records on top of
// 0 or 1,000,000 stored rows, and the server's peak memory during the
// one-step upload. Each server benchmark has a raw baseline in the same
// run: the same rows inserted into the same PostgreSQL with no application
// logic. They all need PostgreSQL (TABLETAPI_TEST_DATABASE_URL).
//
// The client, the server and PostgreSQL share the machine, so only ratios
// between benchmarks of one run mean anything.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/schema"
	"github.com/tabletapi/tabletapi/testclient"
)

const (
	benchUser         = "alice"
	benchUserPassword = "pw!-secret"
	// table10k is the number of bmi records of one upload_table.
	table10k = 10_000
	// benchStored is the number of stored rows the commit benchmark seeds.
	benchStored = 1_000_000
	// rawChunk is the number of rows per multi-row INSERT of the raw
	// baselines: the engine's chunk (internal/upload/rows.go).
	rawChunk = 500
	// heapProfileEnv names a file for the heap profile taken at the
	// one-step upload's peak live heap (optional).
	heapProfileEnv = "TABLETAPI_BENCH_HEAPPROFILE"
	// explainEnv names a file to which BenchmarkCommit10k appends the
	// plans of the commit's statements (optional; they are run and rolled
	// back before the first measured end_upload, which the dead tuples
	// left behind may slow: a diagnostic, not for measuring runs).
	explainEnv = "TABLETAPI_BENCH_EXPLAIN"
)

// skipUnlessBench skips b unless the suite runs against PostgreSQL.
func skipUnlessBench(b *testing.B) {
	b.Helper()
	if !dbtest.Postgres() {
		b.Skipf("needs PostgreSQL: set %s, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable "+
			"(the upload claims are about PostgreSQL)", dbtest.EnvURL)
	}
}

// benchEnv is a server with an uploader allowed to register devices and ID
// type 1 (NHS number, validated).
type benchEnv struct {
	s  *testServer
	hc *http.Client
}

// startBenchEnv starts the real server with the compiled-in default registry,
// the full one of issue 9 (152 tables), so that every figure is measured
// with all of its tables present; it fails if the server has another.
func startBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	s := startServer(b)
	if want := " tables=" + strconv.Itoa(len(registry.Default().Names())) + " "; !strings.Contains(s.Log.String(), want) {
		b.Fatalf("the server does not serve the default registry (%q):\n%s", want, s.Log)
	}
	s.addUser(b, "research", benchUser, benchUserPassword, "--may-upload", "--may-register-devices")
	s.mustAdmin(b, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	t := http.DefaultTransport.(*http.Transport).Clone()
	return &benchEnv{s: s, hc: &http.Client{Transport: t, Timeout: 10 * time.Minute}}
}

// newDevice returns a client of a newly registered device, with no session.
func (e *benchEnv) newDevice(b *testing.B) *testclient.Client {
	b.Helper()
	c := testclient.New(testclient.Config{URL: e.s.API, Device: testclient.NewDeviceID(),
		User: benchUser, Password: benchUserPassword, HTTPClient: e.hc})
	if _, err := c.RegisterSequence(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	return c
}

// deviceID returns the server's id of c's device.
func (e *benchEnv) deviceID(b *testing.B, c *testclient.Client) int64 {
	b.Helper()
	var id int64
	if err := e.s.DB.QueryRowContext(context.Background(), "SELECT id FROM devices WHERE name = ?", c.Device()).Scan(&id); err != nil {
		b.Fatal(err)
	}
	return id
}

// wantBenchReply fails unless r is a success with result want.
func wantBenchReply(b *testing.B, s *testServer, op string, r *testclient.Reply, want string) {
	b.Helper()
	if err := r.Err(); err != nil || r.Values["result"] != want {
		body := r.Body
		if len(body) > 2000 {
			body = body[:2000]
		}
		log := s.Log.String()
		if len(log) > 4000 {
			log = log[len(log)-4000:]
		}
		b.Fatalf("%s: %v, reply %d\n%s\nserver log (tail):\n%s", op, err, r.Status, body, log)
	}
}

// do sends one small request through the client, which keeps the session.
func (e *benchEnv) do(b *testing.B, c *testclient.Client, op string, params map[string]string, want string) {
	b.Helper()
	r, err := c.Do(context.Background(), op, params)
	if err != nil {
		b.Fatal(err)
	}
	wantBenchReply(b, e.s, op, r, want)
}

// commonForm is the encoded start of a request of c as the real client
// sends it mid-sequence: operation, version, device, credentials and the
// current session. The operation's own parameters follow after "&".
func commonForm(c *testclient.Client, op string) string {
	id, token := c.Session()
	p := map[string]string{"operation": op, "camcops_version": testclient.DefaultCamcopsVersion,
		"device": c.Device(), "user": benchUser, "password": benchUserPassword}
	if id != "" && token != "" {
		p["session_id"], p["session_token"] = id, token
	}
	return testclient.EncodeForm(p)
}

// post sends a prepared body of size n and checks the result.
func (e *benchEnv) post(b *testing.B, op string, body io.Reader, n int64, want string) {
	b.Helper()
	req, err := http.NewRequest(http.MethodPost, e.s.API, body)
	if err != nil {
		b.Fatal(err)
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", testclient.FormContentType)
	resp, err := e.hc.Do(req)
	if err != nil {
		b.Fatalf("%s: %v", op, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatalf("%s: %v", op, err)
	}
	wantBenchReply(b, e.s, op, testclient.ParseReply(resp.StatusCode, resp.Header, data), want)
}

// ---------------------------------------------------------------------------
// The tablet's data, as the real client encodes it (PROTOCOL 7.4): every
// value an SQL literal, reals with 6 significant digits, date-times with
// milliseconds and an offset.

var (
	forenames  = []string{"Ann", "Bob", "Cara", "Dev", "Eve", "Finn", "Gita", "Hugo", "Iris", "Jon", "Kay", "Liam", "Mia", "Nye", "Ola", "Pia", "Raj", "Sue", "Tom", "Uma"}
	surnames   = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "O''Brien", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason", "Mitchell", "Rose", "Davis"}
	benchEpoch = time.Date(2024, 5, 1, 9, 30, 0, 0, time.FixedZone("", 3600))
)

// benchWhen is a client date-time literal, seconds after benchEpoch.
func benchWhen(sec int) string {
	return "'" + benchEpoch.Add(time.Duration(sec)*time.Second+time.Duration(sec%1000)*time.Millisecond).
		Format("2006-01-02T15:04:05.000-07:00") + "'"
}

// formatReal is a real as the client writes it: C %g, 6 significant digits.
func formatReal(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

func benchBMI(id, patientID int) tabletRow {
	comment := "NULL"
	if id%4 == 0 {
		comment = "'Said ''fine''\\nthen left'"
	}
	waist := "NULL"
	if id%3 == 0 {
		waist = formatReal(70 + float64(id%400)/10)
	}
	return tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": "NULL", "when_last_modified": benchWhen(id*60 + 72),
		"when_created": benchWhen(id * 60), "firstexit_is_finish": "1", "firstexit_is_abort": "0",
		"when_firstexit": benchWhen(id*60 + 72), "editing_time_s": formatReal(30 + float64(id%900)/10),
		"patient_id": strconv.Itoa(patientID), "mass_kg": formatReal(45 + float64(id*37%700)/10),
		"height_m": formatReal(1.45 + float64(id%55)/100), "waist_cm": waist, "comment": comment}
}

func benchPHQ9(id, patientID int) tabletRow {
	r := tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": "NULL", "when_last_modified": benchWhen(id*90 + 40),
		"when_created": benchWhen(id * 90), "firstexit_is_finish": "1", "firstexit_is_abort": "0",
		"when_firstexit": benchWhen(id*90 + 40), "editing_time_s": formatReal(20 + float64(id%400)/10),
		"patient_id": strconv.Itoa(patientID)}
	for q := 1; q <= 10; q++ {
		r["q"+strconv.Itoa(q)] = strconv.Itoa((id*7 + q*3) % 4)
	}
	return r
}

func benchPatient(id int) tabletRow {
	sex := "'F'"
	if id%2 == 0 {
		sex = "'M'"
	}
	email := "NULL"
	if id%5 == 0 {
		email = "'patient" + strconv.Itoa(id) + "@example.org'"
	}
	dob := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, id*7%27000).Format("2006-01-02")
	return tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": "0", "when_last_modified": benchWhen(id * 30),
		"forename": "'" + forenames[id%len(forenames)] + "'", "surname": "'" + surnames[id%len(surnames)] + "'",
		"sex": sex, "dob": "'" + dob + "'", "email": email, "address": "NULL", "gp": "NULL", "other": "NULL"}
}

func benchIDNum(id, patientID int, nhs int64) tabletRow {
	return tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": "NULL", "when_last_modified": benchWhen(patientID * 30),
		"patient_id": strconv.Itoa(patientID), "which_idnum": "1", "idnum_value": strconv.FormatInt(nhs, 10)}
}

// nhsNumbers returns n distinct valid NHS numbers.
func nhsNumbers(n int) []int64 {
	out := make([]int64, 0, n)
	for v := int64(4_000_000_000); len(out) < n; v++ {
		if patient.ValidNHSNumber(v) {
			out = append(out, v)
			v += 6 // spread them a little
		}
	}
	return out
}

// benchBMITable returns n bmi rows with client PKs from first.
func benchBMITable(first, n int) []tabletRow {
	rows := make([]tabletRow, n)
	for i := range rows {
		rows[i] = benchBMI(first+i, i%10_000+1)
	}
	return rows
}

// benchTablet returns the 50,000-record tablet database: 10,000 patients, an
// NHS number each, 20,000 bmi and 10,000 phq9 tasks; no BLOBs.
func benchTablet() map[string][]tabletRow {
	const patients = 10_000
	nhs := nhsNumbers(patients)
	db := map[string][]tabletRow{"blobs": {}}
	for i := 1; i <= patients; i++ {
		db["patient"] = append(db["patient"], benchPatient(i))
		db["patient_idnum"] = append(db["patient_idnum"], benchIDNum(i, i, nhs[i-1]))
		db["phq9"] = append(db["phq9"], benchPHQ9(i, i))
	}
	db["bmi"] = benchBMITable(1, 2*patients)
	return db
}

func recordCount(db map[string][]tabletRow) int {
	n := 0
	for _, rows := range db {
		n += len(rows)
	}
	return n
}

// uploadTableForm encodes upload_table's own parameters for rows of
// table (the part of the body after the common parameters).
func uploadTableForm(table string, rows []tabletRow) string {
	p := map[string]string{"table": table, "pkname": "id", "fields": tableColumns[table], "nrecords": strconv.Itoa(len(rows))}
	for i, r := range rows {
		p["record"+strconv.Itoa(i)] = recordLiteral(table, r)
	}
	return testclient.EncodeForm(p)
}

// dbdataParam encodes upload_entire_database's parameters (Copy: not
// finalizing) for db: compact JSON with sorted keys, as the client writes
// it (PROTOCOL 8.8).
func dbdataParam(b testing.TB, db map[string][]tabletRow) string {
	b.Helper()
	pk := map[string]string{}
	for table := range db {
		pk[table] = "id"
	}
	enc := func(v any) string {
		var buf bytes.Buffer
		e := json.NewEncoder(&buf)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			b.Fatal(err)
		}
		return strings.TrimSuffix(buf.String(), "\n")
	}
	return testclient.EncodeForm(map[string]string{"finalizing": "0", "pknameinfo": enc(pk), "dbdata": enc(db)})
}

// ---------------------------------------------------------------------------
// Raw baselines: the same rows, converted outside the timer to the values
// the server stores (PROTOCOL 7.5; date-times as their storage text), are
// inserted with no application logic into plain tables with the same client
// columns (no key, no index), in one transaction per iteration.

// sqlNull is NULL in the raw rows: bun.Tuple, like bun.In, panics on a nil
// element.
var sqlNull = bun.Safe("NULL")

// rawTable is one table's rows as typed values.
type rawTable struct {
	name string            // the registry table
	cols []string          // the client's columns, in its order
	rows [][]any           // typed values in the order of cols
	ddl  map[string]string // column → SQL type
}

func rawTables(b *testing.B, db map[string][]tabletRow) []*rawTable {
	b.Helper()
	reg := registry.Default()
	var out []*rawTable
	for _, t := range reg.Tables() {
		rows := db[t.Name]
		if len(rows) == 0 {
			continue
		}
		rt := &rawTable{name: t.Name, cols: rawColumns(t, rows[0]), ddl: map[string]string{}}
		for _, c := range rt.cols {
			f, ok := t.Field(c)
			if !ok {
				b.Fatalf("%s has no field %s", t.Name, c)
			}
			rt.ddl[c] = schema.FieldSQLType(f.Type, true)
		}
		for _, r := range rows {
			m := make([]any, 0, len(rt.cols))
			for _, c := range rt.cols {
				f, _ := t.Field(c)
				v, err := codec.Convert(codec.Classify(r[c]), f.Type)
				if err != nil {
					b.Fatalf("%s.%s = %s: %v", t.Name, c, r[c], err)
				}
				switch x := v.(type) {
				case codec.DateTime:
					v = x.String()
				case codec.Date:
					v = x.String()
				}
				if v == nil {
					v = sqlNull
				}
				m = append(m, v)
			}
			rt.rows = append(rt.rows, m)
		}
		out = append(out, rt)
	}
	return out
}

// rawColumns returns the columns of the raw rows of t: the client's
// column order of tableColumns where row sets those fields, else the fields of
// the registry that row sets, in registry order.
func rawColumns(t *registry.Table, row tabletRow) []string {
	if cols, ok := tableColumns[t.Name]; ok && strings.Count(cols, ",")+1 == len(row) {
		return strings.Split(cols, ",")
	}
	var cols []string
	for _, f := range t.Fields {
		if _, ok := row[f.Name]; ok {
			cols = append(cols, f.Name)
		}
	}
	return cols
}

// create makes the plain table raw_<name>.
func (rt *rawTable) create(b *testing.B, db *bun.DB) {
	b.Helper()
	defs := make([]string, len(rt.cols))
	for i, c := range rt.cols {
		defs[i] = c + " " + rt.ddl[c]
	}
	if _, err := db.ExecContext(context.Background(), "CREATE TABLE raw_"+rt.name+" ("+strings.Join(defs, ", ")+")"); err != nil {
		b.Fatal(err)
	}
}

// insert inserts the rows with multi-row INSERTs of rawChunk rows, the
// values written as literals by bun (bun.List of bun.Tuple), as the engine
// does.
func (rt *rawTable) insert(ctx context.Context, tx bun.Tx, table string) error {
	q := "INSERT INTO " + table + " (" + strings.Join(rt.cols, ", ") + ") VALUES ?"
	tuples := make([]bun.TupleValues, 0, rawChunk)
	for start := 0; start < len(rt.rows); start += rawChunk {
		tuples = tuples[:0]
		for _, r := range rt.rows[start:min(start+rawChunk, len(rt.rows))] {
			tuples = append(tuples, bun.Tuple(r))
		}
		if _, err := tx.NewRaw(q, bun.List(tuples)).Exec(ctx); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// copyText writes the rows in COPY's text format.
func (rt *rawTable) copyText(w *bufio.Writer) {
	var scratch []byte
	for _, r := range rt.rows {
		for i, v := range r {
			if i > 0 {
				w.WriteByte('\t')
			}
			switch x := v.(type) {
			case bun.Safe: // sqlNull
				w.WriteString(`\N`)
			case bool:
				if x {
					w.WriteByte('t')
				} else {
					w.WriteByte('f')
				}
			case int64:
				w.Write(strconv.AppendInt(scratch[:0], x, 10))
			case float64:
				w.Write(strconv.AppendFloat(scratch[:0], x, 'g', -1, 64))
			case time.Time:
				w.Write(x.AppendFormat(scratch[:0], time.RFC3339Nano))
			case []byte: // bytea's hex input \x…, its backslash escaped
				scratch = hex.AppendEncode(append(scratch[:0], `\\x`...), x)
				w.Write(scratch)
			case string:
				for j := 0; j < len(x); j++ {
					switch ch := x[j]; ch {
					case '\\':
						w.WriteString(`\\`)
					case '\n':
						w.WriteString(`\n`)
					case '\r':
						w.WriteString(`\r`)
					case '\t':
						w.WriteString(`\t`)
					default:
						w.WriteByte(ch)
					}
				}
			default:
				panic(fmt.Sprintf("copy: %T", x))
			}
		}
		w.WriteByte('\n')
	}
}

// unnest inserts the rows with one INSERT … SELECT FROM unnest(array, …)
// RETURNING _pk, id per table: each column is sent as one array literal,
// so PostgreSQL parses a few array values instead of a VALUES list of
// thousands of literals, and the statement still returns the new _pk of
// each client PK, as the engine needs. It is a candidate for the engine's
// insert (internal/upload/insert.go).
func (rt *rawTable) unnest(ctx context.Context, tx bun.Tx, table string, types []string) error {
	var q []byte
	q = append(q, "INSERT INTO "+table+" ("+strings.Join(rt.cols, ", ")+") SELECT * FROM unnest("...)
	var elem []byte
	for j := range rt.cols {
		if j > 0 {
			q = append(q, ", "...)
		}
		elem = append(elem[:0], '{')
		for i, r := range rt.rows {
			if i > 0 {
				elem = append(elem, ',')
			}
			switch x := r[j].(type) {
			case bun.Safe: // sqlNull
				elem = append(elem, "NULL"...)
			case bool:
				elem = strconv.AppendBool(elem, x)
			case int64:
				elem = strconv.AppendInt(elem, x, 10)
			case float64:
				elem = strconv.AppendFloat(elem, x, 'g', -1, 64)
			case time.Time:
				elem = x.AppendFormat(elem, time.RFC3339Nano)
			case string:
				elem = append(elem, '"')
				for k := 0; k < len(x); k++ {
					if x[k] == '"' || x[k] == '\\' {
						elem = append(elem, '\\')
					}
					elem = append(elem, x[k])
				}
				elem = append(elem, '"')
			default:
				return fmt.Errorf("unnest: %T", x)
			}
		}
		elem = append(elem, '}')
		q = tx.Dialect().AppendString(q, string(elem))
		q = append(q, "::"+types[j]+"[]"...)
	}
	q = append(q, ") RETURNING _pk, id"...)
	rows, err := tx.QueryContext(ctx, string(q))
	if err != nil {
		return fmt.Errorf("unnest into %s: %w", table, err)
	}
	defer rows.Close()
	pks := make(map[int64]int64, len(rt.rows))
	for rows.Next() {
		var pk, id int64
		if err := rows.Scan(&pk, &id); err != nil {
			return err
		}
		pks[id] = pk
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(pks) != len(rt.rows) {
		return fmt.Errorf("unnest into %s: %d rows returned, want %d", table, len(pks), len(rt.rows))
	}
	return nil
}

// pgColumnTypes returns the SQL types of table's columns cols.
func pgColumnTypes(b *testing.B, db *bun.DB, table string, cols []string) []string {
	b.Helper()
	out := make([]string, len(cols))
	for i, c := range cols {
		if err := db.QueryRowContext(context.Background(), "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ?::regclass AND attname = ?",
			table, c).Scan(&out[i]); err != nil {
			b.Fatalf("type of %s.%s: %v", table, c, err)
		}
	}
	return out
}

// rawUnnest inserts every table's rows with rt.unnest, in one
// transaction.
func rawUnnest(b *testing.B, conn bun.Conn, tables []*rawTable, prefix string, types [][]string) {
	b.Helper()
	err := conn.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		for i, rt := range tables {
			if err := rt.unnest(ctx, tx, prefix+rt.name, types[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// rawInsert inserts every table's rows in one transaction.
func rawInsert(b *testing.B, conn bun.Conn, tables []*rawTable, prefix string) {
	b.Helper()
	err := conn.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		for _, rt := range tables {
			if err := rt.insert(ctx, tx, prefix+rt.name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// rawCopy copies every table's rows with COPY FROM STDIN
// (pgdriver.CopyFrom), one COPY per table, in one transaction.
func rawCopy(b *testing.B, conn bun.Conn, tables []*rawTable, prefix string) {
	b.Helper()
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		b.Fatal(err)
	}
	for _, rt := range tables {
		pr, pw := io.Pipe()
		go func() {
			w := bufio.NewWriterSize(pw, 64<<10)
			rt.copyText(w)
			pw.CloseWithError(w.Flush())
		}()
		_, err := pgdriver.CopyFrom(ctx, conn, pr, "COPY "+prefix+rt.name+" ("+strings.Join(rt.cols, ", ")+") FROM STDIN")
		pr.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		b.Fatal(err)
	}
}

// fullSchemaTables inserts the rows, with the bookkeeping values of the
// engine's insert (internal/upload/insert.go), into copies of the server's own
// tables (CREATE TABLE … (LIKE t INCLUDING ALL): same columns, key and
// indexes), still with no application logic: it shows how much of the gap
// to the plain baseline is the schema.
type fullSchemaTables struct {
	tables  []*rawTable
	offsets []int // index of the first bookkeeping column in each table
	device  int64
	pending bool // multi-step values (pending addition), else one-step's
}

// bookkeepingColumns are the bookkeeping columns the engine's insert sets (the
// last three only in one-step uploads).
var bookkeepingColumns = []string{"_device_id", "_era", "_current", "_addition_pending", "_removal_pending",
	"_predecessor_pk", "_camcops_version", "_group_id", "_forcibly_preserved", "_manually_erased",
	"_adding_user_id", "_when_added_exact", "_when_added_batch_utc"}

func newFullSchemaTables(b *testing.B, db *bun.DB, plain []*rawTable, pending bool) *fullSchemaTables {
	b.Helper()
	fs := &fullSchemaTables{device: 1_000_000, pending: pending}
	for _, rt := range plain {
		if _, err := db.ExecContext(context.Background(), "CREATE TABLE full_"+rt.name+" (LIKE "+rt.name+" INCLUDING ALL)"); err != nil {
			b.Fatal(err)
		}
		cp := &rawTable{name: rt.name, cols: append(append([]string{}, rt.cols...), bookkeepingColumns...)}
		// The server gives a patient the client sent without uuid one.
		addUUID := rt.name == "patient" && !slices.Contains(rt.cols, "uuid")
		if addUUID {
			cp.cols = append(cp.cols, "uuid")
		}
		for _, r := range rt.rows {
			m := append(append(make([]any, 0, len(cp.cols)), r...), make([]any, len(bookkeepingColumns))...)
			if addUUID {
				m = append(m, fmt.Sprintf("00000000-0000-4000-8000-%012d", len(cp.rows)))
			}
			cp.rows = append(cp.rows, m)
		}
		fs.offsets = append(fs.offsets, len(rt.cols))
		fs.tables = append(fs.tables, cp)
	}
	return fs
}

// nextDevice sets the bookkeeping values of the next iteration's rows: a
// new device's.
func (fs *fullSchemaTables) nextDevice() {
	fs.device++
	now := time.Now().UTC()
	vals := []any{fs.device, "NOW", true, false, false, sqlNull, "2.4.24", int64(1), false, false, int64(1), now, now}
	if fs.pending {
		vals = []any{fs.device, "NOW", false, true, false, sqlNull, "2.4.24", int64(1), false, false, sqlNull, sqlNull, sqlNull}
	}
	for i, rt := range fs.tables {
		for _, m := range rt.rows {
			copy(m[fs.offsets[i]:], vals)
		}
	}
}

// benchRaw runs the raw baselines of tablet as sub-benchmarks: Insert
// and Copy into plain tables (the baselines of the targets), and
// InsertFullSchema, CopyFullSchema and UnnestFullSchema into copies of the
// server's tables, with the bookkeeping values of a multi-step upload when
// pending, else of a one-step upload.
func benchRaw(b *testing.B, tablet map[string][]tabletRow, pending bool) {
	skipUnlessBench(b)
	records := recordCount(tablet)
	for _, v := range []struct {
		name       string
		fullSchema bool
		copy       bool
		unnest     bool
	}{
		{"Insert", false, false, false},
		{"Copy", false, true, false},
		{"InsertFullSchema", true, false, false},
		{"CopyFullSchema", true, true, false},
		{"UnnestFullSchema", true, false, true},
	} {
		b.Run(v.name, func(b *testing.B) {
			e := startBenchEnv(b)
			tables, prefix := rawTables(b, tablet), "raw_"
			var fs *fullSchemaTables
			if v.fullSchema {
				fs, prefix = newFullSchemaTables(b, e.s.DB, tables, pending), "full_"
				tables = fs.tables
			} else {
				for _, rt := range tables {
					rt.create(b, e.s.DB)
				}
			}
			var types [][]string
			if v.unnest {
				for _, rt := range tables {
					types = append(types, pgColumnTypes(b, e.s.DB, prefix+rt.name, rt.cols))
				}
			}
			conn, err := e.s.DB.Conn(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			cpu := newCPUUse(e)
			for b.Loop() {
				b.StopTimer()
				if fs != nil {
					fs.nextDevice()
				}
				cpu.begin(b)
				b.StartTimer()
				switch {
				case v.unnest:
					rawUnnest(b, conn, tables, prefix, types)
				case v.copy:
					rawCopy(b, conn, tables, prefix)
				default:
					rawInsert(b, conn, tables, prefix)
				}
				b.StopTimer()
				cpu.end(b)
				b.StartTimer()
			}
			reportRate(b, records)
			cpu.report(b)
		})
	}
}

// cpuUse measures the CPU time of the timed sections: this process's
// (server and client together, from getrusage) and that of the PostgreSQL
// backends of the benchmark's database (from /proc; PostgreSQL runs on
// this machine), and how busy the machine was with anything else.
type cpuUse struct {
	e                        *benchEnv
	n                        int
	self, pg, foreign, total time.Duration
	s0                       time.Duration
	pg0                      map[int]time.Duration
	busy0, total0            time.Duration
	pgOK                     bool
}

func newCPUUse(e *benchEnv) *cpuUse { return &cpuUse{e: e, pgOK: true} }

// cpuTick is Linux's USER_HZ, the unit of the times in /proc.
const cpuTick = 10 * time.Millisecond

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU returns the user and system time of process pid.
func procCPU(pid int) (time.Duration, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+s) * cpuTick, true
}

// machineCPU returns the busy and total time of all CPUs (/proc/stat).
func machineCPU() (busy, total time.Duration) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 {
		return 0, 0
	}
	for i, v := range f[1:9] { // user nice system idle iowait irq softirq steal
		n, _ := strconv.ParseInt(v, 10, 64)
		total += time.Duration(n) * cpuTick
		if i != 3 && i != 4 {
			busy += time.Duration(n) * cpuTick
		}
	}
	return busy, total
}

func (m *cpuUse) pgCPU(b *testing.B) map[int]time.Duration {
	b.Helper()
	var pids []int
	if err := m.e.s.DB.NewRaw("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'").
		Scan(context.Background(), &pids); err != nil {
		b.Fatal(err)
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		if t, ok := procCPU(pid); ok {
			out[pid] = t
		}
	}
	if len(out) == 0 {
		m.pgOK = false // PostgreSQL is not on this machine
	}
	return out
}

func (m *cpuUse) begin(b *testing.B) {
	m.pg0 = m.pgCPU(b)
	m.busy0, m.total0 = machineCPU()
	m.s0 = selfCPU()
}

func (m *cpuUse) end(b *testing.B) {
	self := selfCPU() - m.s0
	busy, total := machineCPU()
	var pg time.Duration
	for pid, t := range m.pgCPU(b) {
		pg += t - m.pg0[pid] // a backend started meanwhile counts from 0
	}
	m.n++
	m.self += self
	m.pg += pg
	m.total += total - m.total0
	m.foreign += max(busy-m.busy0-self-pg, 0)
}

// report reports the mean CPU times per op and the share of the machine
// that other processes (other benchmarks) used meanwhile.
func (m *cpuUse) report(b *testing.B) {
	if m.n == 0 {
		return
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(m.n) }
	b.ReportMetric(ms(m.self), "go-cpu-ms/op")
	if m.pgOK {
		b.ReportMetric(ms(m.pg), "pg-cpu-ms/op")
	}
	if m.total > 0 {
		b.ReportMetric(100*float64(m.foreign)/float64(m.total), "foreign-cpu-%")
	}
}

// reportRate reports records per second of the measured time.
func reportRate(b *testing.B, perOp int) {
	b.ReportMetric(float64(perOp)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// ---------------------------------------------------------------------------
// 1. upload_table of 10,000 bmi records.

// BenchmarkUploadTable10k measures upload_table of 10,000 bmi records of a
// new device, in a batch of its own (start_upload before and end_upload
// after, outside the timer). The body is prepared outside the timer too,
// so the time is the request: transfer, form decoding, record checks and
// the inserts, with the transaction's commit.
func BenchmarkUploadTable10k(b *testing.B) {
	skipUnlessBench(b)
	e := startBenchEnv(b)
	params := uploadTableForm("bmi", benchBMITable(1, table10k))
	var bodyBytes int
	first := true
	cpu := newCPUUse(e)
	for b.Loop() {
		b.StopTimer()
		c := e.newDevice(b)
		e.do(b, c, "start_upload", nil, "start_upload")
		body := []byte(commonForm(c, "upload_table") + "&" + params)
		if first {
			first = false
		}
		bodyBytes = len(body)
		cpu.begin(b)
		b.StartTimer()
		e.post(b, "upload_table", bytes.NewReader(body), int64(len(body)), "Table bmi upload successful")
		b.StopTimer()
		cpu.end(b)
		e.do(b, c, "end_upload", nil, "end_upload")
		b.StartTimer()
	}
	reportRate(b, table10k)
	cpu.report(b)
	b.ReportMetric(float64(bodyBytes)/1e6, "body-MB")
}

// BenchmarkRawInsert10k is the baseline of BenchmarkUploadTable10k: the
// same 10,000 bmi rows, as typed values, into a plain table.
func BenchmarkRawInsert10k(b *testing.B) {
	benchRaw(b, map[string][]tabletRow{"bmi": benchBMITable(1, table10k)}, true)
}

// ---------------------------------------------------------------------------
// 2 and 4. One-step upload of a 50,000-record tablet, and its memory.

// memPeak is what the memory sampler saw during one request.
type memPeak struct {
	heapObjects uint64 // peak of /memory/classes/heap/objects:bytes
	heapLive    uint64 // peak of /gc/heap/live:bytes
	gcs         uint64 // GC cycles during the request
	profile     []byte // heap profile at the peak live heap, if asked for
}

// sampleMemory samples the Go heap every millisecond until stop is
// called. runtime/metrics.Read does not stop the world, unlike
// runtime.ReadMemStats, so sampling this often does not disturb the
// request it measures.
func sampleMemory(withProfile bool) (stop func() memPeak) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	var peak memPeak
	metrics.Read(samples)
	firstGC, lastGC := samples[2].Value.Uint64(), samples[2].Value.Uint64()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			peak.heapObjects = max(peak.heapObjects, samples[0].Value.Uint64())
			live, gc := samples[1].Value.Uint64(), samples[2].Value.Uint64()
			if gc != lastGC {
				lastGC = gc
				if live > peak.heapLive && withProfile {
					// The heap profile's in-use figures are those of the
					// last completed GC: this one.
					var buf bytes.Buffer
					if err := pprof.Lookup("heap").WriteTo(&buf, 0); err == nil {
						peak.profile = buf.Bytes()
					}
				}
			}
			peak.heapLive = max(peak.heapLive, live)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() memPeak {
		close(done)
		wg.Wait()
		metrics.Read(samples)
		peak.gcs = samples[2].Value.Uint64() - firstGC
		return peak
	}
}

// heapObjectBytes reads /memory/classes/heap/objects:bytes.
func heapObjectBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// procStatus reads a kB field of /proc/self/status, in bytes.
func procStatus(field string) (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// resetPeakRSS resets VmHWM to the current RSS (Linux 4.0+).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// BenchmarkOneStep50k measures upload_entire_database (Copy) of a
// 50,000-record tablet by a new device each iteration, and the server's
// peak memory during the request. The client streams the body from a file
// so that the test process holds nothing of it but what the server reads.
// Before each request (outside the timer) the heap is collected and freed
// to the OS, so the baseline is the process's own live heap.
//
// Metrics: records/s; body-MB; peak-heap-MB, the peak increase of
// /memory/classes/heap/objects:bytes (live and not yet swept objects, what
// HeapAlloc reports) over the baseline, and peak-heap/body; peak-live-MB,
// the peak of /gc/heap/live:bytes (live heap as marked by the GCs during
// the request) over the baseline; peak-rss-MB, VmHWM during the request
// over VmRSS before it; each also divided by the body size. The peaks are
// the highest of all iterations. GOGC and GOMEMLIMIT are as the
// environment sets them (by default 100 and none, as in production).
func BenchmarkOneStep50k(b *testing.B) {
	skipUnlessBench(b)
	e := startBenchEnv(b)
	tablet := benchTablet()
	records := recordCount(tablet)
	paramsPath := filepath.Join(b.TempDir(), "onestep.params")
	if err := os.WriteFile(paramsPath, []byte(dbdataParam(b, tablet)), 0o600); err != nil {
		b.Fatal(err)
	}
	tablet = nil
	st, err := os.Stat(paramsPath)
	if err != nil {
		b.Fatal(err)
	}
	profilePath := os.Getenv(heapProfileEnv)
	cpu := newCPUUse(e)
	var (
		bodyBytes                   int64
		peakHeap, peakLive, peakRSS uint64
		rssOK                       = true
		gcs                         uint64
		bestProfileLive             uint64
	)
	for b.Loop() {
		b.StopTimer()
		c := e.newDevice(b)
		e.do(b, c, "check_upload_user_and_device", nil, "check_upload_user_and_device")
		prefix := commonForm(c, "upload_entire_database") + "&"
		f, err := os.Open(paramsPath)
		if err != nil {
			b.Fatal(err)
		}
		bodyBytes = int64(len(prefix)) + st.Size()
		runtime.GC()
		debug.FreeOSMemory()
		baseHeap := heapObjectBytes()
		baseLive := baseHeap // just after a full GC, everything left is live
		baseRSS, ok := procStatus("VmRSS")
		rssOK = rssOK && ok && resetPeakRSS()
		stop := sampleMemory(profilePath != "")
		cpu.begin(b)
		b.StartTimer()
		e.post(b, "upload_entire_database", io.MultiReader(strings.NewReader(prefix), f), bodyBytes, "Success")
		b.StopTimer()
		cpu.end(b)
		peak := stop()
		f.Close()
		if hwm, ok := procStatus("VmHWM"); ok && hwm > baseRSS {
			peakRSS = max(peakRSS, hwm-baseRSS)
		}
		peakHeap = max(peakHeap, subFloor0(peak.heapObjects, baseHeap))
		live := subFloor0(peak.heapLive, baseLive)
		peakLive = max(peakLive, live)
		gcs += peak.gcs
		if peak.profile != nil && live >= bestProfileLive {
			bestProfileLive = live
			if err := os.WriteFile(profilePath, peak.profile, 0o600); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
	reportRate(b, records)
	cpu.report(b)
	mb := func(x uint64) float64 { return float64(x) / 1e6 }
	b.ReportMetric(float64(bodyBytes)/1e6, "body-MB")
	b.ReportMetric(mb(peakHeap), "peak-heap-MB")
	b.ReportMetric(float64(peakHeap)/float64(bodyBytes), "peak-heap/body")
	b.ReportMetric(mb(peakLive), "peak-live-MB")
	b.ReportMetric(float64(peakLive)/float64(bodyBytes), "peak-live/body")
	if rssOK {
		b.ReportMetric(mb(peakRSS), "peak-rss-MB")
		b.ReportMetric(float64(peakRSS)/float64(bodyBytes), "peak-rss/body")
	}
	b.ReportMetric(float64(gcs)/float64(b.N), "GCs/op")
}

func subFloor0(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// BenchmarkRawInsert50k is the baseline of BenchmarkOneStep50k: the same
// 50,000 rows, as typed values, into four plain tables in one transaction.
func BenchmarkRawInsert50k(b *testing.B) {
	benchRaw(b, benchTablet(), false)
}

// ---------------------------------------------------------------------------
// 3. Commit of 10,000 pending records on top of 0 or 1,000,000 stored rows.

// seedDevice inserts benchStored bmi rows directly with SQL, then VACUUM ANALYZE
// (what autovacuum does after a bulk load), and returns how long it took.
// device 0 seeds live rows of 100 other devices (10,000 each, era NOW,
// current); otherwise preserved rows of that device (100 eras of 10,000,
// current, client PKs from 10,000,001, disjoint from the uploads).
func seedDevice(b *testing.B, e *benchEnv, device int64) time.Duration {
	b.Helper()
	start := time.Now()
	wlm, err := codec.ParseDateTime("2024-04-01T10:00:00.000+01:00")
	if err != nil {
		b.Fatal(err)
	}
	dev, era, id, cur := "1000001 + (g - 1) / 10000", "'NOW'", "(g - 1) % 10000 + 1", "TRUE"
	preserving := "NULL"
	if device != 0 {
		dev = strconv.FormatInt(device, 10)
		era = "to_char(TIMESTAMP '2023-01-01' + ((g - 1) / 10000) * INTERVAL '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
		id = "10000000 + g"
		preserving = "(SELECT id FROM users WHERE username = 'alice')"
	}
	q := `INSERT INTO bmi (id, when_last_modified, _move_off_tablet, when_created, when_firstexit,
	firstexit_is_finish, firstexit_is_abort, editing_time_s, patient_id, height_m, mass_kg, waist_cm, comment,
	_device_id, _era, _current, _when_added_exact, _when_added_batch_utc, _adding_user_id, _preserving_user_id,
	_camcops_version, _group_id, _addition_pending, _removal_pending)
SELECT ` + id + `, '` + wlm.String() + `', NULL, '` + wlm.String() + `', '` + wlm.String() + `',
	TRUE, FALSE, 30 + g % 900 / 10.0, g % 10000 + 1, 1.45 + g % 55 / 100.0, 45 + g % 700 / 10.0,
	CASE WHEN g % 3 = 0 THEN 70 + g % 400 / 10.0 END, CASE WHEN g % 4 = 0 THEN 'Said ''fine''' END,
	` + dev + `, ` + era + `, ` + cur + `, now(), now(), 2, ` + preserving + `,
	'2.4.24', 1, FALSE, FALSE
FROM generate_series(1, ` + strconv.Itoa(benchStored) + `) AS g`
	ctx := context.Background()
	if _, err := e.s.DB.ExecContext(ctx, q); err != nil {
		b.Fatal(err)
	}
	if _, err := e.s.DB.ExecContext(ctx, "VACUUM ANALYZE bmi"); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// seedTwoDevices inserts benchStored live phq9 rows of 2 other devices
// (era NOW, current; the bookkeeping and client PK only), then VACUUM
// ANALYZE, and returns how long it took.
func seedTwoDevices(b *testing.B, e *benchEnv) time.Duration {
	b.Helper()
	start := time.Now()
	ctx := context.Background()
	if _, err := e.s.DB.ExecContext(ctx, `INSERT INTO phq9 (id, _device_id, _era, _current, _addition_pending,
	_removal_pending, _camcops_version, _group_id, _adding_user_id, _when_added_exact, _when_added_batch_utc)
SELECT g, 1000001 + g % 2, 'NOW', TRUE, FALSE, FALSE, '2.4.24', 1, 2, now(), now()
FROM generate_series(1, `+strconv.Itoa(benchStored)+`) AS g`); err != nil {
		b.Fatal(err)
	}
	if _, err := e.s.DB.ExecContext(ctx, "VACUUM ANALYZE phq9"); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkCommit10k measures end_upload of a batch with 10,000 pending
// bmi records (uploaded by upload_table outside the timer), on top of:
//
//   - Stored=0: an empty bmi table (only the earlier iterations' committed
//     rows, each iteration a new device);
//   - Stored=1M/OtherDevices: 1,000,000 live rows of 100 other devices,
//     each iteration a new device;
//   - Stored=1M/PHQ9OfTwoOtherDevices: 1,000,000 live phq9 rows of 2 other
//     devices (a clinic with few tablets), each iteration a new device,
//     which has no phq9 rows: PostgreSQL's statistics then make a scan of
//     the whole table look cheaper than the index, for a generic plan of
//     the probe of the tables that hold the device's rows;
//   - Stored=1M/SameDevicePreserved: 1,000,000 preserved rows of the very
//     device that uploads; after each iteration the committed rows are
//     preserved too (outside the timer, by SQL, as a later Move would), so
//     every batch adds 10,000 new rows with new client PKs.
//
// The metric upload-table-ms is the untimed upload_table of the setup, for
// comparison.
func BenchmarkCommit10k(b *testing.B) {
	skipUnlessBench(b)
	for _, tc := range []struct {
		name       string
		seed       bool
		sameDevice bool
		twoDevices bool // seed with seedTwoDevices
	}{
		{"Stored=0", false, false, false},
		{"Stored=1M/OtherDevices", true, false, false},
		{"Stored=1M/PHQ9OfTwoOtherDevices", false, false, true},
		{"Stored=1M/SameDevicePreserved", true, true, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := startBenchEnv(b)
			var c *testclient.Client
			var dev int64
			if tc.sameDevice {
				c = e.newDevice(b)
				dev = e.deviceID(b, c)
			}
			if tc.seed {
				d := seedDevice(b, e, dev)
				b.Logf("seeded %d bmi rows in %v", benchStored, d.Round(time.Millisecond))
			}
			if tc.twoDevices {
				d := seedTwoDevices(b, e)
				b.Logf("seeded %d phq9 rows in %v", benchStored, d.Round(time.Millisecond))
			}
			var stored int64
			if err := e.s.DB.QueryRowContext(context.Background(), "SELECT (SELECT count(*) FROM bmi) + (SELECT count(*) FROM phq9)").
				Scan(&stored); err != nil {
				b.Fatal(err)
			}
			params := uploadTableForm("bmi", benchBMITable(1, table10k))
			var uploadTime time.Duration
			iter := 0
			cpu := newCPUUse(e)
			for b.Loop() {
				b.StopTimer()
				if tc.sameDevice {
					if iter > 0 {
						params = uploadTableForm("bmi", benchBMITable(1+iter*table10k, table10k))
					}
				} else {
					c = e.newDevice(b)
				}
				c.ResetSession()
				e.do(b, c, "start_upload", nil, "start_upload")
				body := []byte(commonForm(c, "upload_table") + "&" + params)
				if iter == 0 {
				}
				t0 := time.Now()
				e.post(b, "upload_table", bytes.NewReader(body), int64(len(body)), "Table bmi upload successful")
				uploadTime += time.Since(t0)
				if iter == 0 && os.Getenv(explainEnv) != "" {
					explainCommit(b, e, e.deviceID(b, c), os.Getenv(explainEnv))
				}
				cpu.begin(b)
				b.StartTimer()
				e.do(b, c, "end_upload", nil, "end_upload")
				b.StopTimer()
				cpu.end(b)
				if tc.sameDevice {
					if _, err := e.s.DB.ExecContext(context.Background(),
						"UPDATE bmi SET _era = ?, _preserving_user_id = _adding_user_id WHERE _device_id = ? AND _era = 'NOW'",
						fmt.Sprintf("2025-01-01T00:%02d:%02dZ", iter/60, iter%60), dev); err != nil {
						b.Fatal(err)
					}
				}
				iter++
				b.StartTimer()
			}
			b.ReportMetric(float64(stored)/1e6, "stored-Mrows")
			b.ReportMetric(float64(uploadTime.Milliseconds())/float64(iter), "upload-table-ms")
			reportRate(b, table10k)
			cpu.report(b)
		})
	}
}

// explainCommit appends to path EXPLAIN (ANALYZE, BUFFERS) of the
// commit's statements on bmi (internal/upload/commit.go) for device dev,
// run in a transaction that is rolled back.
func explainCommit(b *testing.B, e *benchEnv, dev int64, path string) {
	b.Helper()
	out, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	fmt.Fprintf(out, "=== %s\n", b.Name())
	ctx := context.Background()
	tx, err := e.s.DB.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	d := strconv.FormatInt(dev, 10)
	for _, q := range []string{
		"UPDATE bmi SET _current = TRUE, _addition_pending = FALSE, _adding_user_id = 2, _when_added_exact = now(), _when_added_batch_utc = now() WHERE _device_id = " + d + " AND _addition_pending RETURNING _pk",
		"UPDATE bmi SET _current = FALSE, _removal_pending = FALSE, _removing_user_id = 2, _when_removed_exact = now(), _when_removed_batch_utc = now() WHERE _device_id = " + d + " AND _removal_pending RETURNING _pk, _successor_pk",
		"UPDATE bmi SET _era = '2030-01-01T00:00:00Z', _preserving_user_id = 2, _move_off_tablet = FALSE, _forcibly_preserved = FALSE WHERE _device_id = " + d + " AND _era = 'NOW' AND _move_off_tablet RETURNING _pk, _current",
		"SELECT _pk FROM bmi WHERE _device_id = " + d + " AND _current AND _era = 'NOW'",
	} {
		var lines []string
		if err := tx.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+q).Scan(ctx, &lines); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(out, "%s\n  %s\n", q, strings.Join(lines, "\n  "))
	}
}
