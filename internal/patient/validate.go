package patient

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/internal/idpolicy"
)

// ServerPatient is a server-created patient (PROTOCOL 6.3 step 3): a
// current patient row of the server device, with its current ID numbers.
// It is also a restricted user's single patient (6.10). A nil or empty
// string is an absent field. DOB is YYYY-MM-DD (a 7.6 date-time is cut to
// its date). IDNums maps type to value.
type ServerPatient struct {
	// PK is the row's _pk, ID its client PK id, and GroupID its _group_id
	// (nil if NULL). UUID is patient.uuid, from which the access key comes.
	// Create ignores them and fills them in.
	PK, ID  int64
	GroupID *int64
	UUID    string

	Forename, Surname, Sex, DOB, Address, Email, GP, Other *string
	IDNums                                                 map[int64]int64
}

// Env is what Validate needs to know about the server and the user U.
type Env struct {
	// UploadPolicy and FinalizePolicy are the policies of U's upload group;
	// nil is NULL, which no patient satisfies.
	UploadPolicy, FinalizePolicy *string
	// GroupExists is false when U's upload group has vanished.
	GroupExists bool
	// IDNumTypes holds the defined ID number types.
	IDNumTypes map[int64]bool
	// Restricted is true when U is auto_generated (single-patient mode).
	Restricted bool
	// Username is U's name, for the restricted-user message.
	Username string
	// SinglePatient is U's single patient, or nil if there is none.
	SinglePatient *ServerPatient
}

// Validate checks patientInfo, the raw patient_info JSON text, as
// PROTOCOL.md 6.10 describes. It returns nil when the reply is
// result:Success, and otherwise a Refused *fault.Error whose Message is the
// exact wire message: the first structural problem found, in array order
// and then in the text order of each patient's keys, or "Invalid patient:
// …" listing every patient that fails the policy or restricted-user check.
// Its Log names the reason and counts the patients, and quotes none of
// their data.
func Validate(patientInfo string, env Env) error {
	if f := validate(patientInfo, env); f != nil {
		return f.fault()
	}
	return nil
}

// validate is Validate, returning the failure while it can still be
// counted.
func validate(patientInfo string, env Env) *failure {
	if !utf8.ValidString(patientInfo) || !json.Valid([]byte(patientInfo)) {
		return fail("Bad JSON for key 'patient_info'")
	}
	root, err := decodeJSON(patientInfo)
	if err != nil {
		return fail("Bad JSON for key 'patient_info'")
	}
	if root.kind != jArray {
		return fail("Top-level JSON is not a list")
	}
	chk := newChecker(env)
	var failures, logReasons, codes []string
	failing := 0
	for _, el := range root.elems {
		c, finalizing, perr := readPatient(el, env.IDNumTypes)
		if perr != nil {
			perr.patients = len(root.elems)
			return perr
		}
		reasons := chk.reasons(c, finalizing)
		for _, reason := range reasons {
			failures = append(failures, c.text()+" -> "+reason)
			if r := logReason(reason); !slices.Contains(logReasons, r) {
				logReasons = append(logReasons, r)
				if c := reasonCode(r); !slices.Contains(codes, c) {
					codes = append(codes, c)
				}
			}
		}
		if len(reasons) > 0 {
			failing++
		}
	}
	if len(failures) > 0 {
		e := fail("Invalid patient: %s", strings.Join(failures, " // "))
		e.reason = "Invalid patient: " + strings.Join(logReasons, "; ")
		e.code = strings.Join(codes, ",")
		e.failing, e.patients = failing, len(root.elems)
		return e
	}
	return nil
}

// logReason is reason as the log may write it: "Should be <patient>" names
// the server's patient, so only its start is kept.
func logReason(reason string) string {
	if strings.HasPrefix(reason, "Should be ") {
		return "Should be the server's patient"
	}
	return reason
}

// checker runs the checks that follow the key checks, with each policy
// parsed once per request.
type checker struct {
	env              Env
	upload, finalize *idpolicy.Policy // nil when NULL or invalid
}

// newChecker parses env's policies.
func newChecker(env Env) *checker {
	parse := func(s *string) *idpolicy.Policy {
		if s == nil {
			return nil
		}
		p, err := idpolicy.Parse(*s)
		if err != nil {
			return nil
		}
		return p
	}
	return &checker{env: env, upload: parse(env.UploadPolicy), finalize: parse(env.FinalizePolicy)}
}

// reasons returns why c is not acceptable: at most one policy reason, then
// at most one restricted-user reason.
func (k *checker) reasons(c *candidate, finalizing bool) []string {
	var out []string
	switch {
	case !k.env.GroupExists:
		out = append(out, "Nonexistent group")
	case finalizing && !satisfied(k.finalize, c):
		out = append(out, "Fails finalizing ID policy")
	case !finalizing && !satisfied(k.upload, c):
		out = append(out, "Fails upload ID policy")
	}
	if k.env.Restricted {
		sp := k.env.SinglePatient
		switch {
		case sp == nil:
			out = append(out, "Restricted user "+k.env.Username+" does not have associated patient details")
		case !matches(c, sp):
			out = append(out, "Should be "+fromServer(sp).text())
		}
	}
	return out
}

// satisfied reports whether c satisfies p; a nil policy is satisfied by
// no patient.
func satisfied(p *idpolicy.Policy, c *candidate) bool {
	if p == nil {
		return false
	}
	return p.Satisfied(idpolicy.Patient{
		Forename: deref(c.forename), Surname: deref(c.surname), Sex: deref(c.sex),
		Address: deref(c.address), GP: deref(c.gp), Email: deref(c.email), Other: deref(c.other),
		HasDOB: c.dob != "", IDNums: c.idnums,
	})
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
