package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// A tiny model of a CamCOPS tablet (a client-side fixture, not a mock of the
// server): local tables as rows of SQL literals, exactly as the client
// encodes them (PROTOCOL 7.4), and the real client's upload sequences of
// PROTOCOL 12.3, sent through testclient to the real server.

// uploadMethod is the client's upload method (PROTOCOL 12.3).
type uploadMethod int

const (
	methodCopy uploadMethod = iota
	methodMoveKeep
	methodMove
)

var uploadMethods = []uploadMethod{methodCopy, methodMoveKeep, methodMove}

func (m uploadMethod) String() string {
	switch m {
	case methodCopy:
		return "Copy"
	case methodMoveKeep:
		return "MoveKeepingPatients"
	}
	return "Move"
}

// moves reports whether the method preserves everything it uploads.
func (m uploadMethod) moves() bool { return m != methodCopy }

// The client's columns of the phq9 table, in its column order.
const phq9Fields = "id,_move_off_tablet,when_last_modified,when_created,firstexit_is_finish,firstexit_is_abort,when_firstexit,editing_time_s,patient_id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10"

// tableNames are the tablet's tables, alphabetically (the client's order).
var tableNames = []string{"blobs", "bmi", "patient", "patient_idnum", "phq9"}

// commitOrder is the server's commit order (Appendix A), for reports.
var commitOrder = []string{"patient", "patient_idnum", "blobs", "bmi", "phq9"}

var tableColumns = map[string]string{
	"blobs": blobFields, "bmi": bmiFields, "patient": patientFields,
	"patient_idnum": idnumFields, "phq9": phq9Fields,
}

// pngBase64 is a 1×1 PNG, as the client sends it (64'…').
const pngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

// Valid NHS numbers (PROTOCOL 8.4.2).
const (
	nhs1 = "9434765919"
	nhs2 = "4010232137"
	nhs3 = "9434765870"
)

// tabletRow is one local row: field → SQL literal as the client sends it.
type tabletRow map[string]string

// tabletModel is the local database of one device.
type tabletModel struct {
	t      *testing.T
	s      *testServer
	c      *testclient.Client
	tables map[string][]tabletRow
	// oldKeys makes which_keys_to_send omit move_off_tablet_values, as
	// clients before 2.3.0 do (PROTOCOL 6.17, 9.2).
	oldKeys bool
}

func newTablet(t *testing.T, s *testServer, c *testclient.Client) *tabletModel {
	tb := &tabletModel{t: t, s: s, c: c, tables: map[string][]tabletRow{}}
	for _, n := range tableNames {
		tb.tables[n] = nil
	}
	return tb
}

// add appends a row; fields it lacks are NULL.
func (tb *tabletModel) add(table string, row tabletRow) {
	tb.t.Helper()
	full := tabletRow{}
	for f := range strings.SplitSeq(tableColumns[table], ",") {
		full[f] = "NULL"
	}
	for f, v := range row {
		if _, ok := full[f]; !ok {
			tb.t.Fatalf("tablet: %s has no column %s", table, f)
		}
		full[f] = v
	}
	tb.tables[table] = append(tb.tables[table], full)
}

// row returns the row of table with client PK id.
func (tb *tabletModel) row(table string, id int) tabletRow {
	tb.t.Helper()
	for _, r := range tb.tables[table] {
		if r["id"] == strconv.Itoa(id) {
			return r
		}
	}
	tb.t.Fatalf("tablet: no %s row %d", table, id)
	return nil
}

// del deletes the row of table with client PK id.
func (tb *tabletModel) del(table string, id int) {
	tb.t.Helper()
	n := len(tb.tables[table])
	tb.tables[table] = slices.DeleteFunc(tb.tables[table], func(r tabletRow) bool { return r["id"] == strconv.Itoa(id) })
	if len(tb.tables[table]) == n {
		tb.t.Fatalf("tablet: no %s row %d to delete", table, id)
	}
}

// Row builders with the client's literals. wlm and the other date-times are
// written as the client writes them: quoted, milliseconds, ±HH:MM.

func patientRow(id int, forename, surname, sex, dob, wlm, moveOff string) tabletRow {
	return tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": moveOff, "when_last_modified": "'" + wlm + "'",
		"forename": "'" + forename + "'", "surname": "'" + surname + "'", "sex": "'" + sex + "'", "dob": "'" + dob + "'"}
}

func idNumRow(id, patient int, value, wlm, moveOff string) tabletRow {
	return tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": moveOff, "when_last_modified": "'" + wlm + "'",
		"patient_id": strconv.Itoa(patient), "which_idnum": "1", "idnum_value": value}
}

func bmiRow(id, patient int, mass, wlm string) tabletRow {
	return tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": "NULL", "when_last_modified": "'" + wlm + "'",
		"when_created": "'2024-05-01T09:30:00.000+01:00'", "firstexit_is_finish": "1", "firstexit_is_abort": "0",
		"when_firstexit": "'" + wlm + "'", "editing_time_s": "72.5", "patient_id": strconv.Itoa(patient),
		"mass_kg": mass, "height_m": "1.75", "comment": "'Said ''fine''\\nthen left'"}
}

func phq9Row(id, patient int, wlm string) tabletRow {
	r := tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": "NULL", "when_last_modified": "'" + wlm + "'",
		"when_created": "'2024-05-01T10:00:00.000+01:00'", "firstexit_is_finish": "1", "firstexit_is_abort": "0",
		"when_firstexit": "'" + wlm + "'", "editing_time_s": "30", "patient_id": strconv.Itoa(patient)}
	for q := 1; q <= 10; q++ {
		r["q"+strconv.Itoa(q)] = strconv.Itoa((id + q) % 4)
	}
	return r
}

func blobRow(id int, table string, pk int, wlm string) tabletRow {
	return tabletRow{"id": strconv.Itoa(id), "_move_off_tablet": "NULL", "when_last_modified": "'" + wlm + "'",
		"tablename": "'" + table + "'", "tablepk": strconv.Itoa(pk), "fieldname": "'photo_blobid'",
		"mimetype": "'image/png'", "theblob": "64'" + pngBase64 + "'", "image_rotation_deg_cw": "0"}
}

// standardTablet fills tb with two patients with NHS numbers, a bmi and a
// phq9 task each and a BLOB per bmi. Patient 2 is flagged for move-off when
// flagP2; flags that were never set are NULL, as on the real tablet.
func (tb *tabletModel) standardTablet(flagP2 bool) *tabletModel {
	p2flag := "NULL"
	if flagP2 {
		p2flag = "1"
	}
	tb.add("patient", patientRow(1, "Ann", "Smith", "F", "1980-02-29", "2024-05-01T09:29:00.000+01:00", "0"))
	tb.add("patient", patientRow(2, "Bob", "Jones", "M", "1975-11-30", "2024-05-01T09:29:30.000+01:00", p2flag))
	tb.add("patient_idnum", idNumRow(1, 1, nhs1, "2024-05-01T09:29:00.000+01:00", "NULL"))
	tb.add("patient_idnum", idNumRow(2, 2, nhs2, "2024-05-01T09:29:30.000+01:00", "NULL"))
	tb.add("bmi", bmiRow(1, 1, "70.2", "2024-05-01T09:31:12.345+01:00"))
	tb.add("bmi", bmiRow(2, 2, "81", "2024-05-01T09:32:00.000+01:00"))
	tb.add("phq9", phq9Row(1, 1, "2024-05-01T10:01:00.000+01:00"))
	tb.add("phq9", phq9Row(2, 2, "2024-05-01T10:02:00.000+01:00"))
	tb.add("blobs", blobRow(1, "bmi", 1, "2024-05-01T09:31:00.000+01:00"))
	tb.add("blobs", blobRow(2, "bmi", 2, "2024-05-01T09:31:30.000+01:00"))
	return tb
}

// prepare is what the client does locally before an upload (PROTOCOL 12.3,
// "Locally, first"): drop orphan BLOBs and, for Copy, recompute the move-off
// flags of tasks, ancillary rows and BLOBs from their patients' flags.
func (tb *tabletModel) prepare(m uploadMethod) {
	owner := func(b tabletRow) tabletRow {
		table := testclient.DecodeLiteral(b["tablename"]).Text
		for _, r := range tb.tables[table] {
			if r["id"] == b["tablepk"] {
				return r
			}
		}
		return nil
	}
	tb.tables["blobs"] = slices.DeleteFunc(tb.tables["blobs"], func(b tabletRow) bool { return owner(b) == nil })
	if m != methodCopy {
		return
	}
	flagged := map[string]bool{}
	for _, p := range tb.tables["patient"] {
		if flagSet(p["_move_off_tablet"]) {
			flagged[p["id"]] = true
		}
	}
	for _, table := range []string{"bmi", "phq9", "blobs"} {
		for _, r := range tb.tables[table] {
			r["_move_off_tablet"] = "0"
		}
	}
	for _, table := range []string{"patient_idnum", "bmi", "phq9"} {
		for _, r := range tb.tables[table] {
			if flagged[r["patient_id"]] {
				r["_move_off_tablet"] = "1"
			}
		}
	}
	for _, b := range tb.tables["blobs"] {
		if o := owner(b); o != nil && flagged[o["patient_id"]] {
			b["_move_off_tablet"] = "1"
		}
	}
}

// flagSet reads a stored move-off flag literal.
func flagSet(lit string) bool {
	v := testclient.DecodeLiteral(lit)
	return v.Kind == testclient.KindInt && v.Int != 0
}

// afterUpload deletes what the client deletes after a successful upload
// (PROTOCOL 12.3, "Afterwards").
func (tb *tabletModel) afterUpload(m uploadMethod) {
	for _, table := range tableNames {
		patientTable := table == "patient" || table == "patient_idnum"
		tb.tables[table] = slices.DeleteFunc(tb.tables[table], func(r tabletRow) bool {
			switch m {
			case methodMove:
				return true
			case methodMoveKeep:
				return !patientTable || flagSet(r["_move_off_tablet"])
			}
			return flagSet(r["_move_off_tablet"])
		})
	}
}

// patientInfo is validate_patients' patient_info: one object per patient,
// keys sorted, compact JSON.
func (tb *tabletModel) patientInfo(m uploadMethod) string {
	tb.t.Helper()
	text := func(lit string) any {
		v := testclient.DecodeLiteral(lit)
		if v.Kind == testclient.KindNull {
			return nil
		}
		return v.Text
	}
	list := []map[string]any{}
	for _, p := range tb.tables["patient"] {
		o := map[string]any{"finalizing": m.moves() || flagSet(p["_move_off_tablet"])}
		for _, f := range []string{"address", "dob", "email", "forename", "gp", "other", "sex", "surname"} {
			o[f] = text(p[f])
		}
		for _, n := range tb.tables["patient_idnum"] {
			if n["patient_id"] == p["id"] {
				v := testclient.DecodeLiteral(n["idnum_value"])
				o["idnum"+n["which_idnum"]] = v.Int
			}
		}
		list = append(list, o)
	}
	return mustJSON(tb.t, list)
}

// mustJSON is compact JSON with sorted keys, as the client writes it.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// uploadResult is what an upload sequence saw.
type uploadResult struct {
	whichKeys     string   // which_keys_to_send's result; "" if not sent
	uploadRecords []string // upload_record results, in order
}

// do sends one request of a sequence and fails unless the client would
// accept the reply.
func (tb *tabletModel) do(op string, params map[string]string) *testclient.Reply {
	tb.t.Helper()
	r, err := tb.c.Do(context.Background(), op, params)
	if err != nil {
		tb.t.Fatalf("%s: %v", op, err)
	}
	if err := r.Err(); err != nil {
		tb.t.Fatalf("%s: %v\nreply:\n%s\nserver log:\n%s", op, err, r.Body, tb.s.Log)
	}
	return r
}

// preamble sends steps 1–5 of PROTOCOL 12.3, starting a new sequence.
func (tb *tabletModel) preamble(m uploadMethod) {
	tb.t.Helper()
	tb.prepare(m)
	tb.c.ResetSession()
	tb.s.step(tb.t, tb.c, "check_device_registered", nil, "check_device_registered")
	tb.s.step(tb.t, tb.c, "check_upload_user_and_device", nil, "check_upload_user_and_device")
	if r := tb.do("get_id_info", nil); r.Values["serverCamcopsVersion"] != "2.4.24" {
		tb.t.Fatalf("get_id_info: %s", r.Body)
	}
	tb.s.step(tb.t, tb.c, "validate_patients", map[string]string{"patient_info": tb.patientInfo(m)}, "Success")
	tb.do("get_allowed_tables", nil)
}

// record writes one row as the client's CSV of literals.
func recordLiteral(table string, r tabletRow) string {
	var vals []string
	for f := range strings.SplitSeq(tableColumns[table], ",") {
		vals = append(vals, r[f])
	}
	return strings.Join(vals, ",")
}

// multiStep runs the client's multi-step upload (PROTOCOL 12.3, 6–11).
func (tb *tabletModel) multiStep(m uploadMethod) *uploadResult {
	tb.t.Helper()
	tb.preamble(m)
	res := &uploadResult{}
	tb.s.step(tb.t, tb.c, "start_upload", nil, "start_upload")
	if m.moves() {
		tb.s.step(tb.t, tb.c, "start_preservation", nil, "STARTPRESERVATION")
	}
	var empty []string
	for _, table := range tableNames {
		if len(tb.tables[table]) == 0 {
			empty = append(empty, table)
		}
	}
	if len(empty) > 0 {
		tb.s.step(tb.t, tb.c, "upload_empty_tables", map[string]string{"tables": strings.Join(empty, ",")}, "UPLOAD-EMPTY-TABLES")
	}
	for _, table := range tableNames {
		rows := tb.tables[table]
		if table == "blobs" || len(rows) == 0 {
			continue
		}
		p := map[string]string{"table": table, "pkname": "id", "fields": tableColumns[table], "nrecords": strconv.Itoa(len(rows))}
		for i, r := range rows {
			p["record"+strconv.Itoa(i)] = recordLiteral(table, r)
		}
		tb.s.step(tb.t, tb.c, "upload_table", p, "Table "+table+" upload successful")
	}
	if blobs := tb.tables["blobs"]; len(blobs) > 0 {
		var pks, dates, flags []string
		for _, b := range blobs {
			pks = append(pks, b["id"])
			dates = append(dates, testclient.DecodeLiteral(b["when_last_modified"]).Text)
			flag := b["_move_off_tablet"]
			if flag == "NULL" {
				flag = ""
			}
			flags = append(flags, flag)
		}
		tb.s.step(tb.t, tb.c, "delete_where_key_not", map[string]string{"table": "blobs", "pkname": "id", "pkvalues": strings.Join(pks, ",")}, "Trimmed")
		keys := map[string]string{"table": "blobs", "pkname": "id", "pkvalues": strings.Join(pks, ","),
			"datevalues": strings.Join(dates, ","), "move_off_tablet_values": strings.Join(flags, ",")}
		if tb.oldKeys {
			delete(keys, "move_off_tablet_values")
		}
		r := tb.do("which_keys_to_send", keys)
		res.whichKeys = r.Values["result"]
		if res.whichKeys != "" {
			for pk := range strings.SplitSeq(res.whichKeys, ",") {
				id, err := strconv.Atoi(pk)
				if err != nil {
					tb.t.Fatalf("which_keys_to_send: result %q", res.whichKeys)
				}
				rr := tb.do("upload_record", map[string]string{"table": "blobs", "pkname": "id", "fields": blobFields,
					"values": recordLiteral("blobs", tb.row("blobs", id))})
				res.uploadRecords = append(res.uploadRecords, rr.Values["result"])
			}
		}
	}
	tb.s.step(tb.t, tb.c, "end_upload", nil, "end_upload")
	return res
}

// oneStepParams are upload_entire_database's parameters for m (PROTOCOL
// 8.8, "What the client sends").
func (tb *tabletModel) oneStepParams(m uploadMethod) map[string]string {
	tb.t.Helper()
	pk := map[string]string{}
	data := map[string][]tabletRow{}
	for _, table := range tableNames {
		pk[table] = "id"
		data[table] = append([]tabletRow{}, tb.tables[table]...)
	}
	finalizing := "0"
	if m.moves() {
		finalizing = "1"
	}
	return map[string]string{"finalizing": finalizing, "pknameinfo": mustJSON(tb.t, pk), "dbdata": mustJSON(tb.t, data)}
}

// oneStep runs the client's one-step upload (PROTOCOL 12.3, 6).
func (tb *tabletModel) oneStep(m uploadMethod) *uploadResult {
	tb.t.Helper()
	tb.preamble(m)
	tb.s.step(tb.t, tb.c, "upload_entire_database", tb.oneStepParams(m), "Success")
	return &uploadResult{}
}

// upload runs multiStep or oneStep.
func (tb *tabletModel) upload(m uploadMethod, oneStep bool) *uploadResult {
	tb.t.Helper()
	if oneStep {
		return tb.oneStep(m)
	}
	return tb.multiStep(m)
}

// uploadModes names the two upload paths.
var uploadModes = []struct {
	name    string
	oneStep bool
}{{"MultiStep", false}, {"OneStep", true}}

// eachMode runs body as a subtest for each upload path, each with a new
// device on one server shared by the subtests.
func eachMode(t *testing.T, body func(t *testing.T, e *tabletEnv, oneStep bool)) {
	t.Helper()
	t.Parallel()
	s := sharedServer(t)
	for _, mode := range uploadModes {
		t.Run(mode.name, func(t *testing.T) {
			parallelOnPostgres(t)
			body(t, newTabletEnv(t, s), mode.oneStep)
		})
	}
}

// eachMethodAndMode runs body as a subtest for each upload method and path,
// each with a new device on one server shared by the subtests.
func eachMethodAndMode(t *testing.T, body func(t *testing.T, e *tabletEnv, m uploadMethod, oneStep bool)) {
	t.Helper()
	t.Parallel()
	s := sharedServer(t)
	for _, m := range uploadMethods {
		for _, mode := range uploadModes {
			t.Run(m.String()+"/"+mode.name, func(t *testing.T) {
				parallelOnPostgres(t)
				body(t, newTabletEnv(t, s), m, mode.oneStep)
			})
		}
	}
}

// ---- Server-side inspection (plain SQL that runs on SQLite and PostgreSQL).

// tabletEnv is a server with alice's registered tablet.
type tabletEnv struct {
	s       *testServer
	c       *testclient.Client
	tab     *tabletModel
	dev     int64 // alice's device id
	group   int64 // the research group
	alice   int64 // alice's user id
	version string
}

// newTabletEnv registers a new tablet for alice on s, or on a server of its own
// when s is nil. Tablets on one server are independent devices, so tests
// that share a server may run in parallel.
func newTabletEnv(t *testing.T, s *testServer) *tabletEnv {
	t.Helper()
	if s == nil {
		s = startUploadServer(t)
	}
	c := s.client("alice", "pw!-secret")
	if _, err := c.RegisterSequence(context.Background(), "tablet"); err != nil {
		t.Fatal(err)
	}
	e := &tabletEnv{s: s, c: c, tab: newTablet(t, s, c), version: testclient.DefaultCamcopsVersion}
	e.dev = queryInt(t, s, "SELECT id FROM devices WHERE name = ?", c.Device())
	e.group = queryInt(t, s, "SELECT id FROM groups WHERE name = 'research'")
	e.alice = queryInt(t, s, "SELECT id FROM users WHERE username = 'alice'")
	return e
}

// serverRow is what the tests inspect of a stored row.
type serverRow struct {
	PK, ID                             int64
	Era                                string
	Current, AddPending, RemPending    bool
	MoveOff                            int64 // -1 for NULL
	Pred, Succ                         int64 // 0 for NULL
	Group, Adding, Removing, Preserver int64 // 0 for NULL
	AddedExact, RemovedExact           bool  // set
	AddedBatch, RemovedBatch           bool  // set
	WLM, Version                       string
}

// serverRows returns device dev's rows of table, in _pk order.
func serverRows(t *testing.T, s *testServer, table string, dev int64) []serverRow {
	t.Helper()
	q := `SELECT _pk, id, _era,
	CASE WHEN _current THEN 1 ELSE 0 END, CASE WHEN _addition_pending THEN 1 ELSE 0 END,
	CASE WHEN _removal_pending THEN 1 ELSE 0 END,
	CASE WHEN _move_off_tablet IS NULL THEN -1 WHEN _move_off_tablet THEN 1 ELSE 0 END,
	COALESCE(_predecessor_pk, 0), COALESCE(_successor_pk, 0), COALESCE(_group_id, 0),
	COALESCE(_adding_user_id, 0), COALESCE(_removing_user_id, 0), COALESCE(_preserving_user_id, 0),
	CASE WHEN _when_added_exact IS NULL THEN 0 ELSE 1 END, CASE WHEN _when_removed_exact IS NULL THEN 0 ELSE 1 END,
	CASE WHEN _when_added_batch_utc IS NULL THEN 0 ELSE 1 END, CASE WHEN _when_removed_batch_utc IS NULL THEN 0 ELSE 1 END,
	COALESCE(when_last_modified, ''), COALESCE(_camcops_version, '')
	FROM "` + table + `" WHERE _device_id = ? ORDER BY _pk`
	rows, err := s.DB.QueryContext(context.Background(), q, dev)
	if err != nil {
		t.Fatalf("rows of %s: %v", table, err)
	}
	defer rows.Close()
	var out []serverRow
	for rows.Next() {
		var r serverRow
		var cur, add, rem, ae, re, ab, rb int64
		if err := rows.Scan(&r.PK, &r.ID, &r.Era, &cur, &add, &rem, &r.MoveOff, &r.Pred, &r.Succ, &r.Group,
			&r.Adding, &r.Removing, &r.Preserver, &ae, &re, &ab, &rb, &r.WLM, &r.Version); err != nil {
			t.Fatalf("rows of %s: %v", table, err)
		}
		r.Current, r.AddPending, r.RemPending = cur == 1, add == 1, rem == 1
		r.AddedExact, r.RemovedExact, r.AddedBatch, r.RemovedBatch = ae == 1, re == 1, ab == 1, rb == 1
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var eraRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// erasOf returns the distinct preserved eras of dev, sorted.
func erasOf(t *testing.T, s *testServer, dev int64) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, table := range commitOrder {
		for _, r := range serverRows(t, s, table, dev) {
			if r.Era != "NOW" {
				seen[r.Era] = true
			}
		}
	}
	var out []string
	for e := range seen {
		if !eraRE.MatchString(e) {
			t.Fatalf("era %q is not YYYY-MM-DDTHH:MM:SSZ", e)
		}
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// stateOf describes dev's rows per table as "<id> <era> <cur|old>", in _pk
// order, with preserved eras written E1, E2, … in time order.
func stateOf(t *testing.T, s *testServer, dev int64) map[string][]string {
	t.Helper()
	label := map[string]string{"NOW": "NOW"}
	for i, e := range erasOf(t, s, dev) {
		label[e] = "E" + strconv.Itoa(i+1)
	}
	out := map[string][]string{}
	for _, table := range commitOrder {
		list := []string{}
		for _, r := range serverRows(t, s, table, dev) {
			cur := "old"
			if r.Current {
				cur = "cur"
			}
			list = append(list, fmt.Sprintf("%d %s %s", r.ID, label[r.Era], cur))
		}
		out[table] = list
	}
	return out
}

// wantState fails unless dev's rows are described by want (see stateOf).
func wantState(t *testing.T, s *testServer, dev int64, want map[string][]string) {
	t.Helper()
	got := stateOf(t, s, dev)
	var diffs []string
	for _, table := range commitOrder {
		if w, ok := want[table]; ok && !slices.Equal(got[table], w) {
			diffs = append(diffs, fmt.Sprintf("%s: got %q, want %q", table, got[table], w))
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("server rows differ:\n%s", strings.Join(diffs, "\n"))
	}
}

// wantSettled checks what every committed upload leaves (PROTOCOL 8.1, 8.6,
// 8.7): no pending flags, no move-off flag on preserved rows, the batch
// closed and the dirty set empty; each row added by user with the group and
// version, and preserved rows preserved by user.
func (e *tabletEnv) wantSettled(t *testing.T) {
	t.Helper()
	for _, table := range commitOrder {
		for _, r := range serverRows(t, e.s, table, e.dev) {
			what := fmt.Sprintf("%s id %d (_pk %d, era %s)", table, r.ID, r.PK, r.Era)
			switch {
			case r.AddPending || r.RemPending:
				t.Errorf("%s: pending flags add=%v remove=%v", what, r.AddPending, r.RemPending)
			case r.Era != "NOW" && r.MoveOff != 0:
				t.Errorf("%s: preserved with _move_off_tablet %d, want 0", what, r.MoveOff)
			case r.Era != "NOW" && r.Preserver != e.alice:
				t.Errorf("%s: _preserving_user_id %d, want %d", what, r.Preserver, e.alice)
			case r.Era == "NOW" && r.Preserver != 0:
				t.Errorf("%s: live row with _preserving_user_id %d", what, r.Preserver)
			case r.Group != e.group:
				t.Errorf("%s: _group_id %d, want %d", what, r.Group, e.group)
			case r.Adding != e.alice || !r.AddedExact || !r.AddedBatch:
				t.Errorf("%s: _adding_user_id %d, added exact/batch set %v/%v", what, r.Adding, r.AddedExact, r.AddedBatch)
			case r.Version != e.version:
				t.Errorf("%s: _camcops_version %q", what, r.Version)
			case r.Current && (r.Removing != 0 || r.RemovedExact || r.RemovedBatch || r.Succ != 0):
				t.Errorf("%s: current row with removal data %+v", what, r)
			case !r.Current && (r.Removing != e.alice || !r.RemovedExact || !r.RemovedBatch):
				t.Errorf("%s: removed row without removal data %+v", what, r)
			}
		}
	}
	if n := e.s.count(t, "dirty_tables", "device_id = ?", e.dev); n != 0 {
		t.Errorf("dirty set of the device has %d tables after the upload", n)
	}
	if n := e.s.count(t, "devices", "id = ? AND (ongoing_upload_batch_utc IS NOT NULL OR uploading_user_id IS NOT NULL OR currently_preserving OR batch_already_received)", e.dev); n != 0 {
		t.Errorf("device batch still open after the upload")
	}
	if t.Failed() {
		t.FailNow()
	}
}

// wantUnlinked fails if a row of the device in tables has a predecessor
// or a successor: each was stored once, never as a new version.
func (e *tabletEnv) wantUnlinked(t *testing.T, tables ...string) {
	t.Helper()
	for _, table := range tables {
		for _, r := range serverRows(t, e.s, table, e.dev) {
			if r.Pred != 0 || r.Succ != 0 {
				t.Fatalf("%s row %+v is linked to another version", table, r)
			}
		}
	}
}

// wantEraIn checks that era (the batch time) lies within [from, to].
func wantEraIn(t *testing.T, era string, from, to time.Time) {
	t.Helper()
	et, err := time.Parse("2006-01-02T15:04:05Z", era)
	if err != nil {
		t.Fatalf("era %q: %v", era, err)
	}
	if et.Before(from.UTC().Truncate(time.Second)) || et.After(to.UTC()) {
		t.Fatalf("era %s outside the upload's time [%s, %s]", era, from.UTC(), to.UTC())
	}
}

// lastBatchEra is the device's last_upload_batch_utc as an era string.
func (e *tabletEnv) lastBatchEra(t *testing.T) string {
	t.Helper()
	var ts time.Time
	if err := e.s.DB.QueryRowContext(context.Background(), "SELECT last_upload_batch_utc FROM devices WHERE id = ?", e.dev).Scan(&ts); err != nil {
		t.Fatal(err)
	}
	return ts.UTC().Format("2006-01-02T15:04:05Z")
}

// lastAudit returns the details of the newest upload audit entry, and how
// many upload entries there are.
func (e *tabletEnv) lastAudit(t *testing.T) (string, int) {
	t.Helper()
	var details []string
	if err := e.s.DB.NewSelect().Table("audit_log").Column("details").
		Where("device_id = ? AND details LIKE 'Upload from device %'", e.dev).OrderExpr("id").Scan(context.Background(), &details); err != nil {
		t.Fatal(err)
	}
	if len(details) == 0 {
		return "", 0
	}
	return details[len(details)-1], len(details)
}

// wantAudit fails unless the newest upload audit entry is exactly
// "Upload from device <dev>, username 'alice': " + summary.
func (e *tabletEnv) wantAudit(t *testing.T, summary string) {
	t.Helper()
	got, _ := e.lastAudit(t)
	want := fmt.Sprintf("Upload from device %d, username 'alice': %s", e.dev, summary)
	if got != want {
		t.Fatalf("upload audit =\n%s\nwant\n%s", got, want)
	}
}

// changeLine writes one table's audit line (PROTOCOL 8.9).
func changeLine(table string, added, modified, deleted, preserved, current []int) string {
	l := func(xs []int) string {
		s := make([]string, len(xs))
		for i, x := range xs {
			s[i] = strconv.Itoa(x)
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	return fmt.Sprintf("%s (%d added, PKs %s; %d modified out, PKs %s; %d deleted, PKs %s; %d preserved, PKs %s; current PKs %s)",
		table, len(added), l(added), len(modified), l(modified), len(deleted), l(deleted), len(preserved), l(preserved), l(current))
}

// snapshotOf dumps every row of dev in the client tables (every column),
// the device's batch state and its dirty set, for "nothing changed"
// checks.
func snapshotOf(t *testing.T, s *testServer, dev int64) string {
	t.Helper()
	var b strings.Builder
	dump := func(q string) {
		rows, err := s.DB.QueryContext(context.Background(), q, dev)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if x, ok := v.([]byte); ok {
					v = string(x)
				}
				if x, ok := v.(time.Time); ok {
					v = x.UTC().Format(time.RFC3339Nano)
				}
				fmt.Fprintf(&b, "%s=%v|", cols[i], v)
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range commitOrder {
		b.WriteString("## " + table + "\n")
		dump(`SELECT * FROM "` + table + `" WHERE _device_id = ? ORDER BY _pk`)
	}
	b.WriteString("## devices\n")
	dump("SELECT id, last_upload_batch_utc, ongoing_upload_batch_utc, uploading_user_id, currently_preserving, batch_already_received FROM devices WHERE id = ?")
	b.WriteString("## dirty\n")
	dump("SELECT device_id, tablename FROM dirty_tables WHERE device_id = ? ORDER BY tablename")
	return b.String()
}

// tableSnapshot is snapshotOf of the client tables only.
func tableSnapshot(t *testing.T, s *testServer, dev int64) string {
	t.Helper()
	snap := snapshotOf(t, s, dev)
	return snap[:strings.Index(snap, "## devices\n")]
}

// wantSame fails unless two snapshots are equal, showing the first
// differing line.
func wantSame(t *testing.T, what, before, after string) {
	t.Helper()
	if before == after {
		return
	}
	bl, al := strings.Split(before, "\n"), strings.Split(after, "\n")
	for i := 0; i < max(len(bl), len(al)); i++ {
		var x, y string
		if i < len(bl) {
			x = bl[i]
		}
		if i < len(al) {
			y = al[i]
		}
		if x != y {
			t.Fatalf("%s changed the database; first difference at line %d:\nbefore: %s\nafter:  %s", what, i, x, y)
		}
	}
}

// rowCounts returns the number of rows of dev in each client table.
func rowCounts(t *testing.T, s *testServer, dev int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range commitOrder {
		out[table] = s.count(t, table, "_device_id = ?", dev)
	}
	return out
}

// wantOpFails sends a request and fails unless the reply is the user error msg
// (HTTP 200, success:0; PROTOCOL 1.3).
func wantOpFails(t *testing.T, s *testServer, c *testclient.Client, op string, params map[string]string, msg string) {
	t.Helper()
	r, err := c.Do(context.Background(), op, params)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	if r.Status != http.StatusOK || r.Success() || r.Error() != msg {
		t.Fatalf("%s: reply %d\n%s\nwant success:0 with error:%s\nserver log:\n%s", op, r.Status, r.Body, msg, s.Log)
	}
}

// oneStepJSON returns pknameinfo and dbdata as the client would send them
// for the current tables, as generic JSON values that tests may spoil.
func (tb *tabletModel) oneStepJSON() (pk, data map[string]any) {
	pk, data = map[string]any{}, map[string]any{}
	for _, table := range tableNames {
		pk[table] = "id"
		rows := []any{}
		for _, r := range tb.tables[table] {
			o := map[string]any{}
			for f, v := range r {
				o[f] = v
			}
			rows = append(rows, o)
		}
		data[table] = rows
	}
	return pk, data
}

var (
	auditPartRE  = regexp.MustCompile(`(\w+):? \(([^()]*)\)`)
	auditCountRE = regexp.MustCompile(`(\d+) (added|modified out|deleted|preserved)\b`)
)

// auditCounts reduces an upload summary to its tables and counts,
// "<table> <added>/<modified out>/<deleted>/<preserved>" joined with ", "
// ("" for "No changes"), so that tests can check what an upload did
// whatever PKs the summary lists.
func auditCounts(summary string) string {
	var out []string
	for _, m := range auditPartRE.FindAllStringSubmatch(summary, -1) {
		n := map[string]string{"added": "0", "modified out": "0", "deleted": "0", "preserved": "0"}
		for _, c := range auditCountRE.FindAllStringSubmatch(m[2], -1) {
			n[c[2]] = c[1]
		}
		out = append(out, fmt.Sprintf("%s %s/%s/%s/%s", m[1], n["added"], n["modified out"], n["deleted"], n["preserved"]))
	}
	return strings.Join(out, ", ")
}

// wantAuditCounts fails unless the newest upload audit entry of the device
// lists exactly these tables with these counts (see auditCounts).
func (e *tabletEnv) wantAuditCounts(t *testing.T, want string) {
	t.Helper()
	got, _ := e.lastAudit(t)
	prefix := fmt.Sprintf("Upload from device %d, username 'alice': ", e.dev)
	if !strings.HasPrefix(got, prefix) || auditCounts(strings.TrimPrefix(got, prefix)) != want {
		t.Fatalf("upload audit =\n%s\nwant the counts %q", got, want)
	}
}

// eachTable writes the same counts for every table, in commit order.
func eachTable(counts string) string {
	var out []string
	for _, table := range commitOrder {
		out = append(out, table+" "+counts)
	}
	return strings.Join(out, ", ")
}

// pks returns the server PKs (_pk) of the device's rows of table that
// stateOf describes as one of descs ("<id> <era> <cur|old>").
func (e *tabletEnv) pks(t *testing.T, table string, descs ...string) []int {
	t.Helper()
	state := stateOf(t, e.s, e.dev)[table]
	rows := serverRows(t, e.s, table, e.dev)
	var out []int
	for i, d := range state {
		if slices.Contains(descs, d) {
			out = append(out, int(rows[i].PK))
		}
	}
	return out
}
