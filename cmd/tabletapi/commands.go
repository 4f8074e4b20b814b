package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tabletapi/tabletapi/internal/account"
)

// command is one tabletapi command, such as "serve" or "group add".
type command struct {
	name    string // one word, or a group and a word
	args    string // what follows the name in the usage line, flags aside
	summary string // what it does, or how it reads its input
	run     func(ctx context.Context, e env, args []string) error
}

// commands lists every command in the order of the help text. The
// dispatcher and every help text read it, so a command is declared once.
func commands() []command {
	return []command{
		{"serve", "", "apply pending migrations, then serve the tablet API", runServe},
		{"migrate", "", "apply pending migrations and exit", runMigrate},
		{"group add", "NAME [--upload-policy P] [--finalize-policy P] [--description D] [--ip-use LIST]", "", runGroupAdd},
		{"group set", "NAME [--upload-policy P] [--finalize-policy P] [--description D] [--ip-use LIST]", "", runGroupSet},
		{"group list", "", "", runGroupList},
		{"user add", "NAME --group G [--may-upload] [--may-register-devices] [--may-use-webviewer] [--superuser]",
			"(password: one line on standard input)", runUserAdd},
		{"user passwd", "NAME", "(password: one line on standard input)", runUserPasswd},
		{"user unlock", "NAME", "", runUserUnlock},
		{"user set", "NAME [--group G] [--may-upload=true|false] [--may-register-devices=true|false] " +
			"[--may-use-webviewer=true|false] [--superuser=true|false]", "(only the flags given change)", runUserSet},
		{"user disable", "NAME", "(ends the user's sessions)", runUserDisable},
		{"user enable", "NAME", "", runUserEnable},
		{"user list", "", "", runUserList},
		{"idnum add", "N --description D --short-description S [--validation " +
			strings.Join(account.ValidationMethods(), "|") + "]", "", runIDNumAdd},
		{"idnum list", "", "", runIDNumList},
		{"device list", "", "", runDeviceList},
		{"patient add", "--group G --sex F|M|X --forename S --surname S --dob YYYY-MM-DD --idnum N=VALUE [--idnum …] " +
			"[--email E] [--address A] [--gp G] [--other O]", "(prints the patient's access key)", runPatientAdd},
		{"patient list", "[--group G]", "", runPatientList},
		{"schedule add", "NAME --group G --item TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS [--item …]", "", runScheduleAdd},
		{"schedule assign", "NAME --patient KEY [--start RFC3339] [--settings JSON]", "", runScheduleAssign},
		{"audit", "[--since DURATION] [--user U] [--device D] [--operation OP] [--limit N]",
			"(newest first)", runAudit},
		{"version", "", "", runVersion},
	}
}

// isGroup reports whether word is the first word of two-word commands,
// such as "group".
func isGroup(cmds []command, word string) bool {
	for _, c := range cmds {
		if strings.HasPrefix(c.name, word+" ") {
			return true
		}
	}
	return false
}

// line is c's line in a command list: its usage, then its summary in a
// column of its own, or on the next line when the usage is too long.
func (c command) line() string {
	u := strings.TrimSpace(c.name + " " + c.args)
	switch {
	case c.summary == "":
		return "  " + u + "\n"
	case len(u) <= 30:
		return fmt.Sprintf("  %-31s%s\n", u, c.summary)
	}
	return fmt.Sprintf("  %s\n  %31s%s\n", u, "", c.summary)
}

// usage is the help text of the commands of group, or of all of them when
// group is "".
func usage(cmds []command, group string) string {
	var b strings.Builder
	if group == "" {
		b.WriteString("usage: tabletapi <command> [flags]\n\ncommands:\n")
	} else {
		fmt.Fprintf(&b, "usage: tabletapi %s <command> [flags]\n\ncommands:\n", group)
	}
	for _, c := range cmds {
		if group == "" || strings.HasPrefix(c.name, group+" ") {
			b.WriteString(c.line())
		}
	}
	if group == "" {
		b.WriteString("\nEvery flag has an environment variable TABLETAPI_<FLAG> (e.g. --bcrypt-cost and\n" +
			"TABLETAPI_BCRYPT_COST); the database is --database or TABLETAPI_DATABASE_URL.\n" +
			"Run \"tabletapi <command> -h\" for a command's flags.\n")
	} else {
		fmt.Fprintf(&b, "\nRun \"tabletapi %s <command> -h\" for a command's flags.\n", group)
	}
	return b.String()
}
