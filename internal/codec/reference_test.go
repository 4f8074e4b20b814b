package codec_test

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/tabletapi/tabletapi/internal/codec"
)

// refClassifier is a slow, literal transcription of PROTOCOL.md, 7.2 step 2,
// with the regular expressions as written there. The fuzz tests compare the
// hand-written Classify against it.
type refClassifier struct {
	null, hexBlob, b64Blob, integer, real *regexp.Regexp
}

func newRefClassifier() *refClassifier {
	return &refClassifier{
		null:    regexp.MustCompile(`^(?i:NULL)$`),
		hexBlob: regexp.MustCompile(`^X'([0-9A-Fa-f]{2})+'$`),
		b64Blob: regexp.MustCompile(`^64'(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?'$`),
		integer: regexp.MustCompile(`^[+-]?[0-9]+$`),
		real:    regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|(?i:nan|inf|infinity))$`),
	}
}

func (r *refClassifier) classify(item string) codec.Value {
	if item == "" || r.null.MatchString(item) {
		return codec.Null()
	}
	t := strings.Map(func(c rune) rune {
		if unicode.IsSpace(c) {
			return -1
		}
		return c
	}, item)
	if r.hexBlob.MatchString(t) {
		b, err := hex.DecodeString(t[2 : len(t)-1])
		if err != nil {
			panic(err)
		}
		return codec.Bytes(b)
	}
	if r.b64Blob.MatchString(t) {
		b, err := base64.StdEncoding.Strict().DecodeString(t[3 : len(t)-1])
		if err != nil {
			panic(err)
		}
		return codec.Bytes(b)
	}
	if len(item) >= 2 && item[0] == '\'' && item[len(item)-1] == '\'' {
		return codec.Text(refUnescape(strings.ReplaceAll(item[1:len(item)-1], "''", "'")))
	}
	if r.integer.MatchString(item) {
		if i, err := strconv.ParseInt(item, 10, 64); err == nil {
			return codec.Int(i)
		}
	}
	if r.real.MatchString(item) {
		switch strings.ToLower(strings.TrimLeft(item, "+-")) {
		case "nan":
			return codec.Real(math.NaN())
		case "inf", "infinity":
			if item[0] == '-' {
				return codec.Real(math.Inf(-1))
			}
			return codec.Real(math.Inf(1))
		}
		f, _ := strconv.ParseFloat(item, 64)
		return codec.Real(f)
	}
	return codec.Text(item)
}

// refUnescape undoes the newline escapes of rule 5.
func refUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch {
		case i == len(s):
		case s[i] == 'n':
			b.WriteByte('\n')
		case s[i] == 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
