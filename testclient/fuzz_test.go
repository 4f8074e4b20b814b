package testclient_test

import (
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// FuzzParseReply checks that parsing never panics, that the parsed keys are
// consistent, and that writing the parsed pairs back as key:value lines and
// parsing again gives the same pairs.
func FuzzParseReply(f *testing.F) {
	for _, seed := range []string{
		"result:check_device_registered\nsuccess:1\nsession_id:17\nsession_token:Qm9vZ2llV29vZ2llMTIzNA==\n",
		"success:0\nerror:line1\\nline2 C:\\\\x\nsession_id:\nsession_token:\n",
		"nfields:2\nfields:tablename,min_client_version\nnrecords:1\nrecord0:'bmi','2.0.0'\nsuccess:1\nsession_id:\nsession_token:\n",
		"nfields:1\nfields:a\nnrecords:99999\nrecord0:64'Af8=',X'01'\n",
		"Not a valid CamCOPS API request\n",
		"a:1\r\n::x\n:y\n a:b\na\v:c\nk:\t v\n\xff\xfe:\xff\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := testclient.ParseReply(http.StatusOK, nil, body)
		r.Success()
		_ = r.Error()
		r.IsAPIReply()
		r.Err()
		if b, err := r.Select(); err == nil {
			b.Maps()
		}
		if len(r.Keys) != len(r.Values) {
			t.Fatalf("%d keys but %d values", len(r.Keys), len(r.Values))
		}
		var again strings.Builder
		for _, k := range r.Keys {
			if k == "" || strings.ContainsAny(k, " \t\n\v\f\r") {
				t.Fatalf("bad key %q", k)
			}
			again.WriteString(k + ":" + r.Values[k] + "\n")
		}
		r2 := testclient.ParseReply(http.StatusOK, nil, []byte(again.String()))
		if !slices.Equal(r.Keys, r2.Keys) {
			t.Fatalf("keys %q, after re-encoding %q", r.Keys, r2.Keys)
		}
		for _, k := range r.Keys {
			if r.Values[k] != r2.Values[k] {
				t.Fatalf("%s: %q, after re-encoding %q", k, r.Values[k], r2.Values[k])
			}
		}
	})
}

// wholeRE matches what %g writes for a whole number: no point, no exponent.
var wholeRE = regexp.MustCompile(`^-?[0-9]+$`)

// checkReal checks that got is what decoding the client's encoding of f must
// give: f rounded to 6 significant digits, as an integer when the encoding
// has no point and no exponent (a whole real like 67 comes back as integer
// 67), as a real otherwise.
func checkReal(t *testing.T, f float64, got testclient.Value) {
	t.Helper()
	enc := testclient.EncodeLiteral(testclient.RealValue(f))
	if math.IsNaN(f) || math.IsInf(f, 0) {
		if !got.Equal(testclient.RealValue(f)) {
			t.Fatalf("%v encoded as %s decodes to %v", f, enc, got)
		}
		return
	}
	rounded, err := strconv.ParseFloat(enc, 64)
	if err != nil {
		t.Fatalf("%v encoded as %s: %v", f, enc, err)
	}
	if diff := math.Abs(rounded - f); diff > 5e-6*math.Abs(f)+5e-324 {
		t.Fatalf("%v encoded as %s: more than 6 significant digits lost", f, enc)
	}
	want := testclient.RealValue(rounded)
	if wholeRE.MatchString(enc) {
		want = testclient.IntValue(int64(rounded))
	}
	if !got.Equal(want) {
		t.Fatalf("%v encoded as %s decodes to %v, want %v", f, enc, got, want)
	}
}

// FuzzLiteralRoundTrip checks that the server-side decoding of the client's
// encoding gives back the value: exactly for NULL, integers, text and bytes,
// and at 6 significant digits for reals (see checkReal).
func FuzzLiteralRoundTrip(f *testing.F) {
	f.Add(uint8(testclient.KindNull), int64(0), 0.0, "", []byte(nil))
	f.Add(uint8(testclient.KindInt), int64(math.MinInt64), 0.0, "", []byte(nil))
	f.Add(uint8(testclient.KindReal), int64(0), 67.0, "", []byte(nil))
	f.Add(uint8(testclient.KindReal), int64(0), 1.83, "", []byte(nil))
	f.Add(uint8(testclient.KindReal), int64(0), 1234567.0, "", []byte(nil))
	f.Add(uint8(testclient.KindReal), int64(0), 1e-5, "", []byte(nil))
	f.Add(uint8(testclient.KindReal), int64(0), math.Copysign(0, -1), "", []byte(nil))
	f.Add(uint8(testclient.KindReal), int64(0), math.Inf(-1), "", []byte(nil))
	f.Add(uint8(testclient.KindReal), int64(0), math.NaN(), "", []byte(nil))
	f.Add(uint8(testclient.KindReal), int64(0), 5e-324, "", []byte(nil))
	f.Add(uint8(testclient.KindText), int64(0), 0.0, "Said 'fine'\nthen left, C:\\temp\r", []byte(nil))
	f.Add(uint8(testclient.KindText), int64(0), 0.0, "NULL", []byte(nil))
	f.Add(uint8(testclient.KindText), int64(0), 0.0, "X'01'", []byte(nil))
	f.Add(uint8(testclient.KindText), int64(0), 0.0, "''\\", []byte(nil))
	f.Add(uint8(testclient.KindBytes), int64(0), 0.0, "", []byte{})
	f.Add(uint8(testclient.KindBytes), int64(0), 0.0, "", []byte{1, 0xff, 0})
	f.Fuzz(func(t *testing.T, kind uint8, i int64, fl float64, s string, b []byte) {
		var v testclient.Value
		switch testclient.ValueKind(kind % 5) {
		case testclient.KindNull:
			v = testclient.NullValue()
		case testclient.KindInt:
			v = testclient.IntValue(i)
		case testclient.KindReal:
			v = testclient.RealValue(fl)
		case testclient.KindText:
			v = testclient.TextValue(s)
		case testclient.KindBytes:
			v = testclient.BytesValue(b)
		}
		enc := testclient.EncodeLiteral(v)
		got := testclient.DecodeLiterals(enc)
		if len(got) != 1 {
			t.Fatalf("%v encoded as %s decodes to %d values", v, enc, len(got))
		}
		if v.Kind == testclient.KindReal {
			checkReal(t, fl, got[0])
			return
		}
		if !got[0].Equal(v) {
			t.Fatalf("%v encoded as %s decodes to %v", v, enc, got[0])
		}
	})
}

// FuzzDecodeLiterals checks that decoding any input never panics, and that
// encoding the decoded values as the client does and decoding again gives
// the same values (reals at 6 significant digits).
func FuzzDecodeLiterals(f *testing.F) {
	for _, seed := range []string{
		`7,67,1.83,NULL,'Said ''fine''\nthen left','2024-01-01T10:00:00.000+00:00',0,3`,
		`'a, b','C:\\temp','NULL',null,64'Af8=',X'01FF',2024-03-01T10:04:03.588+00:00`,
		`007,+5,1e3,1.,1,,2,`,
		`'unterminated, x`,
		` X' 01 ' , 64' QU JD ' ,-Infinity,nan,9223372036854775808,.5,'\`,
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		values := testclient.DecodeLiterals(s)
		testclient.ParseReplyLiterals(s)
		enc := testclient.EncodeLiterals(values)
		again := testclient.DecodeLiterals(enc)
		if len(again) != len(values) {
			t.Fatalf("%q: %d values, but %s decodes to %d", s, len(values), enc, len(again))
		}
		for j, v := range values {
			if v.Kind == testclient.KindReal {
				checkReal(t, v.Real, again[j])
			} else if !again[j].Equal(v) {
				t.Fatalf("%q: value %d is %v, but after re-encoding %v", s, j, v, again[j])
			}
		}
	})
}

// FuzzEncodeForm checks that a standard form decoder gives back what
// EncodeForm encoded, and that only unreserved bytes appear unencoded.
func FuzzEncodeForm(f *testing.F) {
	f.Add("user", "alice", "password", "pw! +&=%")
	f.Add("a b", "é\x00\xff", "record0", "1,'x'")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		params := map[string]string{k1: v1, k2: v2}
		enc := testclient.EncodeForm(params)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%&=", rune(c)) {
				t.Fatalf("EncodeForm wrote %q unencoded: %s", c, enc)
			}
		}
		form, err := url.ParseQuery(enc)
		if err != nil {
			t.Fatalf("ParseQuery(%s): %v", enc, err)
		}
		if len(form) != len(params) {
			t.Fatalf("%s decodes to %v, want %q", enc, form, params)
		}
		for k, v := range params {
			if got := form[k]; len(got) != 1 || got[0] != v {
				t.Fatalf("%s: %q = %q, want %q", enc, k, got, v)
			}
		}
	})
}
