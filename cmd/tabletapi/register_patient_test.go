package main_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/testclient"
)

// The tests in this file drive register_patient (PROTOCOL 6.3) and the
// restricted user it makes (6.10) through the wire.

// generatedPasswordRE is a password of PROTOCOL 6.3 step 6.
var generatedPasswordRE = regexp.MustCompile("\\A[A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]{32}\\z")

// Ann's patient_info as register_patient sends it.
const annInfo = `[{"surname": "Smith", "forename": "Ann", "sex": "F", "dob": "1980-02-29", "email": "ann@example.org", ` +
	`"address": null, "gp": null, "other": null, "idnum1": 9434765919, "idnum2": 42}]`

// singlePatientServer is a server with group clinic (IP use clinical and
// research), ID types 1 (NHS) and 2 (Study), and server patient Ann.
type singlePatientServer struct {
	*testServer
	key string // Ann's access key
	pk  int64  // Ann's patient _pk
}

func startSinglePatientServer(t *testing.T, flags ...string) *singlePatientServer {
	t.Helper()
	s := &singlePatientServer{testServer: startServer(t, flags...)}
	s.mustAdmin(t, "", "group", "add", "clinic", "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND idnum1",
		"--ip-use", "clinical,research")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	s.mustAdmin(t, "", "idnum", "add", "2", "--description", "Study number", "--short-description", "Study")
	s.key, s.pk = s.addPatient(t, "Ann", "--idnum", "2=42", "--email", "ann@example.org")
	return s
}

// addPatient adds a server patient of group clinic and returns its key
// and _pk.
func (s *singlePatientServer) addPatient(t *testing.T, forename string, extra ...string) (string, int64) {
	t.Helper()
	args := append([]string{"patient", "add", "--group", "clinic", "--sex", "F", "--forename", forename, "--surname", "Smith",
		"--dob", "1980-02-29", "--idnum", "1=9434765919"}, extra...)
	key := strings.TrimSuffix(s.mustAdmin(t, "", args...), "\n")
	id, err := patient.ParseAccessKey(key)
	if err != nil {
		t.Fatalf("patient add printed %q: %v", key, err)
	}
	return key, queryInt(t, s.testServer, "SELECT _pk FROM patient WHERE uuid = ?", patient.FormatUUID(id))
}

// registerPatient sends register_patient with key from a new device, with
// no user, and returns the reply.
func (s *singlePatientServer) registerPatient(t *testing.T, device, key string) *testclient.Reply {
	t.Helper()
	c := testclient.New(testclient.Config{URL: s.API, Device: device})
	return mustDo(t, c, "register_patient", map[string]string{"patient_proquint": key})
}

// wantRegistered fails unless r is register_patient's success for Ann on
// device, and returns the password.
func (s *singlePatientServer) wantRegistered(t *testing.T, r *testclient.Reply, device string) string {
	t.Helper()
	pw := r.Values["password"]
	if !generatedPasswordRE.MatchString(pw) {
		t.Fatalf("password %q is not 32 characters of PROTOCOL 6.3; reply:\n%s", pw, r.Body)
	}
	wantReply(t, r, http.StatusOK, "patient_info:"+annInfo+"\n"+
		fmt.Sprintf("user:user-%s-%d\n", device, s.pk)+
		"password:"+pw+"\n"+
		`ip_use_info:{"ip_use_commercial": 0, "ip_use_clinical": 1, "ip_use_educational": 0, "ip_use_research": 1}`+"\n"+
		"success:1\nsession_id:\nsession_token:\n")
	return pw
}

// noPatient is the reply to a key that finds no patient: the key echoed as
// sent, with a backslash escaped as every error value's is (PROTOCOL 1.3).
func noPatient(key string) string {
	key = strings.ReplaceAll(key, `\`, `\\`)
	return anonFailureReply("There is no patient with access key '" + key + "'. Have you entered the key correctly?")
}

func TestRegisterPatient(t *testing.T) {
	t.Parallel()
	s := startSinglePatientServer(t)
	device := testclient.NewDeviceID()
	user := fmt.Sprintf("user-%s-%d", device, s.pk)
	pw := s.wantRegistered(t, s.registerPatient(t, device, s.key), device)

	t.Run("Stored", func(t *testing.T) {
		clinic := groupID(t, s.testServer, "clinic")
		if n := s.count(t, "users", "username = ? AND upload_group_id = ? AND auto_generated AND NOT superuser AND single_patient_pk = ?",
			user, clinic, s.pk); n != 1 {
			t.Errorf("%d users %s with the patient's group and pk, want 1", n, user)
		}
		id := lookupUserID(t, s.testServer, user)
		if n := s.count(t, "memberships", "user_id = ?", id); n != 1 {
			t.Errorf("%d memberships, want 1", n)
		}
		if n := s.count(t, "memberships", "user_id = ? AND group_id = ? AND may_upload AND may_register_devices", id, clinic); n != 1 {
			t.Errorf("no membership in clinic with both rights")
		}
		if n := s.count(t, "audit_log", "details = ? AND user_id = ? AND remote_addr = '127.0.0.1'",
			fmt.Sprintf("register_patient, patient_pk=%d, user=%s", s.pk, user), id); n != 1 {
			t.Errorf("%d audit rows of the registration, want 1", n)
		}
	})

	// The client then registers and uploads with the new credentials
	// (PROTOCOL 12.2).
	c := clientOn(s.testServer, device, user, pw)
	r := mustDo(t, c, "register", map[string]string{"devicefriendlyname": "Ann's tablet"})
	if !r.Success() {
		t.Fatalf("register with the new user:\n%s", r.Body)
	}
	r = mustDo(t, c, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))

	t.Run("Again", func(t *testing.T) {
		pw2 := s.wantRegistered(t, s.registerPatient(t, device, s.key), device)
		if pw2 == pw {
			t.Fatal("the second registration kept the password")
		}
		if n := s.count(t, "users", "username = ?", user); n != 1 {
			t.Errorf("%d users %s, want 1", n, user)
		}
		// The session begun with the old password has ended too.
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
		r = mustDo(t, clientOn(s.testServer, device, user, pw2), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		c.SetCredentials(user, pw2)
	})

	t.Run("ErrNoPatient", func(t *testing.T) {
		upper := strings.ToUpper(s.key)
		wrongCheck := s.key[:len(s.key)-1] + map[bool]string{true: "d", false: "b"}[strings.HasSuffix(s.key, "b")]
		for _, key := range []string{
			patient.AccessKey([16]byte{0xc3, 0xe8, 0x15, 0xde}), // well formed, nobody's
			"sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v", // PROTOCOL 6.3's example
			upper, wrongCheck, " " + s.key, s.key + "-", strings.ReplaceAll(s.key, "-", ""),
			"not a key", "a'b\"c\\d",
		} {
			r := s.registerPatient(t, device, key)
			wantReply(t, r, http.StatusOK, noPatient(key))
		}
		// Without a device, the key is still checked first (steps 2–5).
		r := s.registerPatient(t, "", "sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v")
		wantReply(t, r, http.StatusOK, noPatient("sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v"))
	})
	t.Run("ErrMissingKey", func(t *testing.T) {
		for _, key := range []string{"", "  "} {
			r := s.registerPatient(t, device, key)
			wantReply(t, r, http.StatusOK, anonFailureReply("Must provide the variable: patient_proquint"))
		}
		r := mustDo(t, testclient.New(testclient.Config{URL: s.API, Device: device}), "register_patient", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply("Must provide the variable: patient_proquint"))
	})
	t.Run("ErrMissingDevice", func(t *testing.T) {
		r := s.registerPatient(t, "", s.key)
		wantReply(t, r, http.StatusOK, anonFailureReply("Must provide the variable: device"))
	})
	t.Run("ErrNoIDNumbers", func(t *testing.T) {
		key, pk := s.addPatient(t, "Bob")
		mustExec(t, s.testServer, `UPDATE patient_idnum SET _current = FALSE WHERE _device_id = (SELECT id FROM devices WHERE name = 'server')
  AND patient_id = (SELECT id FROM patient WHERE _pk = ?)`, pk)
		for _, dev := range []string{device, ""} { // step 4 comes before step 5
			r := s.registerPatient(t, dev, key)
			wantReply(t, r, http.StatusServiceUnavailable, anonFailureReply("Patient has no ID numbers"))
		}
		if n := s.count(t, "users", "single_patient_pk = ?", pk); n != 0 {
			t.Errorf("%d users made for a patient without ID numbers", n)
		}
	})
	t.Run("Restricted", func(t *testing.T) {
		s.wantRestricted(t, c, user)
	})
	// The key and the password never reach the log; the key's first word
	// may.
	wantNoSecrets(t, s.testServer, s.key, pw)
	if !strings.Contains(s.Log.String(), "key_prefix="+patient.KeyPrefix(s.key)) {
		t.Errorf("the log does not name the key by its first word")
	}
}

// wantRestricted checks validate_patients for Ann's restricted user (on
// client c, whose device is registered): Ann passes, anyone else is refused
// with the server's Ann, and with no patient of its own nobody passes
// (PROTOCOL 6.10).
func (s *singlePatientServer) wantRestricted(t *testing.T, c *testclient.Client, user string) {
	t.Helper()
	const ann = `{"dob":"1980-02-29","email":"ann@example.org","finalizing":true,"forename":"Ann","idnum1":9434765919,"idnum2":42,"sex":"F","surname":"Smith"}`
	r := mustDo(t, c, "validate_patients", map[string]string{"patient_info": "[" + ann + "]"})
	wantReply(t, r, http.StatusOK, successReply("Success"))
	// Null and "" are equal, and ID numbers compare as a set.
	const annAgain = `{"address":"","dob":"1980-02-29","email":"ann@example.org","finalizing":false,"forename":"Ann","gp":null,"idnum2":42,"idnum1":9434765919,"sex":"F","surname":"Smith"}`
	r = mustDo(t, c, "validate_patients", map[string]string{"patient_info": "[" + annAgain + "]"})
	wantReply(t, r, http.StatusOK, successReply("Success"))

	const serverAnn = "Patient(forename='Ann', surname='Smith', sex='F', DOB=1980-02-29, address=None, email='ann@example.org', gp=None, otherdetails=None, idnums=[idnum1=9434765919, idnum2=42])"
	const bob = `{"dob":"1980-02-29","finalizing":false,"forename":"Bob","idnum1":9434765919,"sex":"F","surname":"Smith"}`
	const bobText = "Patient(forename='Bob', surname='Smith', sex='F', DOB=1980-02-29, address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9434765919])"
	r = mustDo(t, c, "validate_patients", map[string]string{"patient_info": "[" + ann + "," + bob + "]"})
	wantReply(t, r, http.StatusOK, failureReply("Invalid patient: "+bobText+" -> Should be "+serverAnn))

	mustExec(t, s.testServer, "UPDATE users SET single_patient_pk = ? WHERE username = ?", -1, user)
	r = mustDo(t, c, "validate_patients", map[string]string{"patient_info": "[" + ann + "]"})
	wantReply(t, r, http.StatusOK, failureReply("Invalid patient: "+serverAnn+" -> Restricted user "+user+" does not have associated patient details"))
}

// TestRegisterPatientRace: two register_patient calls for one patient and
// device at once both succeed, and leave one user with one membership and
// the password of one of them.
func TestRegisterPatientRace(t *testing.T) {
	t.Parallel()
	s := startSinglePatientServer(t)
	device := testclient.NewDeviceID()
	user := fmt.Sprintf("user-%s-%d", device, s.pk)
	for round := range 3 {
		var wg sync.WaitGroup
		replies := make([]*testclient.Reply, 2)
		for i := range replies {
			wg.Go(func() {
				c := testclient.New(testclient.Config{URL: s.API, Device: device})
				r, err := c.Do(context.Background(), "register_patient", map[string]string{"patient_proquint": s.key})
				if err != nil {
					t.Error(err)
				}
				replies[i] = r
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		var pws []string
		for _, r := range replies {
			pws = append(pws, s.wantRegistered(t, r, device))
		}
		if n := s.count(t, "users", "username = ?", user); n != 1 {
			t.Fatalf("round %d: %d users %s, want 1", round, n, user)
		}
		if n := s.count(t, "memberships", "user_id = ?", lookupUserID(t, s.testServer, user)); n != 1 {
			t.Fatalf("round %d: %d memberships, want 1", round, n)
		}
		ok := 0
		for _, pw := range pws {
			if mustDo(t, clientOn(s.testServer, device, user, pw), "register", nil).Success() {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of the two passwords log in, want 1", round, ok)
		}
	}
}

// TestRegisterPatientThrottle: keys that find no patient take tokens from
// the client IP's bucket of failed logins, and an empty bucket refuses
// keys and passwords alike (PROTOCOL 4.4).
func TestRegisterPatientThrottle(t *testing.T) {
	t.Parallel()
	s := startSinglePatientServer(t, "--login-throttle-burst", "3", "--login-throttle-refill", "1h")
	s.addUser(t, "clinic", "carol", "Carol-Secret-3141", "--may-upload", "--may-register-devices")
	device := testclient.NewDeviceID()
	bad := []string{"guess-one", patient.AccessKey([16]byte{9}), strings.ToUpper(s.key)}
	for _, key := range bad {
		wantReply(t, s.registerPatient(t, device, key), http.StatusOK, noPatient(key))
	}
	// The bucket is empty: the right key is refused without a look-up, and
	// so is the right password.
	wantReply(t, s.registerPatient(t, device, s.key), http.StatusOK, anonFailureReply(msgThrottled))
	r := mustDo(t, s.client("carol", "Carol-Secret-3141"), "get_allowed_tables", nil)
	wantReply(t, r, http.StatusOK, anonFailureReply(msgThrottled))
	if n := s.count(t, "users", "username LIKE 'user-%'"); n != 0 {
		t.Errorf("%d users made while throttled", n)
	}

	t.Run("PasswordsFeedIt", func(t *testing.T) {
		s := startSinglePatientServer(t, "--login-throttle-burst", "2", "--login-throttle-refill", "1h")
		for range 2 {
			r := mustDo(t, s.client("nobody", "Wrong-Secret-2718"), "get_allowed_tables", nil)
			wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
		}
		wantReply(t, s.registerPatient(t, device, s.key), http.StatusOK, anonFailureReply(msgThrottled))
	})

	// get_task_schedules finds its patient by the same look-up (6.7), so
	// its failed keys drain the same bucket.
	t.Run("TaskSchedulesFeedIt", func(t *testing.T) {
		s := startSinglePatientServer(t, "--login-throttle-burst", "2", "--login-throttle-refill", "1h")
		s.addUser(t, "clinic", "carol", "Carol-Secret-3141", "--may-register-devices")
		carol := s.client("carol", "Carol-Secret-3141")
		for _, key := range []string{"guess-one", patient.AccessKey([16]byte{9})} {
			r := mustDo(t, carol, "get_task_schedules", map[string]string{"patient_proquint": key})
			if want := "There is no patient with access key '" + key + "'. Have you entered the key correctly?"; r.Success() || r.Error() != want {
				t.Fatalf("get_task_schedules with %q: %d %q, want the no-patient refusal", key, r.Status, r.Body)
			}
		}
		wantReply(t, s.registerPatient(t, device, s.key), http.StatusOK, anonFailureReply(msgThrottled))
	})
}
