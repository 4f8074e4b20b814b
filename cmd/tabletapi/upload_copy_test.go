package main_test

import (
	"testing"
)

// TestUploadCopyExample runs the multi-step Copy of PROTOCOL 12.4 twice:
// the second, identical upload changes nothing.
func TestUploadCopyExample(t *testing.T) {
	s, c := startWithUploader(t)
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
