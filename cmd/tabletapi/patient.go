package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/schema"
)

// listFlag is a flag that may be given several times, each value kept.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runWithTables is runAdmin for the patient and schedule commands. It
// adds --tables to f; after parsing, it loads that registry (the serve
// registry: the built-in one, or the file) and checks that it has the
// tables of server patients, then calls check, if not nil, with it. Once
// the database is open it creates the registry's client tables that the
// database lacks, as serve does, so these commands work before the first
// serve; then it calls do.
func runWithTables(ctx context.Context, e env, f *commandFlags, args []string, arg string,
	check func(reg *registry.Registry, pos string) error, do func(db *bun.DB, pos string) error,
) error {
	tables := f.String("tables", "", tablesHelp)
	var reg *registry.Registry
	withReg := func(pos string) error {
		var err error
		if reg, err = loadRegistry(*tables); err != nil {
			return err
		}
		for _, name := range []string{"patient", "patient_idnum"} {
			if t, ok := reg.Table(name); !ok || string(t.Kind) != name {
				return usagef("--tables: the registry has no %s table of kind %s, which server patients need", name, name)
			}
		}
		if check == nil {
			return nil
		}
		return check(reg, pos)
	}
	return runAdmin(ctx, e, f, args, arg, withReg, func(db *bun.DB, pos string) error {
		if err := schema.SyncTables(ctx, db, reg); err != nil {
			return err
		}
		return do(db, pos)
	})
}

// groupByFlag returns the group that --group names; an unknown group is a
// bad command line.
func groupByFlag(ctx context.Context, accounts *account.Store, name string) (*account.Group, error) {
	g, err := accounts.GroupByName(ctx, name)
	if errors.Is(err, account.ErrGroupNotFound) {
		return nil, usagef("--group: no group named %q", name)
	}
	return g, err
}

func runPatientAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	group := f.String("group", "", "the patient's group (required)")
	sex := f.String("sex", "", "F, M or X (required)")
	forename := f.String("forename", "", "forename (required)")
	surname := f.String("surname", "", "surname (required)")
	dob := f.String("dob", "", "date of birth, YYYY-MM-DD (required)")
	var idnums listFlag
	f.Var(&idnums, "idnum", "ID number N=VALUE, e.g. 1=9434765919 (at least one; repeat for more)")
	email := f.String("email", "", "e-mail address")
	address := f.String("address", "", "address")
	gp := f.String("gp", "", "general practitioner")
	other := f.String("other", "", "other details")
	p := patient.ServerPatient{IDNums: map[int64]int64{}}
	check := func(*registry.Registry, string) error {
		for _, name := range []string{"group", "sex", "forename", "surname", "dob"} {
			if err := required(f, name); err != nil {
				return err
			}
		}
		if len(idnums) == 0 {
			return usagef("--idnum is required: give at least one N=VALUE")
		}
		for _, kv := range idnums {
			n, v, err := parseIDNum(kv)
			if err != nil {
				return err
			}
			if _, dup := p.IDNums[n]; dup {
				return usagef("--idnum: ID number type %d given twice", n)
			}
			p.IDNums[n] = v
		}
		p.Sex, p.Forename, p.Surname, p.DOB = sex, forename, surname, dob
		p.Email, p.Address, p.GP, p.Other = nonEmpty(*email), nonEmpty(*address), nonEmpty(*gp), nonEmpty(*other)
		return refusal(patient.CheckFields(&p), nil, nil)
	}
	return runWithTables(ctx, e, f, args, "", check, func(db *bun.DB, _ string) error {
		accounts := account.NewStore(db, nil)
		g, err := groupByFlag(ctx, accounts, *group)
		if err != nil {
			return err
		}
		defs, err := accounts.IDNums(ctx)
		if err != nil {
			return err
		}
		rules := patient.Rules{UploadPolicy: g.UploadPolicy, FinalizePolicy: g.FinalizePolicy, IDNumMethods: account.IDNumMethods(defs)}
		if err := refusal(patient.Check(&p, rules), g, defs); err != nil {
			return err
		}
		created, err := patient.NewStore(db).WithClock(e.now).CreateServer(ctx, g.ID, p)
		if err != nil {
			return err
		}
		key, err := patient.KeyForUUID(created.UUID)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, key)
		return nil
	})
}

// parseIDNum reads an --idnum value N=VALUE, both positive integers.
func parseIDNum(kv string) (int64, int64, error) {
	ns, vs, ok := strings.Cut(kv, "=")
	n, err1 := strconv.ParseInt(ns, 10, 64)
	v, err2 := strconv.ParseInt(vs, 10, 64)
	if !ok || err1 != nil || err2 != nil || n < 1 || v < 1 {
		return 0, 0, usagef("--idnum must be N=VALUE with positive integers, e.g. 1=9434765919, not %q", kv)
	}
	return n, v, nil
}

// refusal turns a *patient.CheckError into a bad command line that names
// the flag and what it allows (for an ID number, the defined types defs),
// or, for an ID policy, the group g and its policy.
func refusal(err error, g *account.Group, defs []account.IDNumDefinition) error {
	var ce *patient.CheckError
	if !errors.As(err, &ce) {
		return err
	}
	switch ce.Field {
	case "sex":
		return usagef("--sex must be F, M or X (%s)", ce.Reason)
	case "dob":
		return usagef("--dob must be a date YYYY-MM-DD (%s)", ce.Reason)
	case "email":
		return usagef("--email must be an e-mail address such as ann@example.org (%s)", ce.Reason)
	case "idnum":
		types := make([]string, 0, len(defs))
		for _, d := range defs {
			types = append(types, fmt.Sprintf("%d (%s)", d.WhichIDNum, d.ShortDescription))
		}
		if len(types) == 0 {
			types = []string{"none: add one with tabletapi idnum add"}
		}
		return usagef("--idnum: %s; defined types: %s", ce.Reason, strings.Join(types, ", "))
	}
	policy := g.UploadPolicy
	if ce.Reason == "Fails finalizing ID policy" {
		policy = g.FinalizePolicy
	}
	text := "none: set it with tabletapi group set"
	if policy != nil {
		text = *policy
	}
	return usagef("patient refused by group %s: %s (%s)", g.Name, ce.Reason, text)
}

func runPatientList(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	group := f.String("group", "", "list only this group's patients")
	return runWithTables(ctx, e, f, args, "", nil, func(db *bun.DB, _ string) error {
		accounts := account.NewStore(db, nil)
		var only *int64
		if *group != "" {
			g, err := groupByFlag(ctx, accounts, *group)
			if err != nil {
				return err
			}
			only = &g.ID
		}
		groups, err := accounts.Groups(ctx)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, g := range groups {
			names[g.ID] = g.Name
		}
		patients, err := patient.NewStore(db).ServerPatients(ctx, only)
		if err != nil {
			return err
		}
		for _, p := range patients {
			key, err := patient.KeyForUUID(p.UUID)
			if err != nil {
				key = "-" // a row written by hand without a valid uuid has no key
			}
			fmt.Fprintln(e.stdout, patientLine(key, p, names))
		}
		return nil
	})
}

// patientLine is a patient's line in patient list: the key, the group and
// the details, separated by tabs; "-" for an absent value.
func patientLine(key string, p patient.ServerPatient, groups map[int64]string) string {
	group := "-"
	if p.GroupID != nil {
		group = groups[*p.GroupID]
	}
	ids := make([]string, 0, len(p.IDNums))
	for _, n := range slices.Sorted(maps.Keys(p.IDNums)) {
		ids = append(ids, fmt.Sprintf("idnum%d=%d", n, p.IDNums[n]))
	}
	dash := func(s *string) string {
		if s == nil || *s == "" {
			return "-"
		}
		return *s
	}
	return strings.Join([]string{key, group, dash(p.Surname), dash(p.Forename), dash(p.Sex), dash(p.DOB),
		strings.Join(ids, ",")}, "\t")
}
