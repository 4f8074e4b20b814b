package sim

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// ScheduleItem is one item of a get_task_schedules reply (PROTOCOL 6.7).
type ScheduleItem struct {
	Table     string    `json:"table"`
	Anonymous bool      `json:"anonymous"`
	DueFrom   time.Time `json:"due_from"`
	DueBy     time.Time `json:"due_by"`
	Complete  bool      `json:"complete"`
}

// RegisterPatient runs the single-patient registration of PROTOCOL 12.2 as
// one sequence: register_patient with the access key and no credentials,
// then, as the returned user, the clinician registration (see Register)
// and get_task_schedules. The tablet's local data becomes the server's
// patient alone, with its ID numbers from patient_info. It returns the
// patient's schedule items. The error is a *RequestError.
func (t *Tablet) RegisterPatient(ctx context.Context, key string) ([]ScheduleItem, error) {
	t.client.SetCredentials("", "")
	t.client.ResetSession()
	r, err := t.do(ctx, "register_patient", map[string]string{"patient_proquint": key})
	if err != nil {
		return nil, err
	}
	user, _ := r.Get("user")
	password, _ := r.Get("password")
	info, _ := r.Get("patient_info")
	if user == "" || password == "" {
		return nil, protocolError("register_patient", "no user or password in the reply")
	}
	if err := t.becomePatient(info); err != nil {
		return nil, err
	}
	t.client.SetCredentials(user, password)
	t.patientKey = key
	if err := t.Register(ctx); err != nil {
		return nil, err
	}
	return t.TaskSchedules(ctx)
}

// TaskSchedules fetches the tablet's patient's schedules with
// get_task_schedules as one sequence and returns their items.
func (t *Tablet) TaskSchedules(ctx context.Context) ([]ScheduleItem, error) {
	t.client.ResetSession()
	defer t.client.ResetSession()
	r, err := t.do(ctx, "get_task_schedules", map[string]string{"patient_proquint": t.patientKey})
	if err != nil {
		return nil, err
	}
	text, _ := r.Get("task_schedules")
	var schedules []struct {
		Items []ScheduleItem `json:"task_schedule_items"`
	}
	if err := json.Unmarshal([]byte(text), &schedules); err != nil {
		return nil, protocolError("get_task_schedules", "task_schedules: %v", err)
	}
	var items []ScheduleItem
	for _, s := range schedules {
		items = append(items, s.Items...)
	}
	return items, nil
}

// becomePatient replaces the tablet's local data by the patient of a
// register_patient reply's patient_info, as the client creates its local
// patient and ID numbers from it.
func (t *Tablet) becomePatient(info string) error {
	var list []map[string]any
	if err := json.Unmarshal([]byte(info), &list); err != nil || len(list) != 1 {
		return protocolError("register_patient", "patient_info is not an array of one object: %q", info)
	}
	clear(t.tables)
	clear(t.nextID)
	t.model = newModel()
	wlm := t.clock.next()
	p := Row{FieldWLM: testclient.TextValue(wlm)}
	idnums := map[int64]int64{}
	for k, v := range list[0] {
		switch v := v.(type) {
		case string:
			p[k] = testclient.TextValue(v)
		case float64:
			n, err := strconv.ParseInt(strings.TrimPrefix(k, "idnum"), 10, 64)
			if !strings.HasPrefix(k, "idnum") || err != nil {
				return protocolError("register_patient", "patient_info: unexpected number %q", k)
			}
			idnums[n] = int64(v)
		}
	}
	id := t.insert(TablePatient, p)
	for n, v := range idnums {
		t.insert(TablePatientIDNum, Row{
			FieldWLM: testclient.TextValue(wlm), FieldPatient: testclient.IntValue(id),
			"which_idnum": testclient.IntValue(n), "idnum_value": testclient.IntValue(v),
		})
	}
	return nil
}

// completeDue "completes" each item that is due now, not anonymous, not
// yet complete and of a table the tablet may upload: it adds a record of
// that table for the patient, created now and finished (firstexit_is_finish
// = 1). It returns the tables completed.
func (t *Tablet) completeDue(items []ScheduleItem, rng *rand.Rand) []string {
	var done []string
	for _, it := range items {
		now := t.cfg.Now()
		if it.Anonymous || it.Complete || now.Before(it.DueFrom) || now.After(it.DueBy) || !slices.Contains(t.plan.patientTasks, it.Table) {
			continue
		}
		id := t.addTask(rng, it.Table, t.tables[TablePatient][0].ID())
		row := t.tables[it.Table][t.find(it.Table, id)]
		row["when_created"] = testclient.TextValue(t.clock.next())
		row["firstexit_is_finish"] = testclient.IntValue(1)
		row[FieldWLM] = testclient.TextValue(t.clock.next())
		done = append(done, it.Table)
	}
	return done
}

// Completed returns the tables of the scheduled tasks a single-patient
// tablet completed and uploaded; nil for a clinician tablet.
func (t *Tablet) Completed() []string { return slices.Clone(t.completed) }
