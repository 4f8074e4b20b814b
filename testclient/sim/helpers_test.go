package sim_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// testZone is the standard tablet's time zone.
var testZone = time.FixedZone("", 3600)

// newTablet returns a tablet for the fake server with a fixed clock
// (2024-05-01T09:31:12.345+01:00, each reading 1 ms later).
func newTablet(t *testing.T, srv *simtest.Server) *sim.Tablet {
	t.Helper()
	now := time.Date(2024, 5, 1, 8, 31, 12, 345_000_000, time.UTC)
	return sim.NewTablet(sim.Config{
		URL: srv.URL, User: "alice", Password: "pw!", Records: 6, Seed: 1, Zone: testZone,
		Now: func() time.Time { return now },
	})
}

// text, integer, float and null are short Value constructors.
func text(s string) testclient.Value   { return testclient.TextValue(s) }
func integer(i int64) testclient.Value { return testclient.IntValue(i) }
func float(f float64) testclient.Value { return testclient.RealValue(f) }

var null = testclient.NullValue()

// standardTablet is the tablet of PROTOCOL 12.4, a little larger: two
// patients with NHS numbers, a bmi each, a BLOB per bmi, and no phq9. Flags
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
	tab.SetRows(sim.TableBMI, []sim.Row{
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
