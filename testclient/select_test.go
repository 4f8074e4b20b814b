package testclient_test

import (
	"slices"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// equalRecords reports whether two record lists hold equal values.
func equalRecords(a, b [][]testclient.Value) bool {
	return slices.EqualFunc(a, b, func(x, y []testclient.Value) bool {
		return slices.EqualFunc(x, y, testclient.Value.Equal)
	})
}

func TestReply_Select(t *testing.T) {
	t.Parallel()
	t.Run("OK_AllowedTables", func(t *testing.T) {
		t.Parallel()
		r := parse("nfields:2\nfields:tablename,min_client_version\nnrecords:2\n" +
			"record0:'bmi','2.0.0'\nrecord1:'blobs','2.0.0'\nsuccess:1\nsession_id:\nsession_token:\n")
		b, err := r.Select()
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"tablename", "min_client_version"}; !slices.Equal(b.Fields, want) {
			t.Errorf("Fields = %q, want %q", b.Fields, want)
		}
		want := [][]testclient.Value{{vText("bmi"), vText("2.0.0")}, {vText("blobs"), vText("2.0.0")}}
		if !equalRecords(b.Records, want) {
			t.Errorf("Records = %v, want %v", b.Records, want)
		}
		if m := b.Maps(); len(m) != 2 || !m[1]["tablename"].Equal(vText("blobs")) {
			t.Errorf("Maps() = %v", m)
		}
	})

	t.Run("OK_ExtraStrings", func(t *testing.T) {
		t.Parallel()
		body := "nfields:4\nfields:task,name,language,value\nnrecords:4\n" +
			"record0:'a','b','c','d'\nrecord1:'x','y''s','', NULL \nrecord2:'e','f','g','h'\n" +
			`record3:'phq9','q1_s','en_GB','Little interest or pleasure\nin doing things'` + "\n"
		b, err := parse(body).Select()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := b.Records[3], []testclient.Value{vText("phq9"), vText("q1_s"), vText("en_GB"), vText("Little interest or pleasure\nin doing things")}; !slices.EqualFunc(got, want, testclient.Value.Equal) {
			t.Errorf("record3 = %v, want %v", got, want)
		}
		if got, want := b.Records[1], []testclient.Value{vText("x"), vText("y's"), vText(""), vNull()}; !slices.EqualFunc(got, want, testclient.Value.Equal) {
			t.Errorf("record1 = %v, want %v", got, want)
		}
	})

	t.Run("OK_NoRecords", func(t *testing.T) {
		t.Parallel()
		b, err := parse("nfields:4\nfields:task,name,language,value\nnrecords:0\n").Select()
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Records) != 0 || len(b.Fields) != 4 {
			t.Errorf("block = %+v", b)
		}
	})

	t.Run("OK_Kinds", func(t *testing.T) {
		t.Parallel()
		b, err := parse("nfields:6\nfields:a,b,c,d,e,f\nnrecords:1\nrecord0:NULL,42,-1.5,64'Af8=',X'01ff',''\n").Select()
		if err != nil {
			t.Fatal(err)
		}
		want := []testclient.Value{
			vNull(), vInt(42), vReal(-1.5),
			vBytes(1, 0xff), vBytes(1, 0xff), vText(""),
		}
		if !slices.EqualFunc(b.Records[0], want, testclient.Value.Equal) {
			t.Errorf("record0 = %v, want %v", b.Records[0], want)
		}
	})

	for _, tc := range []struct{ name, body string }{
		{"ErrMissingNRecords", "nfields:1\nfields:a\n"},
		{"ErrMissingFields", "nfields:1\nnrecords:0\n"},
		{"ErrMissingNFields", "fields:a\nnrecords:0\n"},
		{"ErrBadNRecords", "nfields:1\nfields:a\nnrecords:x\n"},
		{"ErrNegativeNRecords", "nfields:1\nfields:a\nnrecords:-1\n"},
		{"ErrNFieldsMismatch", "nfields:2\nfields:a\nnrecords:0\n"},
		{"ErrMissingRecord", "nfields:1\nfields:a\nnrecords:2\nrecord0:1\n"},
		{"ErrValueCount", "nfields:2\nfields:a,b\nnrecords:1\nrecord0:1,2,3\n"},
		{"ErrBadLiteral", "nfields:1\nfields:a\nnrecords:1\nrecord0:2.0.0\n"},
		{"ErrUnquotedText", "nfields:1\nfields:a\nnrecords:1\nrecord0:bmi\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if b, err := parse(tc.body).Select(); err == nil {
				t.Errorf("Select() = %+v, want an error", b)
			}
		})
	}
}
