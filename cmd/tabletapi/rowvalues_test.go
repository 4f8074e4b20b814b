package main_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// fieldValue is one field's value in a test record: the literal the client
// sends (PROTOCOL 7.4) and what the database must give back, typed: int64,
// float64, bool, a date as "YYYY-MM-DD", a date-time as time.Time, a time
// of day as "HH:MM:SS", []byte or string.
type fieldValue struct {
	lit  string
	want any
}

// typedPatientPK is the client PK of the patient that every record's
// patient_id points at.
const typedPatientPK = 1

// typedRecord builds a record of t with client PK id and every field set to a
// non-NULL value of its type; k varies the values between records. Fields
// with a meaning get a value that means something: the record stays on the
// tablet (_move_off_tablet 0), patient_id points at the test patient, and an
// ID number is a valid NHS number of ID type 1 (startWithUploader's policy).
func typedRecord(t *registry.Table, id, k int) map[string]fieldValue {
	rec := make(map[string]fieldValue, len(t.Fields))
	for i, f := range t.Fields {
		var v fieldValue
		switch {
		case f.Name == t.PK:
			v = fieldValue{strconv.Itoa(id), int64(id)}
		case f.Name == "_move_off_tablet":
			v = fieldValue{"0", false}
		case f.Name == "patient_id" && f.Type == registry.Integer && t.Kind != registry.KindPatient:
			v = fieldValue{strconv.Itoa(typedPatientPK), int64(typedPatientPK)}
		case t.Kind == registry.KindPatientIDNum && f.Name == "which_idnum":
			v = fieldValue{"1", int64(1)}
		case t.Kind == registry.KindPatientIDNum && f.Name == "idnum_value":
			v = fieldValue{nhs1, int64(9434765919)}
		case t.Kind == registry.KindPatient && f.Name == "uuid":
			u := "6f1c1b7e-3f43-4a8e-9d3c-0b2f6d1e5a7c"
			v = fieldValue{"'" + u + "'", u}
		default:
			v = valueOfType(f.Type, t.Name+"."+f.Name, k*len(t.Fields)+i)
		}
		rec[f.Name] = v
	}
	return rec
}

// valueOfType returns a non-NULL value of type ft, different for each n.
// Reals are exact in binary, so that a real compares exactly; date-times
// carry microseconds and an offset other than UTC; text and bytes carry
// what an encoder could get wrong.
func valueOfType(ft registry.FieldType, name string, n int) fieldValue {
	switch ft {
	case registry.Integer:
		x := int64(1)<<33 + int64(n)
		return fieldValue{strconv.FormatInt(x, 10), x}
	case registry.Real:
		x := float64(n) + 0.25
		return fieldValue{strconv.FormatFloat(x, 'g', -1, 64), x}
	case registry.Boolean:
		return fieldValue{strconv.Itoa(n % 2), n%2 == 1}
	case registry.Date:
		d := time.Date(2023, 2, 28, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly)
		return fieldValue{"'" + d + "'", d}
	case registry.DateTime:
		at := time.Date(2024, 5, 1, 9, 31, 12, 345678000, time.FixedZone("", 3600)).Add(time.Duration(n) * time.Minute)
		return fieldValue{"'" + at.Format("2006-01-02T15:04:05.000000-07:00") + "'", at}
	case registry.Time:
		hms := fmt.Sprintf("%02d:%02d:%02d", n%24, n*7%60, n*13%60)
		return fieldValue{"'" + hms + "'", hms}
	case registry.Blob:
		b := []byte{0, '\\', 'N', '\t', 0xff, 0x80, byte(n)}
		return fieldValue{testclient.EncodeLiteral(testclient.BytesValue(b)), b}
	case registry.Text:
		s := fmt.Sprintf("%s %d: it's ü€ 'q'\nline\\two", name, n)
		return fieldValue{testclient.EncodeLiteral(testclient.TextValue(s)), s}
	}
	panic(fmt.Sprintf("valueOfType: no value for type %q", ft))
}

// fieldList returns t's field names in registry order, comma-joined, as
// upload_table's fields.
func fieldList(t *registry.Table) string {
	names := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ",")
}

// recordCSV writes rec as upload_table's record: literals in field order.
func recordCSV(t *registry.Table, rec map[string]fieldValue) string {
	lits := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		lits[i] = rec[f.Name].lit
	}
	return strings.Join(lits, ",")
}

// recordJSON writes rec as one row of upload_entire_database's dbdata.
func recordJSON(rec map[string]fieldValue) map[string]string {
	row := make(map[string]string, len(rec))
	for f, v := range rec {
		row[f] = v.lit
	}
	return row
}

// typedUploadTable returns upload_table's parameters for recs.
func typedUploadTable(t *registry.Table, recs []map[string]fieldValue) map[string]string {
	p := map[string]string{"table": t.Name, "pkname": t.PK, "fields": fieldList(t), "nrecords": strconv.Itoa(len(recs))}
	for i, r := range recs {
		p["record"+strconv.Itoa(i)] = recordCSV(t, r)
	}
	return p
}

// typedOneStepParams returns upload_entire_database's parameters: every table of
// reg, as the client sends all its tables, with the rows of data (none for
// a table data lacks).
func typedOneStepParams(tb testing.TB, reg *registry.Registry, data map[string][]map[string]fieldValue, finalizing bool) map[string]string {
	tb.Helper()
	pk := map[string]string{}
	rows := map[string][]map[string]string{}
	for _, t := range reg.Tables() {
		pk[t.Name] = t.PK
		rows[t.Name] = []map[string]string{}
		for _, r := range data[t.Name] {
			rows[t.Name] = append(rows[t.Name], recordJSON(r))
		}
	}
	f := "0"
	if finalizing {
		f = "1"
	}
	return map[string]string{"finalizing": f, "pknameinfo": mustJSON(tb, pk), "dbdata": mustJSON(tb, rows)}
}
