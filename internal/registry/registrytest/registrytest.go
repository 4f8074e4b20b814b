// Package registrytest makes large synthetic table registries for tests and
// benchmarks that need the size of the full CamCOPS registry (about 150
// tables and 5,000 fields) without depending on its content.
package registrytest

import (
	"fmt"
	"strings"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// fieldTypes are cycled through for the synthetic fields, so every type
// occurs in every table.
var fieldTypes = []registry.FieldType{
	registry.Integer, registry.Text, registry.Real, registry.Boolean, registry.DateTime,
	registry.Integer, registry.Text, registry.Date, registry.Time, registry.Blob,
}

// Synthetic returns the text of a registry of n task tables, synth_001 to
// synth_<n>, each with the three fields every table needs followed by
// fields-3 fields of mixed types named q1, q2, …. Names are long enough to
// be realistic (CamCOPS task tables have names like cecaq3 and fields like
// q1a_mother_figure). The text parses with registry.Parse.
func Synthetic(n, fields int) string {
	var b strings.Builder
	b.WriteString("# Synthetic registry: registrytest.Synthetic.\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\ntable synth_%03d kind=task pk=id min_version=2.0.0\n", i)
		b.WriteString("    id integer\n    when_last_modified datetime\n    _move_off_tablet boolean\n")
		for j := 1; j <= fields-3; j++ {
			fmt.Fprintf(&b, "    q%d_synthetic_answer %s\n", j, fieldTypes[(i+j)%len(fieldTypes)])
		}
	}
	return b.String()
}
