package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// scheduleItemsMax bounds the items of the schedule a load run creates.
const scheduleItemsMax = 3

// setupPatients creates, through cfg.Admin, one schedule of up to three
// patient tasks (each due from the start for a week) and cfg.Patients
// server patients of cfg.PatientGroup, each with an NHS number and the
// schedule assigned, and gives each patient tablet its access key.
func (r *runner) setupPatients(ctx context.Context) error {
	var patients []*loadTablet
	for _, t := range r.tablets {
		if t.patient {
			patients = append(patients, t)
		}
	}
	if len(patients) == 0 {
		return nil
	}
	name := fmt.Sprintf("tabletsim-%d", r.cfg.Seed)
	args := []string{"schedule", "add", name, "--group", r.cfg.PatientGroup}
	tasks := patients[0].plan.patientTasks
	if len(tasks) == 0 {
		return fmt.Errorf("sim: patients: the registry has no task about a patient to schedule")
	}
	for _, table := range tasks[:min(len(tasks), scheduleItemsMax)] {
		args = append(args, "--item", table+":0:7")
	}
	if _, err := r.cfg.Admin(ctx, args...); err != nil {
		return fmt.Errorf("sim: patients: %w", err)
	}
	for i, t := range patients {
		rng := rand.New(rand.NewPCG(r.cfg.Seed, uint64(i)))
		dob := time.Date(1930+rng.IntN(80), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365))
		out, err := r.cfg.Admin(ctx, "patient", "add", "--group", r.cfg.PatientGroup,
			"--sex", []string{"F", "M", "X"}[rng.IntN(3)], "--forename", forenames[rng.IntN(len(forenames))],
			"--surname", surnames[rng.IntN(len(surnames))], "--dob", dob.Format(time.DateOnly),
			"--idnum", strconv.FormatInt(t.cfg.IDNumType, 10)+"="+strconv.FormatInt(NHSNumber(rng), 10))
		if err != nil {
			return fmt.Errorf("sim: patients: %w", err)
		}
		t.key = strings.TrimSpace(out)
		if _, err := r.cfg.Admin(ctx, "schedule", "assign", name, "--patient", t.key); err != nil {
			return fmt.Errorf("sim: patients: %w", err)
		}
	}
	return nil
}

// patientStep runs a patient tablet's next sequence: its registration with
// its access key, which fetches its schedules, or its one upload, after
// completing the tasks due, always multi-step (PROTOCOL 12.3). It reports
// whether the tablet may go on.
func (r *runner) patientStep(ctx context.Context, t *loadTablet) bool {
	if !t.Registered() {
		t.done = r.registerWith(ctx, t, func(ctx context.Context) error {
			var err error
			t.items, err = t.RegisterPatient(ctx, t.key)
			return err
		}, "patient registration") != nil
		return !t.done
	}
	tables := t.completeDue(t.items, t.rng)
	if r.upload(ctx, t, Copy, false, "patient upload") == nil {
		t.completed = tables
	}
	t.done = true
	return false
}

// VerifySchedules fetches the schedules of each single-patient tablet of
// tablets and adds to rep a problem for each task the tablet completed and
// uploaded that get_task_schedules does not report complete. It counts the
// tasks checked in rep.ScheduledTasks.
func VerifySchedules(ctx context.Context, tablets []*Tablet, rep *Report) error {
	for _, t := range tablets {
		if t.patientKey == "" || len(t.completed) == 0 {
			continue
		}
		items, err := t.TaskSchedules(ctx)
		if err != nil {
			return fmt.Errorf("sim: verify schedules of %s: %w", t.Device(), err)
		}
		for _, table := range t.completed {
			rep.ScheduledTasks++
			if !scheduleComplete(items, table) {
				rep.add(Problem{Device: t.Device(), Table: table, Kind: "incomplete",
					Detail: "uploaded a finished task, but get_task_schedules does not report it complete"})
			}
		}
	}
	return nil
}

// scheduleComplete reports whether an item of table is complete.
func scheduleComplete(items []ScheduleItem, table string) bool {
	for _, it := range items {
		if it.Table == table && it.Complete {
			return true
		}
	}
	return false
}
