package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tabletapi/tabletapi/testclient/sim"
)

// usageError is a bad command line; the command exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// settings are the command's flags.
type settings struct {
	load      sim.LoadConfig
	methods   string
	steps     string
	chaos     bool
	verify    bool
	database  string
	tables    string
	jsonFile  string
	progress  string
	tabletapi string // the tabletapi binary that creates patients
	caFile    string // PEM bundle of the CAs trusted for https:// URLs
	insecure  bool   // skip certificate verification
}

const usageText = `usage: tabletsim --url URL --user NAME --password PW [flags]

Simulates CamCOPS tablets against a tabletapi server: each tablet has the
tables of the server's registry (--tables) and fills a random mix of its
tasks, registers, then uploads --rounds times (or for --duration) by a random
method (Copy, Move keeping patients, Move; one-step or multi-step), changing
its data between uploads. With --verify it then reads every table of the
server's database and checks that every record the tablets were told was
uploaded is stored exactly once, with the values sent.

With --patients N it first creates, by running the tabletapi binary
(--tabletapi) on --database, a schedule of up to three tasks and N patients
of --group with it assigned; N single-patient tablets then register with the
patients' access keys (register_patient), fetch their schedules, complete the
tasks due and upload them multi-step, alongside the clinician tablets.
--verify also checks that get_task_schedules reports each of them complete.

For an https:// URL the server's certificate must chain to a CA the system
trusts, or to one of --ca-file (a PEM bundle, trusted instead of the
system's CAs). --insecure skips the check, with a warning; it is for tests.

Every flag can also be set by the environment variable TABLETSIM_<FLAG>
(--chaos-rate: TABLETSIM_CHAOS_RATE), except --database:
TABLETSIM_DATABASE_URL, or else the server's TABLETAPI_DATABASE_URL.
A flag on the command line wins.

Exit status: 0 all sequences succeeded (and verified), 1 failure, 2 bad usage.

Flags:
`

// parseFlags parses args (without the program name) with environment
// defaults from getenv. The error is a *usageError, or flag.ErrHelp for -h.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*settings, error) {
	s := &settings{}
	fs := flag.NewFlagSet("tabletsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	l := &s.load
	fs.StringVar(&l.URL, "url", "", "tablet API endpoint, e.g. http://127.0.0.1:8088/api or https://camcops.example.org/api (required)")
	fs.StringVar(&l.User, "user", "", "username with upload and device-registration rights (required)")
	fs.StringVar(&l.Password, "password", "", "the user's password (prefer TABLETSIM_PASSWORD)")
	fs.IntVar(&l.Tablets, "tablets", 1, "number of simulated tablets")
	fs.IntVar(&l.Records, "records", 20, "task records per freshly filled tablet (patients, ID numbers and BLOBs come on top)")
	fs.IntVar(&l.Concurrency, "concurrency", 0, "tablets busy at once (default min(tablets, 8))")
	fs.IntVar(&l.Rounds, "rounds", 0, "uploads per tablet (default 1 unless --duration is given)")
	fs.DurationVar(&l.Duration, "duration", 0, "keep uploading until this much time has passed, e.g. 2m")
	fs.StringVar(&s.methods, "method", "mix", "upload method: copy, move-keep, move, a comma-separated list (repeat one to weight it), or mix (copy half of the time)")
	fs.StringVar(&s.steps, "steps", "mix", "upload path: one (upload_entire_database), multi, or mix")
	fs.BoolVar(&s.chaos, "chaos", false, "drop connections at random and retry as a tablet would")
	fs.Float64Var(&l.ChaosRate, "chaos-rate", 0.02, "with --chaos, the fraction of requests dropped")
	fs.Uint64Var(&l.Seed, "seed", 0, "seed of the tablets' data and choices (default: from the clock; printed)")
	fs.DurationVar(&l.RequestTimeout, "timeout", 20*time.Second, "timeout of each request")
	fs.StringVar(&l.CamcopsVersion, "camcops-version", "2.4.24", "client version the tablets send; they fill no table that needs a newer one")
	fs.StringVar(&s.tables, "tables", "", "the table registry file the server was started with (serve --tables); default the compiled-in registry")
	fs.BoolVar(&s.verify, "verify", false, "afterwards, check the server's database (needs --database)")
	fs.StringVar(&s.database, "database", "", "the server's database for --verify: postgres://… or sqlite:PATH")
	fs.IntVar(&l.Patients, "patients", 0, "number of single-patient tablets, with server patients created first (needs --database and --group)")
	fs.StringVar(&l.PatientGroup, "group", "", "with --patients, the group of the patients and their schedule")
	fs.StringVar(&s.tabletapi, "tabletapi", "tabletapi", "with --patients, the tabletapi binary that creates them (a name is looked up in PATH)")
	fs.StringVar(&s.jsonFile, "json", "", "also write the summary as JSON to this file")
	fs.StringVar(&s.caFile, "ca-file", "", "PEM file of the CA certificates to trust for https:// instead of the system's")
	fs.BoolVar(&s.insecure, "insecure", false, "do not verify the server's TLS certificate (tests only; warns)")
	fs.StringVar(&s.progress, "progress", "auto", "progress display: bar, lines, none, or auto (a bar on a terminal)")
	if err := setFromEnv(fs, getenv); err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return s, s.validate()
}

// setFromEnv sets each flag whose environment variable is set.
func setFromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "TABLETSIM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if f.Name == "database" {
			// The server's variable, so that one environment serves both.
			name = "TABLETSIM_DATABASE_URL"
			if getenv(name) == "" {
				name = "TABLETAPI_DATABASE_URL"
			}
		}
		if v := getenv(name); v != "" && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = &usageError{fmt.Sprintf("%s: %v", name, e)}
			}
		}
	})
	return err
}

// validate checks the flags together and fills the load configuration.
func (s *settings) validate() error {
	l := &s.load
	switch {
	case l.URL == "":
		return &usageError{"--url is required"}
	case l.User == "":
		return &usageError{"--user is required"}
	case l.Tablets < 1, l.Records < 1, l.Concurrency < 0, l.Rounds < 0, l.Duration < 0:
		return &usageError{"--tablets and --records must be positive, --concurrency, --rounds and --duration not negative"}
	case l.RequestTimeout <= 0:
		return &usageError{"--timeout must be positive"}
	case s.verify && s.database == "":
		return &usageError{"--verify needs --database"}
	case l.Patients < 0:
		return &usageError{"--patients must not be negative"}
	case l.Patients > 0 && (s.database == "" || l.PatientGroup == ""):
		return &usageError{"--patients needs --database and --group"}
	case s.chaos && (l.ChaosRate <= 0 || l.ChaosRate >= 1):
		return &usageError{"--chaos-rate must be in (0, 1)"}
	case s.caFile != "" && s.insecure:
		return &usageError{"--ca-file and --insecure exclude each other"}
	}
	var err error
	if l.TLS, err = tlsConfig(s.caFile, s.insecure); err != nil {
		return err
	}
	if !s.chaos {
		l.ChaosRate = 0
	}
	if s.methods != "mix" {
		for name := range strings.SplitSeq(s.methods, ",") {
			m, err := sim.ParseMethod(strings.TrimSpace(name))
			if err != nil {
				return &usageError{"--method: " + err.Error()}
			}
			l.Methods = append(l.Methods, m)
		}
	}
	switch s.steps {
	case "mix":
		l.Steps = sim.MixedSteps
	case "one":
		l.Steps = sim.OneStepOnly
	case "multi":
		l.Steps = sim.MultiStepOnly
	default:
		return &usageError{fmt.Sprintf("--steps %q: want one, multi or mix", s.steps)}
	}
	switch s.progress {
	case "auto", "bar", "lines", "none":
	default:
		return &usageError{fmt.Sprintf("--progress %q: want bar, lines, none or auto", s.progress)}
	}
	return nil
}

// tlsConfig returns the TLS configuration of --ca-file and --insecure, or
// nil for neither (the system's CAs). A CA file that cannot be read or
// holds no certificate is a usage error.
func tlsConfig(caFile string, insecure bool) (*tls.Config, error) {
	switch {
	case insecure:
		return &tls.Config{InsecureSkipVerify: true}, nil
	case caFile == "":
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, &usageError{"--ca-file: " + err.Error()}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &usageError{fmt.Sprintf("--ca-file %s: no PEM certificate in it", caFile)}
	}
	return &tls.Config{RootCAs: pool}, nil
}
