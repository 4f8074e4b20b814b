package fault_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tabletapi/tabletapi/internal/fault"
)

func TestError(t *testing.T) {
	t.Run("LogReplacesMessage", func(t *testing.T) {
		err := fmt.Errorf("upload: %w", &fault.Error{Kind: fault.Refused, Message: "ID number 4010232137 is invalid", Log: "an ID number is invalid"})
		if got, want := err.Error(), "upload: an ID number is invalid"; got != want {
			t.Fatalf("Error() = %q, want %q", got, want)
		}
		var f *fault.Error
		if !errors.As(err, &f) || f.LogText() != "an ID number is invalid" || f.Message != "ID number 4010232137 is invalid" {
			t.Fatalf("errors.As = %#v", f)
		}
	})
	t.Run("NoLog", func(t *testing.T) {
		f := fault.Errorf(fault.Refused, "nrecords=%d: can't be less than 0", -1)
		if f.Kind != fault.Refused || f.Message != "nrecords=-1: can't be less than 0" || f.LogText() != f.Message || f.Error() != f.Message {
			t.Fatalf("Errorf = %#v, LogText %q, Error %q", f, f.LogText(), f.Error())
		}
	})
	t.Run("MissingVariable", func(t *testing.T) {
		f := fault.MissingVariable("device")
		if f.Kind != fault.Refused || f.Message != "Must provide the variable: device" {
			t.Fatalf("MissingVariable = %#v", f)
		}
	})
	t.Run("ZeroKindIsInternal", func(t *testing.T) {
		if (fault.Error{}).Kind != fault.Internal {
			t.Fatal("the zero Kind is not Internal")
		}
	})
}
