package patient_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/patient"
)

func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		"", "[]", "{}", "[{}]", "[1]", list(ann()), list(ann(), ann("idnum1", "-", "dob", "null")),
		list(ann("idnum-1", "5")), list(ann("idnum01", "1", "idnum2", "1e3")), list(ann("dob", `"1980-02-29T10:00:00.5+01:00"`)),
		list(ann("email", `"a@b.cd"`)), list(ann("gp", `{"a":[1,2.5,null,"x'y\"z"]}`)), `[{"finalizing":true,"sex":"F","idnum1":5}]`,
		`[{"zzz":1,"sex":"Q","zzz":2}]`, "[\"\xff\"]",
	} {
		f.Add(s, false, true)
	}
	sp := &patient.ServerPatient{Forename: ptr("Ann"), Surname: ptr("Smith"), Sex: ptr("F"), DOB: ptr("1980-02-29"), IDNums: map[int64]int64{1: 9999999999}}
	f.Fuzz(func(t *testing.T, info string, restricted, groupExists bool) {
		env := baseEnv()
		env.Restricted, env.GroupExists = restricted, groupExists
		if restricted && groupExists {
			env.SinglePatient = sp
		}
		err := patient.Validate(info, env)
		if err == nil {
			return
		}
		var perr *fault.Error
		if !errors.As(err, &perr) {
			t.Fatalf("Validate(%q) = %#v, not a *fault.Error", info, err)
		}
		// Every quoted value goes through repr, so no control character
		// (a line break would corrupt the key:value reply) can appear.
		if perr.Message == "" || !utf8.ValidString(perr.Message) || strings.IndexFunc(perr.Message, unicode.IsControl) >= 0 {
			t.Fatalf("Validate(%q): bad message %q", info, perr.Message)
		}
	})
}
