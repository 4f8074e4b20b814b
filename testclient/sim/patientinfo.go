package sim

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/testclient"
)

// patientInfo builds validate_patients' patient_info (PROTOCOL 12.3 step
// 4): one object per local patient with its text fields (string or null),
// idnum<n> for each of its ID numbers, and finalizing = the method moves or
// the patient is marked to move.
func (t *Tablet) patientInfo(method Method) (string, error) {
	list := []map[string]any{}
	for _, p := range t.tables[TablePatient] {
		o := map[string]any{"finalizing": method.Moves() || p.MoveOff()}
		for _, f := range []string{"address", "dob", "email", "forename", "gp", "other", "sex", "surname"} {
			o[f] = nil
			if v := p[f]; v.Kind == testclient.KindText {
				o[f] = v.Text
			}
		}
		for _, n := range t.tables[TablePatientIDNum] {
			if n["patient_id"].Int == p.ID() && n["idnum_value"].Kind == testclient.KindInt {
				o["idnum"+strconv.FormatInt(n["which_idnum"].Int, 10)] = n["idnum_value"].Int
			}
		}
		list = append(list, o)
	}
	s, err := compactJSON(list)
	if err != nil {
		return "", localError("validate_patients", "%v", err)
	}
	return s, nil
}

// compactJSON writes v as the client does: compact, object keys sorted,
// and no HTML escaping.
func compactJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
