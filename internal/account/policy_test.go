package account_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/account"
)

func TestCheckPolicies(t *testing.T) {
	ok, bad := "sex AND anyidnum", "sex AND ("
	if err := account.CheckPolicies(&ok, nil); err != nil {
		t.Fatalf("CheckPolicies(good, nil) = %v", err)
	}
	if err := account.CheckPolicies(nil, nil); err != nil {
		t.Fatalf("CheckPolicies(nil, nil) = %v", err)
	}
	for _, tc := range []struct {
		name             string
		upload, finalize *string
		which            string
	}{
		{"BadUpload", &bad, &ok, "upload"},
		{"BadFinalize", &ok, &bad, "finalize"},
		{"BothBadUploadFirst", &bad, &bad, "upload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := account.CheckPolicies(tc.upload, tc.finalize)
			var pe *account.PolicyError
			if !errors.As(err, &pe) || pe.Which != tc.which || !errors.Is(err, account.ErrInvalidPolicy) {
				t.Fatalf("CheckPolicies = %v, want a PolicyError of the %s policy", err, tc.which)
			}
		})
	}
}

func TestIPUseString(t *testing.T) {
	for u, want := range map[account.IPUse]string{
		{}:                               "none",
		{Clinical: true, Research: true}: "clinical,research",
	} {
		if got := u.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", u, got, want)
		}
		if back, err := account.ParseIPUse(want); want != "none" && (err != nil || back != u) {
			t.Errorf("ParseIPUse(%q) = %+v, %v; want %+v", want, back, err, u)
		}
	}
}
