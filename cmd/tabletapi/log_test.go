package main_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// What reaches the log (the hardening issue, items 5 and 6): no value a
// client sends can make it long, and no patient data reaches it.

// TestLog_Amplification: a client cannot write much into the log.
// An operation over 191 characters is the plain 400 (PROTOCOL 2.2 rule 2),
// and a long value quoted in an error reaches the log cut to 200 bytes,
// while the tablet still gets the whole message.
func TestLog_Amplification(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "hardening-pw"
	c := s.addUploader(t, "g", "alice", pw)
	ctx := context.Background()
	s.waitRequests(t, "register", 1)
	before := len(s.Log.String())

	f := loginForm(strings.Repeat("a", 1<<20), c.Device(), "alice", pw)
	resp, b := sendHTTP(t, http.MethodPost, s.API, testclient.FormContentType, testclient.EncodeForm(f))
	if resp.StatusCode != http.StatusBadRequest || b != plain400 {
		t.Fatalf("1 MiB operation: %d %q, want the plain 400", resp.StatusCode, b)
	}
	long := strings.Repeat("t", 1<<20)
	r, err := c.Do(ctx, "upload_table", map[string]string{"table": long})
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:Invalid client table name: "+long+
		"\nsession_id:{session_id}\nsession_token:{session_token}\n")
	s.waitRequests(t, "upload_table", 1)
	added := s.Log.String()[before:]
	if len(added) > 4<<10 {
		t.Fatalf("two requests with 1 MiB values added %d bytes to the log", len(added))
	}
	if !strings.Contains(added, "…[cut: ") {
		t.Errorf("the cut is not marked:\n%s", added)
	}
}

// TestLog_NoPatientData: failures that quote patient data reach
// the tablet whole, and the log only as their reason (the hardening issue,
// item 6): validate_patients, a value that does not convert, an invalid
// NHS number.
func TestLog_NoPatientData(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "hardening-pw"
	s.addUser(t, "g", "alice", pw, "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS",
		"--validation", "uk_nhs_number")
	// A policy the patient fails although it has an ID number, so that the
	// message quotes one.
	s.mustAdmin(t, "", "group", "set", "g", "--upload-policy", "idnum1 AND gp")
	c := registeredClient(t, s, "alice", pw)
	ctx := context.Background()
	const session = "\nsession_id:{session_id}\nsession_token:{session_token}\n"
	info := `[{"address":"1 Quayside","dob":"1931-07-14","email":"quintus@example.org","finalizing":false,` +
		`"forename":"Quintus","gp":null,"idnum1":4010232137,"other":null,"sex":"M","surname":"Fairweather"}]`
	r, err := c.Do(ctx, "validate_patients", map[string]string{"patient_info": info})
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:Invalid patient: Patient(forename='Quintus', surname='Fairweather', "+
		"sex='M', DOB=1931-07-14, address='1 Quayside', email='quintus@example.org', gp=None, otherdetails=None, "+
		"idnums=[idnum1=4010232137]) -> Fails upload ID policy"+session)

	if _, err := c.Do(ctx, "start_upload", nil); err != nil {
		t.Fatal(err)
	}
	r, err = c.Do(ctx, "upload_table", map[string]string{"table": "patient", "pkname": "id", "nrecords": "1",
		"fields":  "id,when_last_modified,_move_off_tablet,forename,dob",
		"record0": "1,'2024-01-01T10:00:00.000+00:00',0,'Quintus','Bastille day'"})
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:Invalid value for field 'dob' in table 'patient', record 0: \"'Bastille day'\""+session)
	r, err = c.Do(ctx, "upload_table", map[string]string{"table": "patient_idnum", "pkname": "id", "nrecords": "1",
		"fields":  "id,when_last_modified,_move_off_tablet,patient_id,which_idnum,idnum_value",
		"record0": "1,'2024-01-01T10:00:00.000+00:00',0,1,1,4010232138"})
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:For ID type 1, ID number 4010232138 is invalid: Invalid UK NHS number"+session)

	s.waitRequests(t, "upload_table", 2)
	log := s.Log.String()
	for _, data := range []string{"Quintus", "Fairweather", "1931", "quintus@example.org", "Quayside", "Bastille", "4010232138", "4010232137"} {
		if strings.Contains(log, data) {
			t.Errorf("the log holds patient data %q:\n%s", data, log)
		}
	}
	for _, reason := range []string{"Invalid patient: Fails upload ID policy (failing: 1, patients: 1)", "reason=policy_unsatisfied",
		"Invalid value for field 'dob' in table 'patient', record 0", "For ID type 1, an ID number is invalid: Invalid UK NHS number"} {
		if !strings.Contains(log, reason) {
			t.Errorf("the log lacks the reason %q:\n%s", reason, log)
		}
	}
}
