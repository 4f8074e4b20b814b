package sim_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// testZone is the standard tablet's time zone.
var testZone = time.FixedZone("", 3600)

// testTables is the registry of the tests that need exact data: the
// five tables of PROTOCOL Appendix A, fixed here so that the tests do not
// change when the compiled-in registry grows.
const testTables = `
table patient kind=patient pk=id min_version=2.0.0
    id integer
    when_last_modified datetime
    _move_off_tablet boolean
    forename text
    surname text
    dob date
    sex text
    address text
    email text
    gp text
    other text
    uuid text
table patient_idnum kind=patient_idnum pk=id min_version=2.0.0
    id integer
    when_last_modified datetime
    _move_off_tablet boolean
    patient_id integer
    which_idnum integer
    idnum_value integer
table blobs kind=nontask pk=id min_version=2.0.0
    id integer
    when_last_modified datetime
    _move_off_tablet boolean
    tablename text
    tablepk integer
    fieldname text
    filename text
    mimetype text
    image_rotation_deg_cw integer
    theblob blob
table bmi kind=task pk=id min_version=2.0.0
    id integer
    when_last_modified datetime
    _move_off_tablet boolean
    when_created datetime
    when_firstexit datetime
    firstexit_is_finish boolean
    firstexit_is_abort boolean
    editing_time_s real
    patient_id integer
    height_m real
    mass_kg real
    waist_cm real
    comment text
table phq9 kind=task pk=id min_version=2.0.0
    id integer
    when_last_modified datetime
    _move_off_tablet boolean
    when_created datetime
    when_firstexit datetime
    firstexit_is_finish boolean
    firstexit_is_abort boolean
    editing_time_s real
    patient_id integer
    q1 integer
    q2 integer
    q3 integer
    q4 integer
    q5 integer
    q6 integer
    q7 integer
    q8 integer
    q9 integer
    q10 integer
`

// testRegistry and testSchema are those of testTables.
var (
	testRegistry = mustParse(testTables)
	testSchema   = mustSchema(testRegistry)
)

// mustParse parses a registry.
func mustParse(text string) *registry.Registry {
	reg, err := registry.Parse(strings.NewReader(text), "test.tables")
	if err != nil {
		panic(err)
	}
	return reg
}

// mustSchema returns the schema of a registry.
func mustSchema(reg *registry.Registry) *sim.Schema {
	s, err := sim.NewSchema(reg)
	if err != nil {
		panic(err)
	}
	return s
}

// mustTablet returns a new tablet or fails the test.
func mustTablet(t *testing.T, cfg sim.Config) *sim.Tablet {
	t.Helper()
	tab, err := sim.NewTablet(cfg)
	if err != nil {
		t.Fatalf("NewTablet: %v", err)
	}
	return tab
}

// newTablet returns a tablet of testSchema for the fake server, which it
// sets to publish testRegistry, with a fixed clock
// (2024-05-01T09:31:12.345+01:00, each reading 1 ms later).
func newTablet(t *testing.T, srv *simtest.Server) *sim.Tablet {
	t.Helper()
	srv.SetRegistry(testRegistry)
	now := time.Date(2024, 5, 1, 8, 31, 12, 345_000_000, time.UTC)
	return mustTablet(t, sim.Config{
		URL: srv.URL, User: "alice", Password: "pw!", Records: 6, Seed: 1, Zone: testZone, Schema: testSchema,
		Now: func() time.Time { return now },
	})
}

// text, integer, float and null are short Value constructors.
func text(s string) testclient.Value   { return testclient.TextValue(s) }
func integer(i int64) testclient.Value { return testclient.IntValue(i) }
func float(f float64) testclient.Value { return testclient.RealValue(f) }

var null = testclient.NullValue()

// standardTablet is the tablet of PROTOCOL 12.4, a little larger: two
// patients with NHS numbers, a bmi each, a BLOB per bmi, and no phq9, of
// testSchema. Flags
// never set are NULL. It is registered with the fake, whose requests are
// then forgotten.
func standardTablet(t *testing.T, srv *simtest.Server) *sim.Tablet {
	t.Helper()
	tab := newTablet(t, srv)
	tab.ClearTables()
	wlm := func(s string) testclient.Value { return text("2024-05-01T09:" + s + "+01:00") }
	tab.SetRows(sim.TablePatient, []sim.Row{
		{
			"id": integer(1), "_move_off_tablet": integer(0), "when_last_modified": wlm("29:00.000"),
			"forename": text("Ann"), "surname": text("Smith"), "sex": text("F"), "dob": text("1980-02-29"),
		},
		{
			"id": integer(2), "_move_off_tablet": null, "when_last_modified": wlm("29:30.000"),
			"forename": text("Bob"), "surname": text("O'Brien"), "sex": text("M"), "dob": text("1975-11-30"),
			"address": text("1 High St\nCambridge"),
		},
	})
	tab.SetRows(sim.TablePatientIDNum, []sim.Row{
		{
			"id": integer(1), "_move_off_tablet": null, "when_last_modified": wlm("29:00.000"),
			"patient_id": integer(1), "which_idnum": integer(1), "idnum_value": integer(9434765919),
		},
		{
			"id": integer(2), "_move_off_tablet": null, "when_last_modified": wlm("29:30.000"),
			"patient_id": integer(2), "which_idnum": integer(1), "idnum_value": integer(4010232137),
		},
	})
	tab.SetRows("bmi", []sim.Row{
		bmi(1, 1, wlm("31:12.345"), float(70.2), text("Said 'fine'\nthen left")),
		bmi(2, 2, wlm("32:00.000"), float(81), null),
	})
	tab.SetRows(sim.TableBlobs, []sim.Row{blob(1, 1, wlm("31:00.000")), blob(2, 2, wlm("31:30.000"))})
	mustRegister(t, tab)
	srv.Reset()
	return tab
}

// bmi returns a bmi row.
func bmi(id, patient int64, wlm, mass, comment testclient.Value) sim.Row {
	return sim.Row{
		"id": integer(id), "_move_off_tablet": null, "when_last_modified": wlm,
		"when_created": text("2024-05-01T09:30:00.000+01:00"), "firstexit_is_finish": integer(1),
		"firstexit_is_abort": integer(0), "when_firstexit": wlm, "editing_time_s": float(72.5),
		"patient_id": integer(patient), "mass_kg": mass, "height_m": float(1.75), "waist_cm": null, "comment": comment,
	}
}

// testPNG is a 1×1 PNG.
var testPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\xdacd`\xf8_\x0f\x00\x02\x87\x01\x80\xeb\x47\xba\x92\x00\x00\x00\x00IEND\xaeB`\x82")

// blob returns a BLOB row belonging to bmi row tablepk.
func blob(id, tablepk int64, wlm testclient.Value) sim.Row {
	return sim.Row{
		"id": integer(id), "_move_off_tablet": null, "when_last_modified": wlm,
		"tablename": text("bmi"), "tablepk": integer(tablepk), "fieldname": text("photo_blobid"),
		"mimetype": text("image/png"), "theblob": testclient.BytesValue(testPNG), "image_rotation_deg_cw": integer(0),
	}
}

// mustRegister registers the tablet.
func mustRegister(t *testing.T, tab *sim.Tablet) {
	t.Helper()
	if err := tab.Register(context.Background()); err != nil {
		t.Fatalf("Register: %v", err)
	}
}

// mustUpload uploads and fails the test on an error.
func mustUpload(t *testing.T, tab *sim.Tablet, m sim.Method, oneStep bool) *sim.UploadResult {
	t.Helper()
	res, err := tab.Upload(context.Background(), m, oneStep)
	if err != nil {
		t.Fatalf("Upload(%v, oneStep=%v): %v", m, oneStep, err)
	}
	return res
}

// wantSessions checks that the first request carries no session and each
// later one the session of the reply before it.
func wantSessions(t *testing.T, reqs []simtest.Request) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatal("no requests")
	}
	if id, ok := reqs[0].Params["session_id"]; ok {
		t.Errorf("%s: the first request of the sequence sends session_id %s", reqs[0].Op, id)
	}
	for i := 1; i < len(reqs); i++ {
		id, token := reqs[i].Params["session_id"], reqs[i].Params["session_token"]
		want := strconv.Itoa(reqs[i-1].Session)
		if id != want || token != "token"+want {
			t.Errorf("request %d (%s) sends session %q/%q, want %s/token%s", i, reqs[i].Op, id, token, want, want)
		}
	}
}
