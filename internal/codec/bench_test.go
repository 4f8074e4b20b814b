package codec_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// bmiRecord is a typical bmi record literal of an upload.
const bmiRecord = "1,0,'2024-05-01T09:31:12.345+01:00','2024-05-01T09:30:00.000+01:00',1,0,'2024-05-01T09:31:12.300+01:00',72.5,1,70.2,1.75,NULL,NULL"

func BenchmarkDecodeRecord(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(bmiRecord)))
	for b.Loop() {
		if vs := codec.Decode(bmiRecord); len(vs) != 13 {
			b.Fatalf("%d values", len(vs))
		}
	}
}

func BenchmarkEncodeRecord(b *testing.B) {
	vs := codec.Decode(bmiRecord)
	b.ReportAllocs()
	for b.Loop() {
		codec.EncodeList(vs)
	}
}

func BenchmarkConvertDateTime(b *testing.B) {
	v := codec.Classify("'2024-05-01T09:31:12.345+01:00'")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codec.Convert(v, registry.DateTime); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConvertReal(b *testing.B) {
	v := codec.Classify("72.5")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codec.Convert(v, registry.Real); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBlob(b *testing.B) {
	blob := make([]byte, 1<<20)
	for i := range blob {
		blob[i] = byte(i * 7)
	}
	lit := encode(codec.Bytes(blob))
	b.ReportAllocs()
	b.SetBytes(int64(len(lit)))
	for b.Loop() {
		codec.Decode(lit)
	}
}

// BenchmarkInvalidValueError: a refused value as a request sees it, built
// and then read once for the reply and once for the log.
func BenchmarkInvalidValueError(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var f *fault.Error
		if err := codec.InvalidValueError("bmi", "mass_kg", 3, "'heavy and then some more text'"); !errors.As(err, &f) {
			b.Fatal(err)
		}
		if f.Message == "" || f.LogText() == "" {
			b.Fatal("empty text")
		}
	}
}
