package main_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/schedule"
	"github.com/tabletapi/tabletapi/testclient"
)

// BenchmarkGetTaskSchedules: get_task_schedules for a patient with 20
// schedule items (10 of phq9, 10 of bmi, weekly windows) and 1,000 rows
// uploaded for that patient (the patient, its NHS number, 499 phq9 and 499
// bmi tasks, one every four hours), on PostgreSQL (issue 11, Performance:
// under 2 ms of database time). Database is the operation's database work
// as phase B runs it, in one transaction: find the patient by key, read
// the assignments, decide completion: four statements. BareTx, its
// baseline, is a transaction of four SELECT 1. Request is the whole
// request over loopback on a held session.
func BenchmarkGetTaskSchedules(b *testing.B) {
	skipWithoutPostgres(b)
	s := startServer(b)
	s.addUser(b, "research", "alice", benchPassword, "--may-upload", "--may-register-devices")
	s.mustAdmin(b, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	key := strings.TrimSuffix(s.mustAdmin(b, "", "patient", "add", "--group", "research", "--sex", "F",
		"--forename", "Ann", "--surname", "Smith", "--dob", "1980-02-29", "--idnum", "1="+nhs1), "\n")
	args := []string{"schedule", "add", "weekly", "--group", "research"}
	for i := range 10 {
		for _, table := range []string{"phq9", "bmi"} {
			args = append(args, "--item", table+":"+strconv.Itoa(7*i)+":7")
		}
	}
	s.mustAdmin(b, "", args...)
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	s.mustAdmin(b, "", "schedule", "assign", "weekly", "--patient", key, "--start", start.Format(time.RFC3339))

	hc := benchHTTPClient(testclient.DefaultTimeout)
	c := loggedInClient(b, s.API, hc, "alice", benchPassword)
	uploadScheduledRows(b, c, start)

	r, err := c.Do(b.Context(), "get_task_schedules", map[string]string{"patient_proquint": key})
	if err != nil || r.Err() != nil {
		b.Fatalf("get_task_schedules: %v\n%s", err, r.Body)
	}
	if items, done := strings.Count(r.Values["task_schedules"], `"table"`), strings.Count(r.Values["task_schedules"], `"complete": true`); items != 20 || done != 20 {
		b.Fatalf("%d items, %d complete; want 20 and 20:\n%s", items, done, r.Body)
	}

	// pg_cpu_us/op is the time PostgreSQL's backends spend on the work, the
	// target's "database time"; ns/op adds this process's driver work.
	cpu := &cpuMeter{stats: newPGStats(b, s.DBURL)}
	b.Run("Database", func(b *testing.B) {
		ctx := b.Context()
		reg := registry.Default()
		now := func() time.Time { return time.Now() }
		start, n := cpu.sample(b), 0
		defer func() { cpu.report(b, start, n) }()
		for b.Loop() {
			n++
			err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				p, err := patient.NewStore(tx).ServerPatientByKey(ctx, key)
				if err != nil {
					return err
				}
				_, err = schedule.NewStore(tx, now).TaskSchedulesJSON(ctx, reg, p.PK, p.IDNums)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BareTx", func(b *testing.B) {
		ctx := b.Context()
		for b.Loop() {
			err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				for range 4 {
					var one int
					if err := tx.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Request", func(b *testing.B) {
		ctx := b.Context()
		for b.Loop() {
			r, err := c.Do(ctx, "get_task_schedules", map[string]string{"patient_proquint": key})
			if err != nil || r.Err() != nil {
				b.Fatalf("get_task_schedules: %v", err)
			}
		}
	})
}

// uploadScheduledRows uploads, in one step, patient 1 with NHS number nhs1
// and 499 finished tasks each of phq9 and bmi, created every four hours
// from start: 1,000 rows.
func uploadScheduledRows(b *testing.B, c *testclient.Client, start time.Time) {
	b.Helper()
	const stamp = "2006-01-02T15:04:05.000-07:00"
	data := map[string][]tabletRow{}
	add := func(table string, row tabletRow) {
		full := tabletRow{}
		for f := range strings.SplitSeq(tableColumns[table], ",") {
			full[f] = "NULL"
		}
		for f, v := range row {
			full[f] = v
		}
		data[table] = append(data[table], full)
	}
	wlm := start.Format(stamp)
	add("patient", patientRow(1, "Ann", "Smith", "F", "1980-02-29", wlm, "0"))
	add("patient_idnum", idNumRow(1, 1, nhs1, wlm, "NULL"))
	for i := 1; i <= 499; i++ {
		created := "'" + start.Add(time.Duration(i)*4*time.Hour).Format(stamp) + "'"
		modified := start.Add(time.Duration(i)*4*time.Hour + time.Minute).Format(stamp)
		phq, bmi := phq9Row(i, 1, modified), bmiRow(i, 1, "70", modified)
		phq["when_created"], bmi["when_created"] = created, created
		add("phq9", phq)
		add("bmi", bmi)
	}
	pk := map[string]string{}
	for table := range data {
		pk[table] = "id"
	}
	r, err := c.Do(b.Context(), "upload_entire_database", map[string]string{
		"finalizing": "0", "pknameinfo": mustJSON(b, pk), "dbdata": mustJSON(b, data),
	})
	if err != nil || r.Err() != nil {
		b.Fatalf("upload_entire_database: %v\n%s", err, r.Body)
	}
}
