package sim

import (
	"fmt"
	"strings"
)

// Report is the outcome of Verify.
type Report struct {
	Devices        int       `json:"devices"`
	Tables         int       `json:"tables"`                    // tables read, every one of the tablets' schemas that the server knows
	TablesWithRows int       `json:"tables_with_rows"`          // tables in which current or pending rows of the devices were found
	LiveRows       int       `json:"live_rows"`                 // current era-NOW rows read
	PreservedRows  int       `json:"preserved_rows"`            // current rows of preserved eras read
	ScheduledTasks int       `json:"scheduled_tasks,omitempty"` // completed scheduled tasks checked by VerifySchedules
	Problems       []Problem `json:"problems"`
}

// Problem is one difference between the database and what a tablet was
// told. Kind is one of missing, duplicate, unexpected, wrong values,
// pending, bad era, unregistered and unsettled.
type Problem struct {
	Device string `json:"device"`
	Table  string `json:"table,omitempty"`
	ID     int64  `json:"id,omitempty"` // client PK
	Era    string `json:"era,omitempty"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// String describes the problem on one line.
func (p Problem) String() string {
	if p.Table == "" {
		return fmt.Sprintf("%s: %s: %s", p.Device, p.Kind, p.Detail)
	}
	era := ""
	if p.Era != "" {
		era = " era " + p.Era
	}
	return fmt.Sprintf("%s %s id %d%s: %s: %s", p.Device, p.Table, p.ID, era, p.Kind, p.Detail)
}

// OK reports whether nothing differs.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(p Problem) { r.Problems = append(r.Problems, p) }

// maxListed bounds the problems String lists.
const maxListed = 200

// String describes the report: one line if it is OK, else a line per
// problem (at most 200).
func (r *Report) String() string {
	var b strings.Builder
	if r.OK() {
		fmt.Fprintf(&b, "verify      OK: %d devices, %d tables (%d with rows), %d live and %d preserved current rows as uploaded, nothing lost or duplicated\n",
			r.Devices, r.Tables, r.TablesWithRows, r.LiveRows, r.PreservedRows)
		if r.ScheduledTasks > 0 {
			fmt.Fprintf(&b, "            and get_task_schedules reports all %d completed scheduled tasks complete\n", r.ScheduledTasks)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "verify      FAILED: %d problems (%d devices, %d tables (%d with rows), %d live and %d preserved current rows read):\n",
		len(r.Problems), r.Devices, r.Tables, r.TablesWithRows, r.LiveRows, r.PreservedRows)
	for i, p := range r.Problems {
		if i == maxListed {
			fmt.Fprintf(&b, "  … and %d more\n", len(r.Problems)-maxListed)
			break
		}
		fmt.Fprintf(&b, "  %s\n", p)
	}
	return b.String()
}
