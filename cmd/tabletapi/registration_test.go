package main_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// TestRegistrationSequence: the real client's registration (register,
// get_allowed_tables, get_extra_strings), then check_upload_user_and_device,
// end to end with the exact wire replies of PROTOCOL 6.
func TestRegistrationSequence(t *testing.T) {
	s := startServer(t, "--database-title", "Test DB")
	s.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	c := s.client("alice", "pw!-secret")
	ctx := context.Background()

	r, err := c.CheckDeviceRegistered(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:{session_id}\nsession_token:{session_token}\n")

	c.ResetSession()
	rs, err := c.RegisterSequence(ctx, "Ward 3 tablet")
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, rs.Register, http.StatusOK, "databaseTitle:Test DB\nidPolicyUpload:sex AND anyidnum\nidPolicyFinalize:sex AND anyidnum\n"+
		"serverCamcopsVersion:2.4.24\nidDescription1:NHS number\nidShortDescription1:NHS\nidValidationMethod1:uk_nhs_number\n"+
		"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
	wantReply(t, rs.AllowedTables, http.StatusOK, allowedTablesReply(registry.Default())+
		"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
	wantReply(t, rs.ExtraStrings, http.StatusOK, "nfields:4\nfields:task,name,language,value\nnrecords:0\n"+
		"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
	// One sequence, one session: bcrypt once.
	if rs.Register.Values["session_id"] != rs.ExtraStrings.Values["session_id"] {
		t.Fatalf("sequence used several sessions: %s, %s", rs.Register.Values["session_id"], rs.ExtraStrings.Values["session_id"])
	}
	if n := s.count(t, "devices", "name = ? AND friendly_name = 'Ward 3 tablet' AND camcops_version = '2.4.24'", c.Device()); n != 1 {
		t.Fatalf("device rows = %d, want 1", n)
	}
	if n := s.count(t, "audit_log", "details LIKE 'register, device_id=%, friendly_name=Ward 3 tablet'"); n != 1 {
		t.Fatalf("registration audit rows = %d, want 1", n)
	}

	r, err = c.CheckUploadUserAndDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "result:check_upload_user_and_device\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
}

// allowedTablesReply is the SELECT block of get_allowed_tables for reg
// (PROTOCOL 6.5): every table by name, with its minimum client version.
func allowedTablesReply(reg *registry.Registry) string {
	var b strings.Builder
	names := reg.Names()
	fmt.Fprintf(&b, "nfields:2\nfields:tablename,min_client_version\nnrecords:%d\n", len(names))
	for i, n := range names {
		t, _ := reg.Table(n)
		fmt.Fprintf(&b, "record%d:'%s','%s'\n", i, n, t.MinVersion)
	}
	return b.String()
}
