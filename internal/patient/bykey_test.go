package patient_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/patient"
)

func TestStore_ServerPatientByKey(t *testing.T) {
	db := mustOpenClientDB(t)
	s := patient.NewStore(db)
	ann, err := s.CreateServer(t.Context(), 7, *newAnn())
	if err != nil {
		t.Fatal(err)
	}
	bare := newAnn()
	bare.IDNums = nil
	noIDs, err := s.CreateServer(t.Context(), 7, *bare)
	if err != nil {
		t.Fatal(err)
	}
	key := func(p *patient.ServerPatient) string {
		k, err := patient.KeyForUUID(p.UUID)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}

	t.Run("OK", func(t *testing.T) {
		got, err := s.ServerPatientByKey(t.Context(), key(ann))
		if err != nil || got.PK != ann.PK {
			t.Fatalf("ServerPatientByKey = %+v, %v; want patient %d", got, err, ann.PK)
		}
	})
	t.Run("ErrNoIDNumbers", func(t *testing.T) {
		if _, err := s.ServerPatientByKey(t.Context(), key(noIDs)); err != patient.ErrNoIDNumbers {
			t.Fatalf("err = %v, want ErrNoIDNumbers", err)
		}
	})
	unknown := patient.AccessKey([16]byte{1, 2, 3})
	for name, k := range map[string]string{
		"Unknown": unknown, "Upper": "SAZOM-DILIV-NAVOL-HUBOT-MUFUR-MAMUV-KOJUS-LOLUV-V",
		"CheckLetter": "sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-b", "Short": "sazom",
	} {
		t.Run("NoPatient/"+name, func(t *testing.T) {
			_, err := s.ServerPatientByKey(t.Context(), k)
			var f *fault.Error
			if !patient.IsNoPatient(err) || !errors.As(err, &f) || f.Kind != fault.Refused ||
				f.Message != "There is no patient with access key '"+k+"'. Have you entered the key correctly?" {
				t.Fatalf("err = %#v, want the no-patient refusal", err)
			}
			if want := "There is no patient with access key '" + patient.KeyPrefix(k) + "-…'"; f.LogText() != want {
				t.Errorf("log text %q, want %q", f.LogText(), want)
			}
		})
	}
}

func TestInfoJSON_Escapes(t *testing.T) {
	p := newAnn()
	p.IDNums[2] = 42
	p.Email, p.Other = ptr("ann@example.org"), ptr("Zoë \"Z\" \\ \n\t\x01\x7f 😀")
	want := `[{"surname": "Smith", "forename": "Ann", "sex": "F", "dob": "1980-02-29", "email": "ann@example.org", ` +
		`"address": null, "gp": null, "other": "Zo\u00eb \"Z\" \\ \n\t\u0001\u007f \ud83d\ude00", "idnum1": 9434765919, "idnum2": 42}]`
	if got := patient.InfoJSON(p); got != want {
		t.Errorf("InfoJSON =\n%s\nwant\n%s", got, want)
	}
}
