package codec_test

import (
	"math"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
)

var decodeSeeds = []string{
	"",
	",",
	"1,,2",
	"1,",
	`7,67,1.83,NULL,'Said ''fine''\nthen left','2024-01-01T10:00:00.000+00:00','2024-01-01T10:05:00.123+00:00',0,3`,
	"1,0,'2024-05-01T09:31:12.345+01:00','2024-05-01T09:30:00.000+01:00',1,0,'2024-05-01T09:31:12.300+01:00',72.5,1,70.2,1.75,NULL,NULL",
	"'a, b','C:\\\\temp','NULL',null,64'Af8=',X'01FF'",
	"2024-03-01T10:04:03.588+00:00,007,+5,1e3,1.",
	"'unterminated, with '' quotes",
	"x'01',64'',64'AR==',X'0',9223372036854775808,-9223372036854775809",
	"nan,-Infinity,+inf,INF,1e400,-0.0,.5,1e",
	" 'a' , b ,\t'c\r\nd'\n",
	`'\',''\''','a\'`,
	"6 4 ' Q U J D ', X ' 0 1 '",
	"'é\u00a0',\u2003x\u2003",
}

// FuzzDecode checks that Decode never panics, that it agrees with Split,
// Classify and a regexp transcription of PROTOCOL.md, 7.2, and that encoding
// the values and decoding them again gives the same values, except that NaN
// and ±Inf come back as NULL.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	ref := newRefClassifier()
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := codec.Classify(s), ref.classify(s); !sameValue(got, want) {
			t.Errorf("Classify(%q) = %+v, reference %+v", s, got, want)
		}
		vs := codec.Decode(s)
		items := codec.Split(s)
		if len(items) != len(vs) {
			t.Fatalf("Decode gives %d values, Split %d items", len(vs), len(items))
		}
		for i, item := range items {
			if vs[i].Raw != item {
				t.Errorf("value %d: Raw = %q, item %q", i, vs[i].Raw, item)
			}
			if want := ref.classify(item); !sameValue(vs[i], want) {
				t.Errorf("item %q: Decode gives %+v, reference %+v", item, vs[i], want)
			}
		}
		want := make([]codec.Value, len(vs))
		for i, v := range vs {
			want[i] = afterEncode(v)
		}
		enc := codec.EncodeList(vs)
		back := codec.Decode(enc)
		checkValues(t, "Decode(EncodeList(Decode(s)))", back, want)
		if again := codec.EncodeList(back); again != enc {
			t.Errorf("encoding is not stable: %q, then %q", enc, again)
		}
	})
}

// FuzzRoundTrip checks that Decode(EncodeList([v])) gives v back, for values of
// every kind, with reals compared bit for bit; NaN and ±Inf give NULL. It
// also checks that Python's float repr, used for reals converted to text,
// parses back to the same float.
func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(0), 0.0, "", []byte{})
	f.Add(int64(-3), 1.83, "it's", []byte{0x01, 0xff})
	f.Add(int64(math.MaxInt64), 67.0, "a\nb\rc\\d", []byte("ABC"))
	f.Add(int64(math.MinInt64), 1e20, "NULL", []byte(nil))
	f.Add(int64(7), 0.00001, `\`, []byte{0})
	f.Add(int64(1), math.Inf(-1), "''", []byte{0xfb, 0xff})
	f.Add(int64(2), math.NaN(), "64'Af8='", []byte("x"))
	f.Add(int64(3), 5e-324, "é\xff", []byte("xy"))
	f.Add(int64(4), math.MaxFloat64, " padded ", []byte("xyz"))
	f.Add(int64(5), math.Copysign(0, -1), "a,b", []byte("xyzw"))
	f.Fuzz(func(t *testing.T, i int64, r float64, s string, b []byte) {
		for _, v := range []codec.Value{codec.Null(), codec.Int(i), codec.Real(r), codec.Text(s), codec.Bytes(b)} {
			lit := encode(v)
			got := codec.Decode(lit)
			if len(got) != 1 || !sameValue(got[0], afterEncode(v)) {
				t.Errorf("Decode(EncodeList([%+v])) = Decode(%q) = %+v", v, lit, got)
			}
		}
		text := codec.ReprValue(codec.Real(r))
		if back, ok := codec.ParseReal(text); !ok || !sameValue(codec.Real(back), codec.Real(r)) {
			t.Errorf("ParseReal(ReprValue(%v)) = %v, %v", r, back, ok)
		}
	})
}

// FuzzParseDateTime checks that ParseDateTime never panics and that the
// String of a parsed value parses back to the same instant and offset.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{
		"2016-06-02T10:04:03.588+01:00",
		"2016-06-02",
		"2016-06-02t10:04",
		"2016-06-02 10:04:03,123456789Z",
		"2016-06-02T10:04:03-0530",
		"0001-01-01T00:00:00+23:59",
		"9999-12-31T23:59:59.999999-23:59",
		"2024-02-29T24:00",
		"2024-01-01T10",
		"2016-06-02T10:04:03+24:00",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := codec.ParseDateTime(s)
		if err != nil {
			return
		}
		str := d.String()
		e, err := codec.ParseDateTime(str)
		if err != nil {
			t.Fatalf("ParseDateTime(%q) = %v, its String %q does not parse: %v", s, d, str, err)
		}
		if !e.Equal(d) || e.Offset() != d.Offset() || e.String() != str {
			t.Errorf("%q -> %q -> %q", s, str, e.String())
		}
		if n := codec.NewDateTime(d.Time()); !n.Equal(d) || n.Offset() != d.Offset() {
			t.Errorf("NewDateTime(Time()) = %v, want %v", n, d)
		}
	})
}

// FuzzDatePart checks that DatePart and ParseDateTime read one grammar:
// they accept the same strings, except that DatePart alone accepts the year
// 0000; and that the date part is the first ten characters.
func FuzzDatePart(f *testing.F) {
	for _, s := range []string{
		"2016-06-02T10:04:03.588+01:00", "2016-06-02", "2016-06-02t10:04", "2016-06-02 10:04:03,123456789Z",
		"2016-06-02T10:04:03-0530", "0000-02-29T00:00:00+23:59", "0000-02-30", "2024-02-29T24:00", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := codec.DatePart(s)
		_, err := codec.ParseDateTime(s)
		if ok != (err == nil) && !(ok && d.Year == 0) {
			t.Fatalf("DatePart(%q) = %v, %v, but ParseDateTime gives %v", s, d, ok, err)
		}
		if ok && d.String() != s[:10] {
			t.Errorf("DatePart(%q) = %v, not the date as written", s, d)
		}
	})
}

// FuzzParseTime checks that ParseTime never panics, that every accepted
// time's String parses back to the same time, and that String is HH:MM:SS
// with a six-digit fraction only when there is one.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"10:04:03", "23:59:59.999999", "10:00:00.0", "24:00:00", "10:00:00.1234567", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := codec.ParseTime(s)
		if err != nil {
			return
		}
		str := tm.String()
		back, err := codec.ParseTime(str)
		if err != nil || back != tm {
			t.Fatalf("ParseTime(%q) = %+v, its String %q parses to %+v, %v", s, tm, str, back, err)
		}
		if n := len(str); n != 8 && n != 15 || (n == 15) != (tm.Microsecond != 0) {
			t.Errorf("ParseTime(%q).String() = %q", s, str)
		}
	})
}
