package upload

import (
	"testing"
	"time"
)

func TestPGArrayLiteral(t *testing.T) {
	when := time.Date(2024, 5, 1, 8, 31, 12, 345000000, time.UTC)
	got := pgArrayLiteral([]any{nil, int64(-7), 1.5, true, false, `a "quoted", \back`, []byte{1, 0xff}, when, ""})
	want := `{NULL,"-7","1.5","t","f","a \"quoted\", \\back","\\x01ff","2024-05-01 08:31:12.345+00:00",""}`
	if got != want {
		t.Fatalf("pgArrayLiteral =\n%s\nwant\n%s", got, want)
	}
}
