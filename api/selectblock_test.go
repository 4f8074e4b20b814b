package api

import "testing"

// TestSelectBlock: the records of a SELECT block are text literals
// (PROTOCOL 6.1, 7.3), escaped and quoted as the client reads them back.
func TestSelectBlock(t *testing.T) {
	got := string(selectBlock([]string{"a", "b"}, [][]string{
		{"plain", ""},
		{"it's", "x\ny\rz\\"},
	}).encode())
	want := "nfields:2\nfields:a,b\nnrecords:2\n" +
		"record0:'plain',''\n" +
		`record1:'it''s','x\ny\rz\\'` + "\n"
	if got != want {
		t.Errorf("selectBlock =\n%q, want\n%q", got, want)
	}
}
