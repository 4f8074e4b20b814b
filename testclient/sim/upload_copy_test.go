package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

func TestTablet_Upload_CopyMoveOff(t *testing.T) {
	for _, oneStep := range []bool{false, true} {
		srv := simtest.New(t)
		tab := standardTablet(t, srv)
		if !tab.MarkForMoveOff(2) {
			t.Fatal("MarkForMoveOff(2) = false")
		}
		mustUpload(t, tab, sim.Copy, oneStep)
		reqs := srv.Requests()
		if !strings.Contains(reqs[3].Params["patient_info"], `"finalizing":true,"forename":"Bob"`) ||
			!strings.Contains(reqs[3].Params["patient_info"], `"finalizing":false,"forename":"Ann"`) {
			t.Errorf("patient_info = %s, want Bob finalizing and Ann not", reqs[3].Params["patient_info"])
		}
		if !oneStep {
			// Copy recomputes the flags of tasks and BLOBs from the
			// patients'; ID numbers of unmarked patients keep theirs.
			for i, want := range map[int]string{7: "0,1", 8: "0,1", 9: "NULL,1"} {
				if got := moveOffFlags(reqs[i]); got != want {
					t.Errorf("%s %s: move-off flags %s, want %s", reqs[i].Op, reqs[i].Params["table"], got, want)
				}
			}
			wantParam(t, reqs[11], "move_off_tablet_values", "0,1")
		}
		for table, want := range map[string][]int64{"patient": {1}, "patient_idnum": {1}, "bmi": {1}, "blobs": {1}} {
			if got := ids(tab.Rows(table)); !slices.Equal(got, want) {
				t.Errorf("oneStep=%v: %s left = %v, want %v", oneStep, table, got, want)
			}
		}
		e := tab.Expected()
		if len(e.Live) != 4 || len(e.Preserved) != 4 {
			t.Errorf("Expected: %d live, %d preserved; want 4 and 4", len(e.Live), len(e.Preserved))
		}
		for _, r := range e.Preserved {
			if r.Row.ID() != 2 {
				t.Errorf("preserved %s %d, want only the records of patient 2", r.Table, r.Row.ID())
			}
		}
	}
}

func TestTablet_Upload_SecondCopySendsOnlyChanges(t *testing.T) {
	srv := simtest.New(t)
	tab := standardTablet(t, srv)
	mustUpload(t, tab, sim.Copy, false)

	t.Run("Unchanged", func(t *testing.T) {
		srv.Reset()
		srv.SetWhichKeys(func(simtest.Request) string { return "" })
		res := mustUpload(t, tab, sim.Copy, false)
		if res.WhichKeys == nil || len(res.WhichKeys) != 0 || slices.Contains(srv.Ops(), "upload_record") {
			t.Errorf("which keys %q, ops %q: want no BLOB sent", res.WhichKeys, srv.Ops())
		}
	})
	t.Run("ErrServerAsksForUnchanged", func(t *testing.T) {
		srv.SetWhichKeys(func(r simtest.Request) string { return r.Params["pkvalues"] })
		_, err := tab.Upload(context.Background(), sim.Copy, false)
		var rerr *sim.RequestError
		if !errors.As(err, &rerr) || rerr.Kind != sim.KindProtocol || rerr.Op != "which_keys_to_send" {
			t.Fatalf("err = %v, want a protocol error at which_keys_to_send", err)
		}
	})
	t.Run("ChangedAndNew", func(t *testing.T) {
		// Modify BLOB 2 and add BLOB 3 for bmi 1.
		rows := tab.Rows(sim.TableBlobs)
		rows[1]["when_last_modified"] = text("2024-05-01T10:00:00.000+01:00")
		rows = append(rows, blob(3, 1, text("2024-05-01T10:00:01.000+01:00")))
		tab.SetRows(sim.TableBlobs, rows)
		srv.SetWhichKeys(func(simtest.Request) string { return "2,3" })
		srv.SetUploadRecord(func(r simtest.Request) string {
			if strings.HasPrefix(r.Params["values"], "2,") {
				return "UPLOAD-UPDATE"
			}
			return "UPLOAD-INSERT"
		})
		res := mustUpload(t, tab, sim.Copy, false)
		if !slices.Equal(res.UploadRecords, []string{"UPLOAD-UPDATE", "UPLOAD-INSERT"}) || res.RecordsSent != 2+2+2+2 {
			t.Errorf("upload_record results %q, %d records sent", res.UploadRecords, res.RecordsSent)
		}
	})
	t.Run("ErrWrongInsertUpdate", func(t *testing.T) {
		rows := tab.Rows(sim.TableBlobs)
		rows[0]["when_last_modified"] = text("2024-05-01T11:00:00.000+01:00")
		tab.SetRows(sim.TableBlobs, rows)
		srv.SetWhichKeys(func(simtest.Request) string { return "1" })
		srv.SetUploadRecord(func(simtest.Request) string { return "UPLOAD-INSERT" })
		_, err := tab.Upload(context.Background(), sim.Copy, false)
		var rerr *sim.RequestError
		if !errors.As(err, &rerr) || rerr.Kind != sim.KindProtocol || rerr.Op != "upload_record" {
			t.Fatalf("err = %v, want a protocol error at upload_record (a live BLOB is an UPDATE)", err)
		}
	})
}

func TestTablet_Upload_OrphanBlobDropped(t *testing.T) {
	srv := simtest.New(t)
	tab := standardTablet(t, srv)
	tab.SetRows("bmi", tab.Rows("bmi")[:1]) // bmi 2 deleted: BLOB 2 is an orphan
	mustUpload(t, tab, sim.Copy, false)
	for _, r := range srv.Requests() {
		if r.Op == "delete_where_key_not" {
			wantParam(t, r, "pkvalues", "1")
		}
	}
	if got := ids(tab.Rows(sim.TableBlobs)); !slices.Equal(got, []int64{1}) {
		t.Errorf("BLOBs left %v, want [1]", got)
	}
}

func TestTablet_Upload_SingleBlobNullFlag(t *testing.T) {
	srv := simtest.New(t)
	tab := standardTablet(t, srv)
	tab.SetRows(sim.TableBlobs, tab.Rows(sim.TableBlobs)[:1])
	mustUpload(t, tab, sim.Move, false)
	for _, r := range srv.Requests() {
		if r.Op == "which_keys_to_send" {
			// One NULL flag joins into an empty string (PROTOCOL 6.17, C8).
			wantParam(t, r, "move_off_tablet_values", "")
		}
	}
}

func TestTablet_Mutate_ThenUpload(t *testing.T) {
	srv := simtest.New(t)
	tab := newTablet(t, srv)
	mustRegister(t, tab)
	rng := rand.New(rand.NewPCG(3, 4))
	mustUpload(t, tab, sim.Copy, true)
	for round := range 10 {
		before := tab.Expected()
		ch := tab.Mutate(rng)
		if ch.Added < 1 {
			t.Fatalf("round %d: Mutate added %d records, want at least one", round, ch.Added)
		}
		srv.SetWhichKeys(func(r simtest.Request) string { return strings.Join(changedBlobs(tab, before), ",") })
		srv.SetUploadRecord(func(r simtest.Request) string {
			for _, l := range before.Live {
				if l.Table == sim.TableBlobs && strings.HasPrefix(r.Params["values"], itoa(l.Row.ID())+",") {
					return "UPLOAD-UPDATE"
				}
			}
			return "UPLOAD-INSERT"
		})
		mustUpload(t, tab, []sim.Method{sim.Copy, sim.Copy, sim.MoveKeepingPatients, sim.Move}[round%4], round%3 == 0)
	}
}

// moveOffFlags returns the move-off literals of an upload_table's records,
// joined with commas.
func moveOffFlags(r simtest.Request) string {
	var out []string
	for i := range atoi(r.Params["nrecords"]) {
		out = append(out, testclient.EncodeLiteral(testclient.DecodeLiterals(r.Params["record"+itoa(int64(i))])[2]))
	}
	return strings.Join(out, ",")
}

// changedBlobs returns the PKs of the tablet's BLOBs that have no live copy
// in e or a different when_last_modified: what the server asks for.
func changedBlobs(tab *sim.Tablet, e sim.Expectation) []string {
	live := map[int64]string{}
	for _, r := range e.Live {
		if r.Table == sim.TableBlobs {
			live[r.Row.ID()] = r.Row.WLM()
		}
	}
	var out []string
	for _, r := range tab.Rows(sim.TableBlobs) {
		if w, ok := live[r.ID()]; !ok || w != r.WLM() {
			out = append(out, itoa(r.ID()))
		}
	}
	return out
}

// ids returns the client PKs of rows.
func ids(rows []sim.Row) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r.ID())
	}
	return out
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func TestTablet_Upload_CopyMoveOffManyTables(t *testing.T) {
	reg, s := syntheticSchema(t, true)
	srv := simtest.New(t)
	srv.SetRegistry(reg)
	tab := mustTablet(t, sim.Config{URL: srv.URL, User: "alice", Password: "pw!", Records: 40, Seed: 4, Schema: s})
	mustRegister(t, tab)
	marked := patientWithChildAndBlob(t, tab)
	tab.MarkForMoveOff(marked)
	srv.Reset()
	mustUpload(t, tab, sim.Copy, true)
	var data map[string][]map[string]string
	if err := json.Unmarshal([]byte(srv.Requests()[5].Params["dbdata"]), &data); err != nil {
		t.Fatal(err)
	}
	// The patient of each sent record, by table and PK, as the test
	// reads it from the records themselves.
	pk := func(row map[string]string) int64 { return int64(atoi(row["id"])) }
	patientOf := map[string]map[int64]string{}
	for _, table := range s.TableNames() {
		patientOf[table] = map[int64]string{}
		for _, row := range data[table] {
			if p, ok := row["patient_id"]; ok && table != "patient" {
				patientOf[table][pk(row)] = p
			}
		}
	}
	for _, table := range s.TableNames() {
		if parent, fk := s.Parent(table); parent != "" {
			for _, row := range data[table] {
				patientOf[table][pk(row)] = patientOf[parent][int64(atoi(row[fk]))]
			}
		}
	}
	for _, row := range data["blobs"] {
		patientOf["blobs"][pk(row)] = patientOf[strings.Trim(row["tablename"], "'")][int64(atoi(row["tablepk"]))]
	}
	counts, flagged := map[string]int{}, map[string]bool{}
	for _, table := range s.TableNames() {
		for _, row := range data[table] {
			p, hasPatient := patientOf[table][pk(row)]
			want := "0"
			switch {
			case table == "patient":
				want = map[bool]string{true: "1", false: "NULL"}[pk(row) == marked]
			case p == itoa(marked):
				want = "1"
			case table == "patient_idnum" || table == "task04" || table == "task08" || table == "task12":
				want = "NULL" // never set, and not recomputed: ID numbers, anonymous tasks
			}
			if got := row["_move_off_tablet"]; got != want {
				t.Errorf("%s %d (patient %q, %v): _move_off_tablet %s, want %s", table, pk(row), p, hasPatient, got, want)
			}
			counts[want]++
			if want == "1" {
				flagged[table] = true
			}
		}
	}
	if counts["0"] < 50 || counts["NULL"] < 10 || !flagged["blobs"] || !flagged["task01_item"] {
		t.Errorf("move-off flags sent: %v, 1 in %v; want many of each, 1 in blobs and task01_item", counts, flagged)
	}
}

// patientWithChildAndBlob returns a patient of the tablet with a task01
// that has a child record, and a BLOB of a record of the patient.
func patientWithChildAndBlob(t *testing.T, tab *sim.Tablet) int64 {
	t.Helper()
	owner := map[string]int64{} // "table pk" → patient
	for _, table := range tab.Schema().Tasks() {
		for _, r := range tab.Rows(table) {
			owner[table+" "+itoa(r.ID())] = r["patient_id"].Int
		}
	}
	withChild := map[int64]bool{}
	for _, r := range tab.Rows("task01_item") {
		p := owner["task01 "+itoa(r["task01_id"].Int)]
		owner["task01_item "+itoa(r.ID())] = p
		withChild[p] = true
	}
	for _, b := range tab.Rows("blobs") {
		if p := owner[b["tablename"].Text+" "+itoa(b["tablepk"].Int)]; p != 0 && withChild[p] {
			return p
		}
	}
	t.Fatal("no patient has a task01 with a child record and a BLOB")
	return 0
}
