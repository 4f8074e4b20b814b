package main_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// End-to-end tests of permissions and their check order (PROTOCOL 2.3, 5)
// and of the operations that only check them (6.2, 6.4, 6.8, 6.9).

const (
	msgNoRegister   = "User not authorized to register devices for selected group"
	msgNoUpload     = "User not authorized to upload to selected group"
	msgUnregistered = "Unregistered device"
)

// postForm posts form as it stands (no common parameters added) through
// c and fails the test on a transport error.
func postForm(tb testing.TB, c *testclient.Client, form map[string]string) *testclient.Reply {
	tb.Helper()
	r, err := c.Post(context.Background(), testclient.FormContentType, []byte(testclient.EncodeForm(form)))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// TestPermissionNoUploadGroup: a user without an upload group fails every
// REGISTRATION and UPLOAD operation with the no-group message, before the
// right and device checks; superusers too (PROTOCOL 5.1, 5.3 step 2).
func TestPermissionNoUploadGroup(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Nog-Secret-4004"
	s.addUser(t, "permnog", "reg", pw, "--may-upload", "--may-register-devices")
	s.addUser(t, "permnog", "nog", pw, "--may-upload", "--may-register-devices")
	s.addUser(t, "permnog", "nogsu", pw, "--superuser")
	s.addUser(t, "permnog", "nognr", pw) // no rights either
	device := registeredClient(t, s, "reg", pw).Device()
	for _, u := range []string{"nog", "nogsu", "nognr"} {
		mustExec(t, s, "UPDATE users SET upload_group_id = NULL WHERE username = ?", u)
	}

	for _, user := range []string{"nog", "nogsu", "nognr"} {
		ops := []string{"register", "check_upload_user_and_device"}
		if user == "nog" {
			ops = append(ops, "get_allowed_tables", "get_extra_strings", "get_task_schedules", "get_id_info")
		}
		for _, op := range ops {
			// On a registered device, and on a new one, where the device
			// check would fail too.
			for _, dev := range []string{device, testclient.NewDeviceID()} {
				r := mustDo(t, clientOn(s, dev, user, pw), op, nil)
				wantReply(t, r, http.StatusOK, failureReply("No upload group set for user "+user))
			}
		}
		// ANYONE operations skip the checks.
		r := mustDo(t, clientOn(s, device, user, pw), "check_device_registered", nil)
		wantReply(t, r, http.StatusOK, successReply("check_device_registered"))
	}
	if n := s.count(t, "devices", "1 = 1"); n != 2 {
		t.Fatalf("devices = %d, want 2 (server and the registered one)", n)
	}
	wantNoSecrets(t, s, pw)
}

// TestPermissionRights: the class rights and the device check, each with
// its exact message, in the order of PROTOCOL 5.3.
func TestPermissionRights(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Perm-Secret-7337"
	s.addUser(t, "permgrp", "up", pw, "--may-upload")
	s.addUser(t, "permgrp", "rd", pw, "--may-register-devices")
	s.addUser(t, "permgrp", "both", pw, "--may-upload", "--may-register-devices")
	s.addUser(t, "permgrp", "su", pw, "--superuser")
	s.addUser(t, "permgrp", "none", pw)
	registered := registeredClient(t, s, "both", pw).Device()

	t.Run("RegistrationWithoutRight", func(t *testing.T) {
		for _, user := range []string{"up", "none"} {
			dev := testclient.NewDeviceID()
			for _, op := range []string{"register", "get_allowed_tables", "get_extra_strings", "get_task_schedules"} {
				r := mustDo(t, clientOn(s, dev, user, pw), op, map[string]string{"devicefriendlyname": "x"})
				wantReply(t, r, http.StatusOK, failureReply(msgNoRegister))
			}
			if n := s.count(t, "devices", "name = ?", dev); n != 0 {
				t.Fatalf("%s registered a device without the right", user)
			}
		}
	})

	t.Run("UploadWithoutRight", func(t *testing.T) {
		for _, user := range []string{"rd", "none"} {
			// The missing right wins over the unregistered device.
			for _, dev := range []string{testclient.NewDeviceID(), registered} {
				r := mustDo(t, clientOn(s, dev, user, pw), "check_upload_user_and_device", nil)
				wantReply(t, r, http.StatusOK, failureReply(msgNoUpload))
			}
		}
		r := mustDo(t, clientOn(s, registered, "rd", pw), "get_id_info", nil)
		wantReply(t, r, http.StatusOK, failureReply(msgNoUpload))
		// rd may register a device, and still not upload from it.
		c := registeredClient(t, s, "rd", pw)
		r = mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, failureReply(msgNoUpload))
	})

	t.Run("UnregisteredDevice", func(t *testing.T) {
		for _, user := range []string{"both", "up", "su"} {
			r := mustDo(t, s.client(user, pw), "check_upload_user_and_device", nil)
			wantReply(t, r, http.StatusOK, failureReply(msgUnregistered))
		}
		r := mustDo(t, s.client("both", pw), "get_id_info", nil)
		wantReply(t, r, http.StatusOK, failureReply(msgUnregistered))
		// A missing device counts as unregistered.
		for _, op := range []string{"check_upload_user_and_device", "get_id_info"} {
			r = postForm(t, s.client("", ""), map[string]string{
				"operation": op, "camcops_version": "2.4.24", "user": "both", "password": pw,
			})
			wantReply(t, r, http.StatusOK, failureReply(msgUnregistered))
		}
	})

	t.Run("Registered", func(t *testing.T) {
		for _, user := range []string{"both", "up", "su"} {
			c := clientOn(s, registered, user, pw)
			r := mustDo(t, c, "check_upload_user_and_device", nil)
			wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
			id, token := sessionOf(t, r)
			r = mustDo(t, c, "get_id_info", nil)
			wantReply(t, r, http.StatusOK, idInfoBlock+"success:1\nsession_id:"+id+"\nsession_token:"+token+"\n")
		}
	})

	t.Run("SuperuserRegisters", func(t *testing.T) {
		c := s.client("su", pw)
		rs, err := c.RegisterSequence(t.Context(), "su tablet")
		if err != nil {
			t.Fatal(err)
		}
		wantReply(t, rs.Register, http.StatusOK, idInfoBlock+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		if !rs.AllowedTables.Success() || !rs.ExtraStrings.Success() {
			t.Fatalf("superuser registration sequence failed:\n%s\n%s", rs.AllowedTables.Body, rs.ExtraStrings.Body)
		}
		if n := s.count(t, "devices", "name = ? AND registered_by_user_id = ?", c.Device(), lookupUserID(t, s, "su")); n != 1 {
			t.Fatalf("superuser's device not registered")
		}
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
	})
	wantNoSecrets(t, s, pw)
}

// TestPermissionOtherGroupMembership: rights in a group other than the
// upload group do not count (PROTOCOL 5.1).
func TestPermissionOtherGroupMembership(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Olga-Secret-1661"
	s.addUser(t, "permhome", "reg", pw, "--may-upload", "--may-register-devices")
	s.addUser(t, "permhome", "olga", pw) // no rights in her upload group
	s.mustAdmin(t, "", "group", "add", "permaway", "--upload-policy", "sex AND idnum1", "--finalize-policy", "sex AND idnum1")
	device := registeredClient(t, s, "reg", pw).Device()
	olga, away := lookupUserID(t, s, "olga"), groupID(t, s, "permaway")
	mustExec(t, s, "INSERT INTO memberships (user_id, group_id, may_upload, may_register_devices) VALUES (?, ?, ?, ?)",
		olga, away, true, true)

	r := mustDo(t, s.client("olga", pw), "register", map[string]string{"devicefriendlyname": "x"})
	wantReply(t, r, http.StatusOK, failureReply(msgNoRegister))
	r = mustDo(t, clientOn(s, device, "olga", pw), "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, failureReply(msgNoUpload))

	// With that group as her upload group, the same membership counts.
	mustExec(t, s, "UPDATE users SET upload_group_id = ? WHERE id = ?", away, olga)
	c := clientOn(s, device, "olga", pw)
	r = mustDo(t, c, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
	r = mustDo(t, c, "get_id_info", nil)
	wantReply(t, r, http.StatusOK, "databaseTitle:\nidPolicyUpload:sex AND idnum1\nidPolicyFinalize:sex AND idnum1\nserverCamcopsVersion:2.4.24\n"+
		"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
}

// TestPermissionDispatchFirst: an unknown or missing operation is answered
// before any permission check, whoever asks (PROTOCOL 2.3).
func TestPermissionDispatchFirst(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Dora-Secret-2552"
	s.addUser(t, "permdisp", "dora", pw, "--may-upload", "--may-register-devices")
	s.addUser(t, "permdisp", "nora", pw) // no rights
	s.addUser(t, "permdisp", "lotte", pw, "--may-upload", "--may-register-devices")
	mustExec(t, s, "UPDATE users SET upload_group_id = NULL WHERE username = 'nora'")
	mustExec(t, s, "INSERT INTO lockouts (username, locked_until_utc) VALUES (?, ?)", "lotte", time.Now().UTC().Add(time.Hour))

	for _, tc := range []struct{ op, msg string }{
		{"frobnicate", "operation=frobnicate: not supported"},
		{"", "operation=None: not supported"},
	} {
		// Anonymous, and with a login refused by a lockout: no session.
		for _, c := range []*testclient.Client{s.client("", ""), s.client("lotte", pw)} {
			r := mustDo(t, c, tc.op, nil)
			wantReply(t, r, http.StatusOK, anonFailureReply(tc.msg))
		}
		// Logged in, with or without rights: the session is kept.
		for _, user := range []string{"dora", "nora"} {
			r := mustDo(t, s.client(user, pw), tc.op, nil)
			wantReply(t, r, http.StatusOK, failureReply(tc.msg))
		}
	}
	// The operation parameter absent altogether.
	r := postForm(t, s.client("", ""), map[string]string{"camcops_version": "2.4.24", "user": "dora", "password": pw})
	wantReply(t, r, http.StatusOK, failureReply("operation=None: not supported"))

	t.Run("BadLogin", func(t *testing.T) {
		for _, c := range []*testclient.Client{s.client("dora", "Wrong-Secret-0601"), s.client("nobody", pw)} {
			r := mustDo(t, c, "frobnicate", nil)
			wantReply(t, r, http.StatusOK, anonFailureReply("operation=frobnicate: not supported"))
			r = mustDo(t, c, "", nil)
			wantReply(t, r, http.StatusOK, anonFailureReply("operation=None: not supported"))
		}
	})
	wantNoSecrets(t, s, pw, "Wrong-Secret-0601")
}

// TestPermissionCheckOrderLogin: a failed login wins over every other check
// (PROTOCOL 5.3 step 1).
func TestPermissionCheckOrderLogin(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Nils-Secret-8338"
	s.addUser(t, "permorder", "nils", pw)
	mustExec(t, s, "UPDATE users SET upload_group_id = NULL WHERE username = 'nils'")
	for _, op := range []string{"register", "get_allowed_tables", "check_upload_user_and_device", "get_id_info"} {
		r := mustDo(t, s.client("nils", "Wrong-Secret-0701"), op, nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
		r = mustDo(t, s.client("", ""), op, nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
	}
}

// TestPermissionRightsReread: rights are read on every request; a session
// carries identity only (PROTOCOL 5.1).
func TestPermissionRightsReread(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Rene-Secret-3113"
	c := s.addUploader(t, "permreread", "rene", pw)
	rene := lookupUserID(t, s, "rene")
	r := mustDo(t, c, "check_upload_user_and_device", nil)
	id, token := sessionOf(t, r)
	sess := sessionParams(id, token)
	// do sends op with the session (the client drops it after a failure,
	// the server does not).
	do := func(op, want string) {
		t.Helper()
		r := mustDo(t, c, op, sess)
		wantReply(t, r, http.StatusOK, want)
		if r.Values["session_id"] != id || r.Values["session_token"] != token {
			t.Fatalf("%s: session %s not reused:\n%s", op, id, r.Body)
		}
	}
	sessionFailure := func(msg string) string {
		return "success:0\nerror:" + msg + "\nsession_id:" + id + "\nsession_token:" + token + "\n"
	}

	mustExec(t, s, "UPDATE memberships SET may_upload = ? WHERE user_id = ?", false, rene)
	do("check_upload_user_and_device", sessionFailure(msgNoUpload))
	do("get_id_info", sessionFailure(msgNoUpload))
	mustExec(t, s, "UPDATE memberships SET may_upload = ? WHERE user_id = ?", true, rene)
	do("check_upload_user_and_device", successReplyIn("check_upload_user_and_device", id, token))

	mustExec(t, s, "UPDATE memberships SET may_register_devices = ? WHERE user_id = ?", false, rene)
	do("register", sessionFailure(msgNoRegister))
	mustExec(t, s, "UPDATE users SET superuser = ? WHERE id = ?", true, rene)
	do("register", idInfoBlock+"success:1\nsession_id:"+id+"\nsession_token:"+token+"\n")

	group := groupID(t, s, "permreread")
	mustExec(t, s, "UPDATE users SET upload_group_id = NULL WHERE id = ?", rene)
	do("check_upload_user_and_device", sessionFailure("No upload group set for user rene"))
	mustExec(t, s, "UPDATE users SET upload_group_id = ? WHERE id = ?", group, rene)
	do("check_upload_user_and_device", successReplyIn("check_upload_user_and_device", id, token))

	mustExec(t, s, "DELETE FROM devices WHERE name = ?", c.Device())
	do("check_upload_user_and_device", sessionFailure(msgUnregistered))

	if n := s.count(t, "audit_log", "details = 'Login as user: rene'"); n != 2 {
		t.Fatalf("logins of rene = %d, want 2 (registration and this session)", n)
	}
	wantNoSecrets(t, s, pw, token)
}

// TestPermissionRegister: register needs a device, and re-registration by
// another registrar keeps the device's id (PROTOCOL 6.4).
func TestPermissionRegister(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Reg-Secret-9449"
	s.addUser(t, "permreg", "alma", pw, "--may-register-devices")
	s.addUser(t, "permreg", "berit", pw, "--may-register-devices")

	t.Run("NoDevice", func(t *testing.T) {
		before := s.count(t, "devices", "1 = 1")
		r := postForm(t, s.client("", ""), map[string]string{
			"operation": "register", "camcops_version": "2.4.24", "user": "alma", "password": pw, "devicefriendlyname": "x",
		})
		wantReply(t, r, http.StatusOK, failureReply("Must provide the variable: device"))
		r = mustDo(t, s.client("alma", pw), "register", map[string]string{"device": "", "devicefriendlyname": "x"})
		wantReply(t, r, http.StatusOK, failureReply("Must provide the variable: device"))
		if n := s.count(t, "devices", "1 = 1"); n != before {
			t.Fatalf("devices = %d, want %d", n, before)
		}
		if n := s.count(t, "audit_log", "details LIKE 'register%'"); n != 0 {
			t.Fatalf("registration audit rows = %d, want 0", n)
		}
	})

	t.Run("SecondRegistrar", func(t *testing.T) {
		a := s.client("alma", pw)
		r := mustDo(t, a, "register", map[string]string{"devicefriendlyname": "Ward A"})
		wantReply(t, r, http.StatusOK, idInfoBlock+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		var id int64
		if err := s.DB.NewSelect().Table("devices").Column("id").Where("name = ?", a.Device()).Scan(t.Context(), &id); err != nil {
			t.Fatal(err)
		}
		if n := s.count(t, "devices", "id = ? AND registered_by_user_id = ? AND friendly_name = 'Ward A'", id, lookupUserID(t, s, "alma")); n != 1 {
			t.Fatalf("device %d not registered by alma", id)
		}

		b := clientOn(s, a.Device(), "berit", pw)
		r = mustDo(t, b, "register", map[string]string{"devicefriendlyname": "Ward B"})
		wantReply(t, r, http.StatusOK, idInfoBlock+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		if n := s.count(t, "devices", "name = ?", a.Device()); n != 1 {
			t.Fatalf("device rows = %d, want 1", n)
		}
		if n := s.count(t, "devices", "id = ? AND registered_by_user_id = ? AND friendly_name = 'Ward B'", id, lookupUserID(t, s, "berit")); n != 1 {
			t.Fatalf("device %d: registered_by_user_id not berit or id changed", id)
		}
		for _, name := range []string{"Ward A", "Ward B"} {
			if n := s.count(t, "audit_log", "details = ?", "register, device_id="+strconv.FormatInt(id, 10)+", friendly_name="+name); n != 1 {
				t.Fatalf("audit of registration %q = %d rows, want 1", name, n)
			}
		}
	})
	wantNoSecrets(t, s, pw)
}

// TestPermissionGetIDInfo: get_id_info returns the server ID info block,
// ID numbers in ascending order, NULLs as "" (PROTOCOL 6.1, 6.9).
func TestPermissionGetIDInfo(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--database-title", "Perm DB")
	const pw = "Ivy-Secret-5665"
	s.mustAdmin(t, "", "idnum", "add", "3", "--description", "Hospital number", "--short-description", "HN")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	s.addUser(t, "permid", "ivy", pw, "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "group", "add", "permnopolicy")
	s.addUser(t, "permnopolicy", "ida", pw, "--may-upload", "--may-register-devices")
	const idnums = "idDescription1:NHS number\nidShortDescription1:NHS\nidValidationMethod1:uk_nhs_number\n" +
		"idDescription3:Hospital number\nidShortDescription3:HN\nidValidationMethod3:\n"

	for _, tc := range []struct{ user, policies string }{
		{"ivy", "idPolicyUpload:sex AND anyidnum\nidPolicyFinalize:sex AND anyidnum\n"},
		{"ida", "idPolicyUpload:\nidPolicyFinalize:\n"},
	} {
		want := "databaseTitle:Perm DB\n" + tc.policies + "serverCamcopsVersion:2.4.24\n" + idnums +
			"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n"
		c := s.client(tc.user, pw)
		r := mustDo(t, c, "register", map[string]string{"devicefriendlyname": ""})
		wantReply(t, r, http.StatusOK, want)
		r = mustDo(t, c, "get_id_info", nil)
		wantReply(t, r, http.StatusOK, want)
	}
	if n := s.count(t, "devices", "friendly_name IS NULL AND name <> 'server'"); n != 2 {
		t.Fatalf("devices with NULL friendly_name = %d, want 2 (blank devicefriendlyname)", n)
	}
}

// TestPermissionCheckDeviceRegisteredWrongPassword: check_device_registered
// answers despite a wrong password, and the failure still counts (PROTOCOL
// 6.2).
func TestPermissionCheckDeviceRegisteredWrongPassword(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Cara-Secret-7007"
	s.addUser(t, "permcdr", "cara", pw, "--may-register-devices")
	device := registeredClient(t, s, "cara", pw).Device()
	r := mustDo(t, clientOn(s, device, "cara", "Wrong-Secret-0801"), "check_device_registered", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))
	r = mustDo(t, s.client("cara", "Wrong-Secret-0801"), "check_device_registered", nil)
	wantReply(t, r, http.StatusOK, anonFailureReply(msgUnregistered))
	if n := s.count(t, "login_failures", "username = 'cara'"); n != 2 {
		t.Fatalf("failures of cara = %d, want 2", n)
	}
	if n := s.count(t, "audit_log", "details = 'Failed login as user: cara'"); n != 2 {
		t.Fatalf("failure audit rows = %d, want 2", n)
	}
	wantNoSecrets(t, s, pw, "Wrong-Secret-0801")
}
