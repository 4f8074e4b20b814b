package main_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// TestUploadTableOver10000Records: a table of more than 10,000 records goes
// up in one upload_table, though the form then has over 10,000 parameters
// (Go's url.ParseQuery refuses those).
func TestUploadTableOver10000Records(t *testing.T) {
	if testing.Short() {
		t.Skip("large upload; skipped with -short")
	}
	s, c := startWithUploader(t)
	const n = 10050
	uploadBigBMI(t, s, c, n)
}

// uploadBigBMI sends a whole multi-step sequence with the n records of
// bigBMIParams and checks that they are all stored.
func uploadBigBMI(t *testing.T, s *testServer, c *testclient.Client, n int) {
	t.Helper()
	c.ResetSession()
	s.step(t, c, "start_upload", nil, "start_upload")
	s.step(t, c, "upload_table", bigBMIParams(n), "Table bmi upload successful")
	s.step(t, c, "end_upload", nil, "end_upload")
	if got := s.count(t, "bmi", "_current AND _era = 'NOW'"); got != n {
		t.Fatalf("current bmi rows = %d, want %d", got, n)
	}
}

// bigBMIParams is upload_table's parameters for n bmi records, client PKs
// 1 to n.
func bigBMIParams(n int) map[string]string {
	params := map[string]string{"table": "bmi", "pkname": "id", "nrecords": strconv.Itoa(n), "fields": bmiFields}
	for i := range n {
		params[fmt.Sprintf("record%d", i)] = fmt.Sprintf(
			"%d,0,'2024-05-01T09:31:12.345+01:00','2024-05-01T09:30:00.000+01:00',1,0,'2024-05-01T09:31:12.300+01:00',72.5,1,70.2,1.75,NULL,NULL", i+1)
	}
	return params
}
