package upload

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzJSONScan: on valid JSON, objectMembers and arrayElements find
// exactly what encoding/json finds.
func FuzzJSONScan(f *testing.F) {
	for _, s := range []string{
		`{"bmi":[{"id":"1","comment":"'a, b ] } \" \\\\'"}],"phq9":"","x":null}`,
		`{"a":1e5,"b":true,"c":[1,[2,{"d":"]"}]],"e":{}}`,
		` [ {"x" : -0.5} , {} , [] , "s" , null ] `,
		`{}`, `[]`, `"x"`, `5`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		if !json.Valid(b) {
			return
		}
		var wantObj map[string]json.RawMessage
		isObj := json.Unmarshal(b, &wantObj) == nil && bytes.TrimSpace(b)[0] == '{'
		got := map[string][]byte{}
		if ok := objectMembers(b, func(k string, v []byte) { got[k] = v }); ok != isObj {
			t.Fatalf("objectMembers ok = %v, want %v", ok, isObj)
		}
		if isObj {
			if len(got) != len(wantObj) {
				t.Fatalf("objectMembers found %d keys, want %d", len(got), len(wantObj))
			}
			for k, v := range wantObj {
				if !bytes.Equal(bytes.TrimSpace(got[k]), bytes.TrimSpace(v)) {
					t.Fatalf("key %q: got %s, want %s", k, got[k], v)
				}
			}
		}
		var wantArr []json.RawMessage
		isArr := json.Unmarshal(b, &wantArr) == nil && bytes.TrimSpace(b)[0] == '['
		elems, ok := arrayElements(b)
		if ok != isArr {
			t.Fatalf("arrayElements ok = %v, want %v", ok, isArr)
		}
		if isArr {
			if len(elems) != len(wantArr) {
				t.Fatalf("arrayElements found %d, want %d", len(elems), len(wantArr))
			}
			for i := range elems {
				if !bytes.Equal(elems[i], bytes.TrimSpace(wantArr[i])) {
					t.Fatalf("element %d: got %s, want %s", i, elems[i], wantArr[i])
				}
			}
		}
	})
}
