package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// TestRegistryGrowsWithoutLoss: adding a field to a table and a new table
// to the registry, then restarting on the same database, keeps every stored
// row, and the new field and table are usable at once (issue 3, Storage).
func TestRegistryGrowsWithoutLoss(t *testing.T) {
	dbURL := dbtest.NewURL(t)
	ctx := context.Background()

	first := startServerOn(t, dbURL)
	first.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	c := first.client("alice", "pw!-secret")
	if _, err := c.RegisterSequence(ctx, "tablet"); err != nil {
		t.Fatal(err)
	}
	c.ResetSession()
	first.step(t, c, "upload_table", map[string]string{"table": "bmi", "pkname": "id", "nrecords": "1", "fields": bmiFields,
		"record0": "1,0,'2024-05-01T09:31:12.345+01:00','2024-05-01T09:30:00.000+01:00',1,0,'2024-05-01T09:31:12.300+01:00',72.5,1,70.2,1.75,NULL,'kept'"},
		"Table bmi upload successful")
	first.step(t, c, "end_upload", nil, "end_upload")

	// The same registry plus bmi.note and a table new_task.
	grown := registry.Default().Format()
	grown = strings.Replace(grown, "table bmi kind=task pk=id min_version=2.0.0\n",
		"table bmi kind=task pk=id min_version=2.0.0\n    note text\n", 1)
	grown += "\ntable new_task kind=task pk=id min_version=2.0.0\n    id integer\n    when_last_modified datetime\n" +
		"    _move_off_tablet boolean\n    score integer\n"
	if !strings.Contains(grown, "    note text\n") {
		t.Fatalf("could not add a field to:\n%s", grown)
	}
	path := filepath.Join(t.TempDir(), "grown.tables")
	if err := os.WriteFile(path, []byte(grown), 0o600); err != nil {
		t.Fatal(err)
	}
	second := startServerOn(t, dbURL, "--tables", path)
	if n := second.count(t, "bmi", "id = 1 AND comment = 'kept' AND _current AND note IS NULL"); n != 1 {
		t.Fatalf("stored bmi rows after the restart: %d, want 1", n)
	}
	c2 := second.client("alice", "pw!-secret")
	if _, err := c2.RegisterSequence(ctx, "tablet"); err != nil {
		t.Fatal(err)
	}
	c2.ResetSession()
	second.step(t, c2, "upload_table", map[string]string{"table": "new_task", "pkname": "id", "nrecords": "1",
		"fields": "id,_move_off_tablet,when_last_modified,score", "record0": "1,0,'2024-05-01T10:00:00.000+01:00',7"},
		"Table new_task upload successful")
	second.step(t, c2, "end_upload", nil, "end_upload")
	if n := second.count(t, "new_task", "id = 1 AND score = 7 AND _current"); n != 1 {
		t.Fatalf("new_task rows = %d, want 1", n)
	}
}

// TestRegistryTableNameClash: a registry table may not take the name of a
// gateway table; serve refuses to start and says which.
func TestRegistryTableNameClash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clash.tables")
	body := "table devices kind=task pk=id min_version=2.0.0\n    id integer\n    when_last_modified datetime\n    _move_off_tablet boolean\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, dbtest.NewURL(t), "", "serve", "--listen", "127.0.0.1:0", "--tables", path)
	if err == nil || !strings.Contains(err.Error(), `"devices"`) {
		t.Fatalf("serve with a clashing table: err = %v, want one naming \"devices\"", err)
	}
}
