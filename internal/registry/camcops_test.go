package registry_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// python3 returns the interpreter that runs the registry generator. Without
// one the generator's tests cannot run: that skips them on a developer's
// machine and fails them in CI, which must never skip silently.
func python3(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 is required in CI to test the registry generator")
		}
		t.Skip("python3 not found; the registry generator's tests need it")
	}
	return p
}

// TestGenerator runs the generator's own tests (camcops/test_gentables.py),
// which build small packages shaped like the reference and check each shape
// the generator must resolve or report.
func TestGenerator(t *testing.T) {
	cmd := exec.Command(python3(t), "-B", "-m", "unittest", "-v")
	cmd.Dir = "camcops"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 -m unittest: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("\nOK")) {
		t.Fatalf("python3 -m unittest did not report OK:\n%s", out)
	}
}

// TestDefaultIsGenerated regenerates default.tables from the CamCOPS checkout
// named by TABLETAPI_CAMCOPS_SOURCE, at the commit the file names, and
// compares. Without the variable there is nothing to compare with.
func TestDefaultIsGenerated(t *testing.T) {
	src := os.Getenv("TABLETAPI_CAMCOPS_SOURCE")
	if src == "" {
		t.Skip("TABLETAPI_CAMCOPS_SOURCE is not set")
	}
	want, err := os.ReadFile("default.tables")
	if err != nil {
		t.Fatal(err)
	}
	var origin string
	for _, line := range strings.Split(string(want), "\n") {
		if o, ok := strings.CutPrefix(line, "# Source: "); ok {
			origin = o
			break
		}
	}
	out := filepath.Join(t.TempDir(), "default.tables")
	cmd := exec.Command(python3(t), "-B", filepath.Join("camcops", "gentables.py"), src, "--origin", origin, "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gentables: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("default.tables differs from what gentables writes for %s; regenerate it (FORMAT.md)", src)
	}
}
