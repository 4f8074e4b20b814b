package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/idpolicy"
)

// groupFlags are the flags of group add and group set.
type groupFlags struct {
	upload, finalize, description, ipUse *string
}

// addGroupFlags adds --upload-policy, --finalize-policy, --description and
// --ip-use to f.
func addGroupFlags(f *commandFlags) groupFlags {
	return groupFlags{
		upload:      f.String("upload-policy", "", "ID policy for uploads, e.g. \"sex AND ((forename AND surname AND dob) OR anyidnum)\""),
		finalize:    f.String("finalize-policy", "", "ID policy for finalizing (moving data off tablets)"),
		description: f.String("description", "", "description"),
		ipUse: f.String("ip-use", "", "intellectual-property uses of the group's data: a comma-separated subset of "+
			strings.Join(account.IPUseNames(), ",")+" (default none)"),
	}
}

// parseIPUse reads --ip-use; a bad list is a bad command line.
func (gf groupFlags) parseIPUse() (account.IPUse, error) {
	u, err := account.ParseIPUse(*gf.ipUse)
	if err != nil {
		return u, usagef("--ip-use %q: want a comma-separated subset of %s, each at most once",
			*gf.ipUse, strings.Join(account.IPUseNames(), ","))
	}
	return u, nil
}

func runGroupAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	gf := addGroupFlags(f)
	var up, fin *string
	var ipUse account.IPUse
	check := func(string) (err error) {
		up, fin = nonEmpty(*gf.upload), nonEmpty(*gf.finalize)
		if ipUse, err = gf.parseIPUse(); err != nil {
			return err
		}
		return checkPolicies(up, fin)
	}
	return runChange(ctx, e, f, args, "NAME", check, func(tx bun.Tx, name string) (change, error) {
		g := account.Group{Name: name, Description: nonEmpty(*gf.description), UploadPolicy: up, FinalizePolicy: fin}
		g.SetIPUse(ipUse)
		added, err := account.NewStore(tx, nil).AddGroup(ctx, g)
		if err != nil {
			return change{}, err
		}
		warnMissingPolicy(e, added)
		return change{
			op:      audit.OpGroupAdd,
			details: "Group added: " + added.Name + groupDetails(added),
			out:     fmt.Sprintf("group %s added (id %d)\n", added.Name, added.ID),
		}, nil
	})
}

func runGroupSet(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	gf := addGroupFlags(f)
	var ch account.GroupChange
	check := func(string) error {
		// Only the flags given change; an empty policy is refused by the
		// parser, and an empty description clears it.
		f.Visit(func(fl *flag.Flag) {
			switch fl.Name {
			case "upload-policy":
				ch.UploadPolicy = gf.upload
			case "finalize-policy":
				ch.FinalizePolicy = gf.finalize
			case "description":
				ch.Description = gf.description
			case "ip-use":
				ch.IPUse = new(account.IPUse)
			}
		})
		if ch == (account.GroupChange{}) {
			return usagef("give at least one of --upload-policy, --finalize-policy, --description and --ip-use")
		}
		if ch.IPUse != nil {
			u, err := gf.parseIPUse()
			if err != nil {
				return err
			}
			*ch.IPUse = u
		}
		return checkPolicies(ch.UploadPolicy, ch.FinalizePolicy)
	}
	return runChange(ctx, e, f, args, "NAME", check, func(tx bun.Tx, name string) (change, error) {
		g, err := account.NewStore(tx, nil).UpdateGroup(ctx, name, ch)
		if errors.Is(err, account.ErrGroupNotFound) {
			return change{}, fmt.Errorf("no group named %q", name)
		}
		if err != nil {
			return change{}, err
		}
		warnMissingPolicy(e, g)
		return change{
			op:      audit.OpGroupSet,
			details: "Group changed: " + g.Name + groupDetails(g),
			out:     fmt.Sprintf("group %s changed (id %d)\n", g.Name, g.ID),
		}, nil
	})
}

// groupDetails is the part of an audit entry that records g's settings.
func groupDetails(g *account.Group) string { return "; " + g.Settings() }

// orDash is *s, or "-" for nil: the text of an absent value.
func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// checkPolicies refuses a given policy that the ID-policy parser rejects
// (account.CheckPolicies), naming its flag.
func checkPolicies(upload, finalize *string) error {
	var pe *account.PolicyError
	if err := account.CheckPolicies(upload, finalize); errors.As(err, &pe) {
		return usagef("--%s-policy: %v", pe.Which, pe.Err)
	}
	return nil
}

// warnMissingPolicy warns on stderr when g lacks a policy.
func warnMissingPolicy(e env, g *account.Group) {
	if g.UploadPolicy == nil || g.FinalizePolicy == nil {
		fmt.Fprintf(e.stderr, "tabletapi: %s: warning: a group without both ID policies accepts no patient; set --upload-policy and --finalize-policy\n", e.cmd.name)
	}
}

// logBadPolicies logs one WARN line for each stored group policy that does
// not parse. Such a group refuses every patient, and nothing else would say
// why until a tablet's upload fails; group add and group set refuse such
// policies, but the database may hold older ones or be edited by hand.
func logBadPolicies(ctx context.Context, accounts *account.Store, log *slog.Logger) error {
	groups, err := accounts.Groups(ctx)
	if err != nil {
		return err
	}
	for _, g := range groups {
		for _, p := range []struct {
			which  string
			policy *string
		}{{"upload", g.UploadPolicy}, {"finalize", g.FinalizePolicy}} {
			if p.policy == nil {
				continue
			}
			if _, err := idpolicy.Parse(*p.policy); err != nil {
				log.Warn("group ID policy does not parse; the group accepts no patient until \"tabletapi group set\" fixes it",
					slog.String("group", g.Name), slog.String("policy", p.which), slog.String("error", err.Error()))
			}
		}
	}
	return nil
}
