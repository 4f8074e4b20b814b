package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Summary is the outcome of a load run. Its JSON form (WriteJSON) has the
// same figures as its text form (WriteText).
type Summary struct {
	URL          string  `json:"url"`
	TabletCount  int     `json:"tablets"`
	PatientCount int     `json:"patients,omitempty"`
	Records      int     `json:"records_per_tablet"`
	Concurrency  int     `json:"concurrency"`
	Rounds       int     `json:"rounds,omitempty"`
	Duration     string  `json:"duration,omitempty"`
	ChaosRate    float64 `json:"chaos_rate"`
	Seed         uint64  `json:"seed"`

	ElapsedSeconds float64 `json:"elapsed_seconds"`

	Registrations   int            `json:"registrations"`
	Uploads         int            `json:"uploads"`
	UploadsByMethod map[string]int `json:"uploads_by_method"`
	OneStepUploads  int            `json:"one_step_uploads"`
	SequencesFailed int            `json:"sequences_failed"`
	Retries         int            `json:"retries"`

	PatientRegistrations int `json:"patient_registrations,omitempty"` // single-patient tablets registered
	TasksCompleted       int `json:"tasks_completed,omitempty"`       // scheduled tasks they completed and uploaded

	Requests          int     `json:"requests"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	Dropped           int     `json:"dropped_by_chaos"`
	RecordsSent       int     `json:"records_sent"`
	RecordsPerSecond  float64 `json:"records_per_second"`
	Tables            int     `json:"tables"`         // tables of the registry
	TablesWritten     int     `json:"tables_written"` // distinct tables of which successful uploads sent records

	Errors    []ErrorGroup `json:"errors"`
	Latency   []OpLatency  `json:"latency_ms"`
	Failures  []string     `json:"failures,omitempty"`  // the first failed sequences
	Unsettled []string     `json:"unsettled,omitempty"` // devices whose last upload's outcome is unknown

	Verify *Report `json:"verify,omitempty"` // set by the caller after Verify

	// Tablets are the simulated tablets, for Verify.
	Tablets []*Tablet `json:"-"`
}

// ErrorGroup counts failed requests with the same message.
type ErrorGroup struct {
	Message  string `json:"message"`
	Count    int    `json:"count"`
	Injected bool   `json:"injected"` // dropped on purpose by chaos
}

// OpLatency is the latency of one operation, in milliseconds.
type OpLatency struct {
	Operation string  `json:"operation"`
	Count     int     `json:"count"`
	P50       float64 `json:"p50"`
	P95       float64 `json:"p95"`
	P99       float64 `json:"p99"`
	Max       float64 `json:"max"`
}

// OK reports whether the run had no failed sequence, no unsettled tablet
// and, if it was verified, a clean verification.
func (s *Summary) OK() bool {
	return s.SequencesFailed == 0 && len(s.Unsettled) == 0 && (s.Verify == nil || s.Verify.OK())
}

// WriteJSON writes the summary as indented JSON.
func (s *Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteText writes the summary for people, one figure per line.
func (s *Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	run := fmt.Sprintf("%d rounds", s.Rounds)
	if s.Duration != "" {
		run = "for " + s.Duration
	}
	fmt.Fprintf(&b, "tabletsim: %d tablets × %d records, %s, concurrency %d, chaos %g%%, seed %d\n",
		s.TabletCount, s.Records, run, s.Concurrency, 100*s.ChaosRate, s.Seed)
	fmt.Fprintf(&b, "elapsed     %.1fs\n", s.ElapsedSeconds)
	var methods []string
	for _, m := range Methods() {
		methods = append(methods, fmt.Sprintf("%s %d", m, s.UploadsByMethod[m.String()]))
	}
	fmt.Fprintf(&b, "sequences   %d done: %d registrations, %d uploads (%s; %d one-step); %d failed, %d retried\n",
		s.Registrations+s.Uploads, s.Registrations, s.Uploads, strings.Join(methods, ", "), s.OneStepUploads,
		s.SequencesFailed, s.Retries)
	if s.PatientCount > 0 {
		fmt.Fprintf(&b, "patients    %d of %d registered; %d scheduled tasks completed and uploaded\n",
			s.PatientRegistrations, s.PatientCount, s.TasksCompleted)
	}
	fmt.Fprintf(&b, "requests    %d (%.1f/s), %d dropped by chaos\n", s.Requests, s.RequestsPerSecond, s.Dropped)
	fmt.Fprintf(&b, "records     %d sent (%.1f/s); records of %d of the registry's %d tables uploaded\n",
		s.RecordsSent, s.RecordsPerSecond, s.TablesWritten, s.Tables)
	s.writeErrors(&b)
	s.writeLatency(&b)
	for _, d := range s.Unsettled {
		fmt.Fprintf(&b, "unsettled   %s: the last upload got no reply; not verified\n", d)
	}
	if s.Verify != nil {
		b.WriteString(s.Verify.String())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (s *Summary) writeErrors(b *strings.Builder) {
	n := 0
	for _, g := range s.Errors {
		n += g.Count
	}
	if n == 0 {
		b.WriteString("errors      none\n")
	} else {
		fmt.Fprintf(b, "errors      %d, by message:\n", n)
	}
	for _, g := range s.Errors {
		mark := ""
		if g.Injected {
			mark = " (injected)"
		}
		fmt.Fprintf(b, "  %6d  %s%s\n", g.Count, g.Message, mark)
	}
	for _, f := range s.Failures {
		fmt.Fprintf(b, "failed      %s\n", f)
	}
}

func (s *Summary) writeLatency(b *strings.Builder) {
	fmt.Fprintf(b, "latency     %-30s %7s %9s %9s %9s %9s\n", "operation", "n", "p50", "p95", "p99", "max")
	for _, l := range s.Latency {
		fmt.Fprintf(b, "            %-30s %7d %7.1fms %7.1fms %7.1fms %7.1fms\n", l.Operation, l.Count, l.P50, l.P95, l.P99, l.Max)
	}
}

// opRank orders operations as a tablet sends them; unknown ones go last.
func opRank(op string) int {
	order := []string{
		"register_patient", "register", "get_allowed_tables", "get_extra_strings", "get_task_schedules", "check_device_registered",
		"check_upload_user_and_device", "get_id_info", "validate_patients", "start_upload",
		"start_preservation", "upload_empty_tables", "upload_table", "delete_where_key_not",
		"which_keys_to_send", "upload_record", "end_upload", "upload_entire_database",
	}
	if i := slices.Index(order, op); i >= 0 {
		return i
	}
	return len(order)
}
