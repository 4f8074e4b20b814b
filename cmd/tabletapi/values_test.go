package main_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// TestStoredValuesExact: awkward values reach the per-table relations
// byte for byte, multi-step and one-step (PROTOCOL 7.2, 7.5). On
// PostgreSQL rows go in through COPY's text format, whose escaping of
// backslash, tab, newline and carriage return, and of BLOB bytes, this
// checks; on SQLite through literals.
func TestStoredValuesExact(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	comment := "tab\there, new\nline, cr\rend, back\\slash \\N, 'quote' \"dq\", ü€𝄞, trailing space "
	blob := []byte{0, '\\', 'N', '\t', '\n', '\r', 0xff, 0x80, 'x'}
	for _, oneStep := range []bool{false, true} {
		name := map[bool]string{false: "MultiStep", true: "OneStep"}[oneStep]
		t.Run(name, func(t *testing.T) {
			parallelOnPostgres(t)
			e := newTabletEnv(t, s)
			tab := e.tab
			tab.add("patient", patientRow(1, "Ann", "Smith", "F", "1980-02-29", "2024-05-01T09:29:00.000+01:00", "0"))
			tab.add("patient_idnum", idNumRow(1, 1, nhs1, "2024-05-01T09:29:00.000+01:00", "NULL"))
			bmi := bmiRow(1, 1, "70.25", "2024-05-01T09:31:12.345+01:00")
			bmi["comment"] = testclient.EncodeLiteral(testclient.TextValue(comment))
			bmi["height_m"] = "-0.5e-3"
			tab.add("bmi", bmi)
			tab.add("blobs", blobRow(1, "bmi", 1, "2024-05-01T09:31:00.000+01:00"))
			tab.row("blobs", 1)["theblob"] = "64'" + base64.StdEncoding.EncodeToString(blob) + "'"
			tab.upload(methodCopy, oneStep)

			ctx := context.Background()
			var gotComment string
			var height float64
			var finish bool
			if err := s.DB.QueryRowContext(ctx, "SELECT comment, height_m, firstexit_is_finish FROM bmi WHERE _device_id = ? AND id = 1 AND _current",
				e.dev).Scan(&gotComment, &height, &finish); err != nil {
				t.Fatal(err)
			}
			if gotComment != comment || height != -0.0005 || !finish {
				t.Errorf("bmi stored comment %q, height %v, finish %v; want %q, -0.0005, true", gotComment, height, finish, comment)
			}
			var gotBlob []byte
			var mime string
			if err := s.DB.QueryRowContext(ctx, "SELECT theblob, mimetype FROM blobs WHERE _device_id = ? AND id = 1 AND _current",
				e.dev).Scan(&gotBlob, &mime); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotBlob, blob) || mime != "image/png" {
				t.Errorf("blob stored % x (%s), want % x (image/png)", gotBlob, mime, blob)
			}
		})
	}
}
