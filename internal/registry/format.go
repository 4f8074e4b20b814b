package registry

import (
	"fmt"
	"strings"
)

// Format returns r in the file format, tables in commit order and fields
// aligned, so that Parse gives back an equal registry. Comments of the
// original file are not kept.
func (r *Registry) Format() string {
	var b strings.Builder
	for i, t := range r.tables {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "table %s kind=%s pk=%s min_version=%s\n", t.Name, t.Kind, t.PK, t.MinVersion)
		width := 0
		for _, f := range t.Fields {
			width = max(width, len(f.Name))
		}
		for _, f := range t.Fields {
			fmt.Fprintf(&b, "    %-*s  %s\n", width, f.Name, f.Type)
		}
	}
	return b.String()
}
