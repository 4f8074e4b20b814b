package main_test

import (
	"context"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// TestLegacyPatientIDNumbers: a 2.0.0 client sends ID numbers as idnum<n>
// columns of patient; they are stored as patient_idnum records (id =
// patient id × 8 + n), and go when their patient goes (PROTOCOL 9.4).
func TestLegacyPatientIDNumbers(t *testing.T) {
	s := startServer(t)
	s.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	c := testclient.New(testclient.Config{URL: s.API, Device: testclient.NewDeviceID(), User: "alice", Password: "pw!-secret", CamcopsVersion: "2.0.0"})
	if _, err := c.RegisterSequence(context.Background(), "old tablet"); err != nil {
		t.Fatal(err)
	}
	c.ResetSession()
	fields := "id,_move_off_tablet,when_last_modified,forename,surname,sex,dob,idnum1,iddesc1,idshortdesc1,idnum2"
	s.step(t, c, "start_upload", nil, "start_upload")
	// pkname is ignored before 2.0.4.
	s.step(t, c, "upload_table", map[string]string{"table": "patient", "nrecords": "1", "fields": fields, "pkname": "forename",
		"record0": "1,0,'2024-05-01T09:29:00.000+01:00','Ann','Smith','F','1980-02-29',9434765919,'NHS number','NHS',NULL"},
		"Table patient upload successful")
	s.step(t, c, "end_upload", nil, "end_upload")
	if n := s.count(t, "patient_idnum", "id = 9 AND patient_id = 1 AND which_idnum = 1 AND idnum_value = 9434765919 AND _current AND _era = 'NOW'"); n != 1 {
		t.Fatalf("ID number rows = %d, want 1", n)
	}
	if n := s.count(t, "patient_idnum", "1 = 1"); n != 1 {
		t.Fatalf("patient_idnum rows = %d, want 1 (a NULL idnum2 stores nothing)", n)
	}

	// An invalid NHS number is refused like any ID number, naming nothing new.
	s.step(t, c, "start_upload", nil, "start_upload")
	r, err := c.Do(context.Background(), "upload_table", map[string]string{"table": "patient", "nrecords": "1", "fields": fields,
		"record0": "1,0,'2024-06-01T09:29:00.000+01:00','Ann','Smith','F','1980-02-29',9434765918,NULL,NULL,NULL"})
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, 200, "success:0\nerror:For ID type 1, ID number 9434765918 is invalid: Invalid UK NHS number\nsession_id:{session_id}\nsession_token:{session_token}\n")

	// The patient goes, and its ID number with it.
	c.ResetSession()
	s.step(t, c, "start_upload", nil, "start_upload")
	s.step(t, c, "upload_table", map[string]string{"table": "patient", "nrecords": "0", "fields": fields}, "Table patient upload successful")
	s.step(t, c, "end_upload", nil, "end_upload")
	if n := s.count(t, "patient_idnum", "id = 9 AND NOT _current AND _successor_pk IS NULL"); n != 1 {
		t.Fatalf("deleted ID number rows = %d, want 1", n)
	}
}
