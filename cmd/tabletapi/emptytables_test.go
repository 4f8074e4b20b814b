package main_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/dbtest"
)

// The cost of a registry's empty tables (issue 9, Bad input): a tablet
// sends every table it has, most of them empty, and an upload must cost
// database round trips for the tables that hold data (in the request, or
// this device's rows on the server), not for every table of the registry.

// TestUploadCostOfEmptyTables: every request of the script costs the same
// round trips to the database with 150 tables in the registry as with 10,
// the data being in the same three tables. PostgreSQL only: the round
// trips are counted on PostgreSQL's wire, where every statement shows,
// whichever way it is sent.
func TestUploadCostOfEmptyTables(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skipf("counts round trips on PostgreSQL's wire: set %s", dbtest.EnvURL)
	}
	t.Parallel()
	var small, big []tripStep
	t.Run("Script", func(t *testing.T) { // both servers at once; the comparison waits for both
		t.Run("10", func(t *testing.T) { t.Parallel(); small = startTCServer(t, 10).script(t) })
		t.Run("150", func(t *testing.T) { t.Parallel(); big = startTCServer(t, 150).script(t) })
	})
	if t.Failed() {
		return
	}
	for i, st := range small {
		t.Logf("%-55s %4d round trips with 10 tables, %4d with 150", st.name, st.trips, big[i].trips)
	}
	for i, st := range small {
		if big[i].trips != st.trips {
			var qs []string
			for _, q := range big[i].queries[:min(len(big[i].queries), 40)] {
				qs = append(qs, "  "+q[:min(len(q), 160)])
			}
			if n := len(big[i].queries) - len(qs); n > 0 {
				qs = append(qs, fmt.Sprintf("  … and %d more", n))
			}
			t.Errorf("%s: %d round trips with 150 tables, %d with 10; the first statements with 150:\n%s",
				st.name, big[i].trips, st.trips, strings.Join(qs, "\n"))
		}
	}
}

// TestUploadVisitsTablesOfOldVersionsOnly: a table whose rows of the
// device are all old versions (no live row) and that the client sends
// empty still holds rows of era NOW, so an upload that preserves
// everything preserves them (PROTOCOL 8.7): one-step with finalizing, and
// a multi-step commit with the table still in the dirty set, which
// start_preservation filled. The engine skips tables holding no rows of
// era NOW; these must not be skipped.
func TestUploadVisitsTablesOfOldVersionsOnly(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		tab := e.tab.standardTablet(false)
		tab.oneStep(methodCopy)
		tab.del("phq9", 1)
		tab.del("phq9", 2)
		tab.oneStep(methodCopy)
		wantState(t, e.s, e.dev, map[string][]string{"phq9": {"1 NOW old", "2 NOW old"}})
		if oneStep {
			tab.oneStep(methodMove)
		} else {
			tab.preamble(methodMove)
			e.s.step(t, e.c, "start_upload", nil, "start_upload")
			e.s.step(t, e.c, "start_preservation", nil, "STARTPRESERVATION")
			e.s.step(t, e.c, "end_upload", nil, "end_upload")
		}
		wantState(t, e.s, e.dev, map[string][]string{
			"patient": allIn("E1"), "bmi": {"1 E1 cur", "2 E1 cur"}, "phq9": {"1 E1 old", "2 E1 old"},
		})
		e.wantSettled(t)
	})
}
