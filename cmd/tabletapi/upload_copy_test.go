package main_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// uploadSetup starts a server with an uploader whose device is registered,
// and returns the server and the client (session reset).
func uploadSetup(t *testing.T, flags ...string) (*testServer, *testclient.Client) {
	t.Helper()
	s := startServer(t, flags...)
	s.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	c := s.client("alice", "pw!-secret")
	if _, err := c.RegisterSequence(context.Background(), "tablet"); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// step sends one request and fails the test unless the reply is exactly
// result:<want> with success.
func (s *testServer) step(t *testing.T, c *testclient.Client, op string, params map[string]string, want string) {
	t.Helper()
	r, err := c.Do(context.Background(), op, params)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	if r.Status != http.StatusOK {
		t.Logf("server log:\n%s", s.Log)
	}
	wantReply(t, r, http.StatusOK, "result:"+want+"\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
}

const (
	bmiFields     = "id,_move_off_tablet,when_last_modified,when_created,firstexit_is_finish,firstexit_is_abort,when_firstexit,editing_time_s,patient_id,mass_kg,height_m,waist_cm,comment"
	patientFields = "id,_move_off_tablet,when_last_modified,forename,surname,sex,dob,email,address,gp,other"
	idnumFields   = "id,_move_off_tablet,when_last_modified,patient_id,which_idnum,idnum_value"
	blobFields    = "id,_move_off_tablet,when_last_modified,tablename,tablepk,fieldname,filename,mimetype,theblob,image_rotation_deg_cw"
)

// TestUploadCopyExample runs the multi-step Copy of PROTOCOL 12.4 twice:
// the second, identical upload changes nothing.
func TestUploadCopyExample(t *testing.T) {
	s, c := uploadSetup(t)
	run := func(blobResult string, insertBlob bool) {
		c.ResetSession()
		s.step(t, c, "check_device_registered", nil, "check_device_registered")
		s.step(t, c, "check_upload_user_and_device", nil, "check_upload_user_and_device")
		s.step(t, c, "validate_patients", map[string]string{"patient_info": `[{"address":null,"dob":"1980-02-29","email":null,"finalizing":false,"forename":"Ann","gp":null,"idnum1":9999999999,"other":null,"sex":"F","surname":"Smith"}]`}, "Success")
		s.step(t, c, "start_upload", nil, "start_upload")
		s.step(t, c, "upload_empty_tables", map[string]string{"tables": "phq9"}, "UPLOAD-EMPTY-TABLES")
		s.step(t, c, "upload_table", map[string]string{"table": "bmi", "pkname": "id", "nrecords": "1", "fields": bmiFields,
			"record0": "1,0,'2024-05-01T09:31:12.345+01:00','2024-05-01T09:30:00.000+01:00',1,0,'2024-05-01T09:31:12.300+01:00',72.5,1,70.2,1.75,NULL,NULL"},
			"Table bmi upload successful")
		s.step(t, c, "upload_table", map[string]string{"table": "patient", "pkname": "id", "nrecords": "1", "fields": patientFields,
			"record0": "1,0,'2024-05-01T09:29:00.000+01:00','Ann','Smith','F','1980-02-29',NULL,NULL,NULL,NULL"},
			"Table patient upload successful")
		s.step(t, c, "upload_table", map[string]string{"table": "patient_idnum", "pkname": "id", "nrecords": "1", "fields": idnumFields,
			"record0": "1,0,'2024-05-01T09:29:00.000+01:00',1,1,9999999999"},
			"Table patient_idnum upload successful")
		s.step(t, c, "delete_where_key_not", map[string]string{"table": "blobs", "pkname": "id", "pkvalues": "1"}, "Trimmed")
		s.step(t, c, "which_keys_to_send", map[string]string{"table": "blobs", "pkname": "id", "pkvalues": "1",
			"datevalues": "2024-05-01T09:31:00.000+01:00", "move_off_tablet_values": "0"}, blobResult)
		if insertBlob {
			s.step(t, c, "upload_record", map[string]string{"table": "blobs", "pkname": "id", "fields": blobFields,
				"values": "1,0,'2024-05-01T09:31:00.000+01:00','bmi',1,'photo_blobid',NULL,'image/png',64'iVBORw0KGgo=',0"},
				"UPLOAD-INSERT")
		}
		s.step(t, c, "end_upload", nil, "end_upload")
	}
	run("1", true)
	for table, want := range map[string]int{"bmi": 1, "patient": 1, "patient_idnum": 1, "blobs": 1} {
		if n := s.count(t, table, "_era = 'NOW' AND _current AND NOT _addition_pending"); n != want {
			t.Fatalf("%s: %d current rows, want %d", table, n, want)
		}
	}
	if n := s.count(t, "audit_log", "details LIKE 'Upload from device %bmi (1 added, PKs [1];%'"); n != 1 {
		t.Fatalf("upload audit rows = %d, want 1", n)
	}
	run("", false)
	for _, table := range []string{"bmi", "patient", "patient_idnum", "blobs"} {
		if n := s.count(t, table, "1 = 1"); n != 1 {
			t.Fatalf("%s: %d rows after a repeat, want 1", table, n)
		}
	}
	if n := s.count(t, "audit_log", "details LIKE 'Upload from device %: No changes'"); n != 1 {
		t.Fatalf("repeat audit rows = %d, want 1", n)
	}
}
