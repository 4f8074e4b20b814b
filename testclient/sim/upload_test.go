package sim_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// The standard tablet's records as the client sends them (PROTOCOL 7.4),
// with %s for the move-off flag where Copy and Move differ.
var (
	wantBMI1 = `1,'2024-05-01T09:31:12.345+01:00',%s,'2024-05-01T09:30:00.000+01:00',` +
		`'2024-05-01T09:31:12.345+01:00',1,0,72.5,1,1.75,70.2,NULL,'Said ''fine''\nthen left'`
	wantPatients = []string{
		`1,'2024-05-01T09:29:00.000+01:00',0,'Ann','Smith','1980-02-29','F',NULL,NULL,NULL,NULL`,
		`2,'2024-05-01T09:29:30.000+01:00',NULL,'Bob','O''Brien','1975-11-30','M','1 High St\nCambridge',NULL,NULL,NULL`,
	}
	wantIDNum1 = `1,'2024-05-01T09:29:00.000+01:00',NULL,1,1,9434765919`
	wantBlob1  = `1,'2024-05-01T09:31:00.000+01:00',%s,'bmi',1,'photo_blobid',NULL,'image/png',0,64'` +
		base64.StdEncoding.EncodeToString(testPNG) + `'`
	wantPatientInfo = `[{"address":null,"dob":"1980-02-29","email":null,"finalizing":%[1]v,"forename":"Ann","gp":null,` +
		`"idnum1":9434765919,"other":null,"sex":"F","surname":"Smith"},{"address":"1 High St\nCambridge",` +
		`"dob":"1975-11-30","email":null,"finalizing":%[1]v,"forename":"Bob","gp":null,"idnum1":4010232137,` +
		`"other":null,"sex":"M","surname":"O'Brien"}]`
)

var preamble = []string{
	"check_device_registered", "check_upload_user_and_device", "get_id_info", "validate_patients", "get_allowed_tables",
}

func TestTablet_Upload_Sequences(t *testing.T) {
	multi := func(moves bool) []string {
		ops := append(slices.Clone(preamble), "start_upload")
		if moves {
			ops = append(ops, "start_preservation")
		}
		return append(ops, "upload_empty_tables", "upload_table", "upload_table", "upload_table",
			"delete_where_key_not", "which_keys_to_send", "upload_record", "upload_record", "end_upload")
	}
	one := append(slices.Clone(preamble), "upload_entire_database")
	for _, tc := range []struct {
		method  sim.Method
		oneStep bool
		ops     []string
		flag    string // the move-off literal of bmi 1 and BLOB 1
		left    map[string]int
	}{
		{sim.Copy, false, multi(false), "0", map[string]int{"patient": 2, "patient_idnum": 2, "bmi": 2, "blobs": 2}},
		{sim.MoveKeepingPatients, false, multi(true), "NULL", map[string]int{"patient": 2, "patient_idnum": 2}},
		{sim.Move, false, multi(true), "NULL", map[string]int{}},
		{sim.Copy, true, one, "0", map[string]int{"patient": 2, "patient_idnum": 2, "bmi": 2, "blobs": 2}},
		{sim.MoveKeepingPatients, true, one, "NULL", map[string]int{"patient": 2, "patient_idnum": 2}},
		{sim.Move, true, one, "NULL", map[string]int{}},
	} {
		name := tc.method.String() + map[bool]string{false: "MultiStep", true: "OneStep"}[tc.oneStep]
		t.Run(name, func(t *testing.T) {
			srv := simtest.New(t)
			tab := standardTablet(t, srv)
			mustUpload(t, tab, tc.method, tc.oneStep)
			reqs := srv.Requests()
			if got := srv.Ops(); !slices.Equal(got, tc.ops) {
				t.Fatalf("ops =\n%q\nwant\n%q", got, tc.ops)
			}
			wantSessions(t, reqs)
			for _, r := range reqs {
				wantCommon(t, r, tab.Device())
			}
			wantParam(t, reqs[3], "patient_info", fmt.Sprintf(wantPatientInfo, tc.method.Moves()))
			if tc.oneStep {
				wantOneStep(t, reqs[5], tc.method, tc.flag)
			} else {
				wantMultiStep(t, reqs[5:], tc.method, tc.flag)
			}
			for _, table := range testSchema.TableNames() {
				if got := len(tab.Rows(table)); got != tc.left[table] {
					t.Errorf("after the upload the tablet has %d %s rows, want %d", got, table, tc.left[table])
				}
			}
			e := tab.Expected()
			live, preserved := 8, 0
			if tc.method.Moves() {
				live, preserved = 0, 8
			}
			if len(e.Live) != live || len(e.Preserved) != preserved || e.Unsettled || e.Uploads != 1 {
				t.Errorf("Expected: %d live, %d preserved, unsettled %v, uploads %d; want %d, %d, false, 1",
					len(e.Live), len(e.Preserved), e.Unsettled, e.Uploads, live, preserved)
			}
		})
	}
}

// wantMultiStep checks the parameters of the requests from start_upload on.
func wantMultiStep(t *testing.T, reqs []simtest.Request, m sim.Method, flag string) {
	t.Helper()
	if m.Moves() {
		reqs = slices.Delete(reqs, 1, 2) // start_preservation has no parameters
	}
	wantParam(t, reqs[1], "tables", "phq9")
	for i, table := range []string{"bmi", "patient", "patient_idnum"} {
		r := reqs[2+i]
		wantParam(t, r, "table", table)
		wantParam(t, r, "pkname", "id")
		wantParam(t, r, "fields", strings.Join(testSchema.FieldNames(table), ","))
		wantParam(t, r, "nrecords", "2")
	}
	wantParam(t, reqs[2], "record0", fmt.Sprintf(wantBMI1, flag))
	wantParam(t, reqs[3], "record0", wantPatients[0])
	wantParam(t, reqs[3], "record1", wantPatients[1])
	wantParam(t, reqs[4], "record0", wantIDNum1)
	wantParam(t, reqs[5], "pkvalues", "1,2")
	keys := reqs[6]
	wantParam(t, keys, "pkvalues", "1,2")
	wantParam(t, keys, "datevalues", "2024-05-01T09:31:00.000+01:00,2024-05-01T09:31:30.000+01:00")
	wantParam(t, keys, "move_off_tablet_values", map[string]string{"0": "0,0", "NULL": ","}[flag])
	wantParam(t, reqs[7], "fields", strings.Join(testSchema.FieldNames("blobs"), ","))
	wantParam(t, reqs[7], "values", fmt.Sprintf(wantBlob1, flag))
	wantParam(t, reqs[7], "table", "blobs")
	wantParam(t, reqs[7], "pkname", "id")
}

// wantOneStep checks upload_entire_database's parameters.
func wantOneStep(t *testing.T, r simtest.Request, m sim.Method, flag string) {
	t.Helper()
	wantParam(t, r, "finalizing", map[bool]string{false: "0", true: "1"}[m.Moves()])
	wantParam(t, r, "pknameinfo", `{"blobs":"id","bmi":"id","patient":"id","patient_idnum":"id","phq9":"id","tabletsim_unknown":"id"}`)
	var data map[string][]map[string]string
	if err := json.Unmarshal([]byte(r.Params["dbdata"]), &data); err != nil {
		t.Fatalf("dbdata: %v", err)
	}
	for table, n := range map[string]int{"blobs": 2, "bmi": 2, "patient": 2, "patient_idnum": 2, "phq9": 0, "tabletsim_unknown": 0} {
		rows, ok := data[table]
		if !ok || len(rows) != n {
			t.Errorf("dbdata has %d %s rows (present %v), want %d", len(rows), table, ok, n)
		}
		for _, row := range rows {
			if len(row) != len(testSchema.Columns(table)) {
				t.Errorf("dbdata %s row has %d fields, want all %d", table, len(row), len(testSchema.Columns(table)))
			}
		}
	}
	if got, want := data["bmi"][0]["_move_off_tablet"], flag; got != want {
		t.Errorf("bmi 1 _move_off_tablet = %q, want %q", got, want)
	}
	if got, want := data["patient"][1]["surname"], `'O''Brien'`; got != want {
		t.Errorf("patient 2 surname = %q, want %q", got, want)
	}
	if strings.Contains(r.Params["dbdata"], "\n") || !strings.HasPrefix(r.Params["dbdata"], `{"blobs":[{"_move_off_tablet":`) ||
		!strings.HasSuffix(r.Params["dbdata"], `"tabletsim_unknown":[]}`) {
		t.Errorf("dbdata is not compact with sorted keys: %.80s…", r.Params["dbdata"])
	}
}

// wantParam checks one parameter of a request.
func wantParam(t *testing.T, r simtest.Request, key, want string) {
	t.Helper()
	if got, ok := r.Params[key]; !ok || got != want {
		t.Errorf("%s: %s = %q (present %v), want %q", r.Op, key, got, ok, want)
	}
}
