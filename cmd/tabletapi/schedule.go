package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/schedule"
)

func runScheduleAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	group := f.String("group", "", "the schedule's group (required)")
	var rawItems listFlag
	f.Var(&rawItems, "item", "a task TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS, e.g. phq9:0:7 (at least one; repeat for more)")
	var items []schedule.Item
	check := func(reg *registry.Registry, _ string) error {
		if err := required(f, "group"); err != nil {
			return err
		}
		if len(rawItems) == 0 {
			return usagef("--item is required: give at least one TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS")
		}
		for _, raw := range rawItems {
			it, err := parseItem(raw)
			if err != nil {
				return err
			}
			var inv *schedule.InvalidError
			if err := schedule.CheckItem(reg, it); errors.As(err, &inv) {
				return usagef("--item %q: %s", raw, inv.Rule)
			}
			items = append(items, it)
		}
		return nil
	}
	return runWithTables(ctx, e, f, args, "NAME", check, func(db *bun.DB, name string) error {
		g, err := groupByFlag(ctx, account.NewStore(db, nil), *group)
		if err != nil {
			return err
		}
		sc, err := schedule.NewStore(db, e.now).Create(ctx, g.ID, name, items)
		var inv *schedule.InvalidError
		switch {
		case errors.As(err, &inv):
			return usagef("NAME: %s", inv.Rule)
		case errors.Is(err, schedule.ErrExists):
			return usagef("NAME: group %s already has a schedule named %q", g.Name, name)
		case err != nil:
			return err
		}
		fmt.Fprintf(e.stdout, "schedule %s added (id %d) in group %s with %d item(s)\n", sc.Name, sc.ID, g.Name, len(sc.Items))
		return nil
	})
}

// parseItem reads an --item value TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS.
func parseItem(raw string) (schedule.Item, error) {
	parts := strings.Split(raw, ":")
	if len(parts) == 3 {
		from, err1 := strconv.Atoi(parts[1])
		within, err2 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil {
			return schedule.Item{Table: parts[0], DueFromDays: from, DueWithinDays: within}, nil
		}
	}
	return schedule.Item{}, usagef("--item must be TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS with whole days, e.g. phq9:0:7, not %q", raw)
}

func runScheduleAssign(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	key := f.String("patient", "", "the patient's access key, as patient add printed it (required)")
	startFlag := f.String("start", "", "start time, RFC 3339, e.g. 2026-01-31T09:00:00Z (default: the patient's first fetch of its schedules)")
	settings := f.String("settings", "", `settings as a JSON object keyed by table name, e.g. {"phq9": {}}`)
	var id [16]byte
	var start *time.Time
	check := func(*registry.Registry, string) error {
		if err := required(f, "patient"); err != nil {
			return err
		}
		var err error
		if id, err = patient.ParseAccessKey(*key); err != nil {
			// The key is a credential: the line does not repeat it.
			return usagef("--patient must be an access key: eight five-letter words and a check letter, joined by -")
		}
		if *startFlag != "" {
			t, err := time.Parse(time.RFC3339, *startFlag)
			if err != nil {
				return usagef("--start must be an RFC 3339 time such as 2026-01-31T09:00:00Z, not %q", *startFlag)
			}
			start = &t
		}
		return nil
	}
	return runWithTables(ctx, e, f, args, "NAME", check, func(db *bun.DB, name string) error {
		p, err := patient.NewStore(db).ServerPatientByUUID(ctx, id)
		if err != nil {
			return err
		}
		if p == nil || p.GroupID == nil {
			return usagef("--patient: no patient has that access key")
		}
		schedules := schedule.NewStore(db, e.now)
		sc, err := schedules.ByName(ctx, *p.GroupID, name)
		if errors.Is(err, schedule.ErrNotFound) {
			return usagef("NAME: the patient's group has no schedule named %q", name)
		}
		if err != nil {
			return err
		}
		if *settings != "" {
			var inv *schedule.InvalidError
			if err := schedule.CheckSettings(*settings, sc); errors.As(err, &inv) {
				return usagef("--settings: %s", inv.Rule)
			}
		}
		a, err := schedules.Assign(ctx, p.PK, sc, start, *settings)
		if errors.Is(err, schedule.ErrExists) {
			return usagef("NAME: the patient already has schedule %q", name)
		}
		if err != nil {
			return err
		}
		when := "at the patient's first fetch"
		if a.Start != nil {
			when = a.Start.Format(time.RFC3339)
		}
		fmt.Fprintf(e.stdout, "schedule %s assigned to patient %s… (starts %s)\n", sc.Name, patient.KeyPrefix(*key), when)
		return nil
	})
}
