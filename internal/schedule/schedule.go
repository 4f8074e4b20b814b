// Package schedule owns the task schedules of single-patient mode (PROTOCOL
// 6.7): the tables task_schedules (a named list of tasks of a group),
// task_schedule_items (a task's table and its due window in days from the
// start) and patient_task_schedules (a schedule assigned to a server
// patient, with its start time and per-table settings). It checks items
// against the table registry and settings as JSON, and does the work of
// get_task_schedules (TaskSchedulesJSON): it starts the schedules, and
// decides which items are complete by reading the uploaded task tables
// (only tables of the registry, by their registry names). The patients
// themselves belong to package patient.
package schedule

import (
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Sentinel errors. Store methods wrap them with %w; test with errors.Is.
var (
	// ErrExists means the group already has a schedule of that name, or
	// the patient already has that schedule.
	ErrExists = errors.New("schedule: already exists")
	// ErrNotFound means the group has no schedule of that name.
	ErrNotFound = errors.New("schedule: not found")
	// ErrInvalid means a schedule, item or settings text breaks its rule;
	// the error is an *InvalidError that says which.
	ErrInvalid = errors.New("schedule: invalid")
)

// InvalidError is a schedule, item or settings text that breaks a rule.
// errors.Is(err, ErrInvalid) holds for it.
type InvalidError struct {
	// Rule says what is wrong and what is allowed, e.g. "the due-within
	// days must be at least 1, not 0".
	Rule string
}

// Error returns "schedule: invalid: " and the rule.
func (e *InvalidError) Error() string { return "schedule: invalid: " + e.Rule }

// Is makes errors.Is(e, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// invalidf returns an *InvalidError with a formatted rule.
func invalidf(format string, args ...any) error {
	return &InvalidError{Rule: fmt.Sprintf(format, args...)}
}

// Schedule is a row of task_schedules with its items in the order they
// were given.
type Schedule struct {
	ID      int64
	GroupID int64
	Name    string
	Items   []Item
}

// Item is one task of a schedule: the task's client table, due from start
// + DueFromDays days until start + DueFromDays + DueWithinDays days.
type Item struct {
	Table         string
	DueFromDays   int
	DueWithinDays int
}

// Assignment is a schedule assigned to a server patient (a row of
// patient_task_schedules).
type Assignment struct {
	ID int64
	// PatientPK is the _pk of the server patient's patient row.
	PatientPK int64
	Schedule  Schedule
	// Start is when the schedule starts, in UTC; nil until the patient's
	// first get_task_schedules sets it (Store.StartMissing).
	Start *time.Time
	// Settings is a JSON object keyed by table name, "{}" for none.
	Settings string
}

// Store reads and writes schedules and assignments. It works on a *bun.DB
// or a bun.Tx.
type Store struct {
	db  bun.IDB
	now func() time.Time
}

// NewStore returns a Store on db. A nil now means time.Now.
func NewStore(db bun.IDB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// WithTx returns a Store that runs its queries inside tx.
func (s *Store) WithTx(tx bun.Tx) *Store { return &Store{db: tx, now: s.now} }
