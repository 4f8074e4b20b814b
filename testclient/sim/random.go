package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// texts are the sample values of text fields. They include quotes, a
// comma, LF and CR, backslashes (one at the end), non-ASCII letters, a
// character outside the BMP, the word NULL and the empty text, so that the
// literal encoding and the storage of text are exercised.
var texts = []string{
	"Said 'fine'\nthen left", "weighed in shoes", `scale C:\ward 3`, "re-measured", "Chloë Ødegård",
	"naïve, café; 東京", "line 1\r\nline 2", "NULL", "", `ends with a backslash \`, "smiled 😀",
	"'quoted', twice", "  leading and trailing spaces  ",
}

// randomValue returns a value of a field of type ft as the client stores
// it, or, about one time in six, NULL.
func (t *Tablet) randomValue(rng *rand.Rand, ft registry.FieldType) testclient.Value {
	if rng.IntN(6) == 0 {
		return testclient.NullValue()
	}
	switch ft {
	case registry.Integer:
		return testclient.IntValue(randomInt(rng))
	case registry.Real:
		return testclient.RealValue(randomReal(rng))
	case registry.Text:
		return testclient.TextValue(texts[rng.IntN(len(texts))])
	case registry.DateTime:
		at := time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(30*365*24*3600*1000)) * time.Millisecond)
		return testclient.TextValue(at.In(t.clock.zone).Format(WLMLayout))
	case registry.Date:
		return testclient.TextValue(time.Date(1900+rng.IntN(130), time.January, 1, 0, 0, 0, 0, time.UTC).
			AddDate(0, 0, rng.IntN(366)).Format(time.DateOnly))
	case registry.Boolean:
		return testclient.IntValue(rng.Int64N(2))
	case registry.Blob:
		b := make([]byte, 1+rng.IntN(48))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return testclient.BytesValue(b)
	case registry.Time:
		return testclient.TextValue(fmt.Sprintf("%02d:%02d:%02d", rng.IntN(24), rng.IntN(60), rng.IntN(60)))
	}
	return testclient.NullValue()
}

// randomInt returns small, negative and large integers, the extremes of 64
// bits now and then.
func randomInt(rng *rand.Rand) int64 {
	switch rng.IntN(8) {
	case 0:
		return -rng.Int64N(1000)
	case 1:
		return rng.Int64() - rng.Int64()
	case 2:
		return []int64{-1 << 63, 1<<63 - 1}[rng.IntN(2)]
	case 3, 4:
		return rng.Int64N(100_000)
	}
	return rng.Int64N(10)
}

// randomReal returns reals that the client sends in each of its notations
// (PROTOCOL 7.4): rounded to 6 significant digits when they have more, whole
// (sent without a decimal point), tiny and large (sent with an exponent),
// and negative.
func randomReal(rng *rand.Rand) float64 {
	switch rng.IntN(6) {
	case 0:
		return float64(rng.IntN(200))
	case 1:
		return round(rng.Float64()*1e-3, 8)
	case 2:
		return rng.Float64() * 1e7
	case 3:
		return -round(rng.Float64()*100, 2)
	}
	return round(rng.Float64()*200, 1+rng.IntN(5))
}
