package api

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/schema"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

// fuzzMaxBody is the body limit of the fuzzed handler, small enough for the
// fuzzer to reach the 413.
const fuzzMaxBody = 8192

// fuzzExampleBody is the example body of PROTOCOL 12.1.
const fuzzExampleBody = "camcops_version=2.4.24&device=%7B6b1c0f6e-2d55-4f0e-9a51-1f3c2b7d9e10%7D" +
	"&operation=check_device_registered&password=pw%21&user=alice"

// fuzzLog is the handler's log, shown when an input fails.
type fuzzLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *fuzzLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *fuzzLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// fuzzHandler builds the API as cmd/tabletapi/serve.go does (client tables
// synced from the default registry), on a fresh database with user alice (password "pw!", may upload and register
// devices) and one ID number definition.
func fuzzHandler(tb testing.TB) (http.Handler, *fuzzLog) {
	tb.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(dbtest.NewURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	hasher, err := password.NewHasher(4, 2, 10*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	accounts := account.NewStore(db, nil)
	policy := "sex AND anyidnum"
	if _, err := accounts.AddGroup(ctx, account.Group{Name: "g", UploadPolicy: &policy, FinalizePolicy: &policy}); err != nil {
		tb.Fatal(err)
	}
	hash, err := hasher.Hash(ctx, "pw!")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := accounts.AddUser(ctx, account.NewUser{
		Username: "alice", HashedPW: hash, GroupName: "g", MayUpload: true, MayRegisterDevices: true,
	}); err != nil {
		tb.Fatal(err)
	}
	if err := accounts.AddIDNum(ctx, account.IDNumDefinition{WhichIDNum: 1, Description: "NHS number", ShortDescription: "NHS"}); err != nil {
		tb.Fatal(err)
	}
	log := new(fuzzLog)
	logger := slog.New(slog.NewTextHandler(log, nil))
	sessions := websession.NewStore(db, websession.DefaultConfig(), nil)
	// Throttle and lockout high enough that logins keep happening however
	// many wrong passwords the fuzzer tries.
	auth := tabletsession.NewAuthenticator(db, sessions, hasher,
		tabletsession.NewThrottle(1<<30, time.Millisecond, nil),
		tabletsession.Config{LockoutThreshold: 1 << 30, LockoutIncrement: time.Minute},
		logger, nil)
	reg := registry.Default()
	if err := schema.SyncTables(ctx, db, reg); err != nil {
		tb.Fatal(err)
	}
	h := New(Config{MaxBodyBytes: fuzzMaxBody, MaxInflightBodyBytes: 4 * fuzzMaxBody, DatabaseTitle: "Fuzz"}, Deps{
		DB: db, Log: logger, Auth: auth, Registry: reg,
		Engine: upload.NewEngine(reg, 10*time.Minute),
	})
	// Register the example's device, so check_device_registered can succeed.
	rec := fuzzPost(h, "application/x-www-form-urlencoded",
		[]byte(strings.Replace(fuzzExampleBody, "operation=check_device_registered", "devicefriendlyname=Fuzz&operation=register", 1)))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "success:1\n") {
		tb.Fatalf("register: %d %q\n%s", rec.Code, rec.Body, log.take())
	}
	log.take()
	return h, log
}

func fuzzPost(h http.Handler, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api", bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// replyKeyRE is a key of the key:value format: no whitespace, no colon.
var replyKeyRE = regexp.MustCompile(`\A[^\s:]+\z`)

// tokenRE is a session token of PROTOCOL 3.2.
var tokenRE = regexp.MustCompile(`\A[A-Za-z0-9_-]{22}==\z`)

// checkEnvelope fails unless body is a key:value reply of PROTOCOL 1.3: the
// operation's keys then success:1, or success:0 and error, and always
// session_id and session_token last.
func checkEnvelope(t *testing.T, status int, header http.Header, body string) {
	t.Helper()
	if ct := header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if sc := header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("Set-Cookie = %q", sc)
	}
	if !strings.HasSuffix(body, "\n") || strings.Contains(body, "\r") {
		t.Fatalf("body does not end in LF or contains CR: %q", body)
	}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	keys := make([]string, len(lines))
	values := map[string]string{}
	for i, l := range lines {
		k, v, ok := strings.Cut(l, ":")
		if !ok || !replyKeyRE.MatchString(k) {
			t.Fatalf("line %d is not key:value: %q in\n%s", i, l, body)
		}
		if _, dup := values[k]; dup {
			t.Fatalf("key %q repeated in\n%s", k, body)
		}
		keys[i], values[k] = k, v
	}
	n := len(keys)
	if n < 3 || keys[n-2] != "session_id" || keys[n-1] != "session_token" {
		t.Fatalf("reply does not end with session_id, session_token:\n%s", body)
	}
	id, token := values["session_id"], values["session_token"]
	switch {
	case id == "" && token == "":
	case regexp.MustCompile(`\A[1-9][0-9]*\z`).MatchString(id) && tokenRE.MatchString(token):
	default:
		t.Fatalf("bad session keys %q, %q in\n%s", id, token, body)
	}
	switch lines[n-3] {
	case "success:1":
		if status != http.StatusOK {
			t.Fatalf("success:1 with status %d", status)
		}
		if _, ok := values["error"]; ok {
			t.Fatalf("success:1 with an error key:\n%s", body)
		}
	default:
		if n != 4 || lines[0] != "success:0" || keys[1] != "error" || values["error"] == "" {
			t.Fatalf("failure reply is not success:0, error, session_id, session_token:\n%s", body)
		}
	}
}

// FuzzTabletRequest posts arbitrary bodies to the in-process API: it must
// never panic, and every reply is the plain 400, a 413, or a well-formed
// key:value reply with status 200 or 503 (PROTOCOL 1.3, 1.5, 2.2).
func FuzzTabletRequest(f *testing.F) {
	h, log := fuzzHandler(f)
	const form = "application/x-www-form-urlencoded"
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for _, kv := range strings.Split(fuzzExampleBody, "&") {
		k, v, _ := strings.Cut(kv, "=")
		v = strings.NewReplacer("%7B", "{", "%7D", "}", "%21", "!").Replace(v)
		mw.WriteField(k, v)
	}
	mw.Close()
	swap := func(from, to string) string { return strings.Replace(fuzzExampleBody, from, to, 1) }
	op := func(name string, params map[string]string) string {
		v := url.Values{}
		for _, kv := range strings.Split(swap("check_device_registered", name), "&") {
			k, val, _ := strings.Cut(kv, "=")
			val, _ = url.QueryUnescape(val)
			v.Set(k, val)
		}
		for k, val := range params {
			v.Set(k, val)
		}
		return v.Encode()
	}
	for _, seed := range []struct{ ct, body string }{
		{form, fuzzExampleBody},
		{form + "; charset=UTF-8", fuzzExampleBody},
		{mw.FormDataContentType(), mp.String()},
		{form, swap("check_device_registered", "register") + "&devicefriendlyname=Ward+3"},
		{form, swap("check_device_registered", "get_allowed_tables")},
		{form, swap("check_device_registered", "get_extra_strings")},
		{form, swap("check_device_registered", "get_id_info")},
		{form, swap("check_device_registered", "check_upload_user_and_device")},
		{form, swap("check_device_registered", "upload_table") + "&table=x%0Ay&fields=id&nrecords=0&pkname=id"},
		{form, op("start_upload", nil)},
		{form, op("upload_empty_tables", map[string]string{"tables": "phq9,bmi"})},
		{form, op("upload_table", map[string]string{
			"table": "bmi", "pkname": "id", "nrecords": "1",
			"fields":  "id,_move_off_tablet,when_last_modified,when_created,firstexit_is_finish,firstexit_is_abort,when_firstexit,editing_time_s,patient_id,mass_kg,height_m,waist_cm,comment",
			"record0": "1,0,'2024-05-01T09:31:12.345+01:00','2024-05-01T09:30:00.000+01:00',1,0,'2024-05-01T09:31:12.300+01:00',72.5,1,70.2,1.75,NULL,'a\\nb'",
		})},
		{form, op("upload_table", map[string]string{
			"table": "patient", "pkname": "id", "nrecords": "1",
			"fields":  "id,_move_off_tablet,when_last_modified,forename,surname,sex,dob,email,address,gp,other",
			"record0": "1,0,'2024-05-01T09:29:00.000+01:00','Ann','Smith','F','1980-02-29',NULL,NULL,NULL,NULL",
		})},
		{form, op("upload_table", map[string]string{
			"table": "patient_idnum", "pkname": "id", "nrecords": "1",
			"fields": "id,_move_off_tablet,when_last_modified,patient_id,which_idnum,idnum_value", "record0": "1,0,'2024-05-01T09:29:00.000+01:00',1,1,9999999999",
		})},
		{form, op("delete_where_key_not", map[string]string{"table": "blobs", "pkname": "id", "pkvalues": "1"})},
		{form, op("which_keys_to_send", map[string]string{
			"table": "blobs", "pkname": "id", "pkvalues": "1,2", "datevalues": "2024-05-01T09:31:00.000+01:00,2024-05-01T09:31:00.000+01:00", "move_off_tablet_values": "0,1",
		})},
		{form, op("upload_record", map[string]string{
			"table": "blobs", "pkname": "id",
			"fields": "id,_move_off_tablet,when_last_modified,tablename,tablepk,fieldname,filename,mimetype,theblob,image_rotation_deg_cw",
			"values": "1,0,'2024-05-01T09:31:00.000+01:00','bmi',1,'photo_blobid',NULL,'image/png',64'iVBORw0KGgo=',0",
		})},
		{form, op("end_upload", nil)},
		{form, op("validate_patients", map[string]string{
			"patient_info": `[{"address":null,"dob":"1980-02-29","email":null,"finalizing":false,"forename":"Ann","gp":null,"idnum1":9999999999,"other":null,"sex":"F","surname":"Smith"}]`,
		})},
		{form, op("upload_entire_database", map[string]string{
			"finalizing": "1", "pknameinfo": `{"bmi":"id","phq9":"id"}`,
			"dbdata": `{"bmi":[{"id":"1","_move_off_tablet":"0","when_last_modified":"'2024-05-01T09:31:12.345+01:00'","mass_kg":"70.2"}],"phq9":[]}`,
		})},
		{form, swap("check_device_registered", "no_such_op")},
		{form, swap("operation=check_device_registered&", "")},
		{form, swap("pw%21", "wrong")},
		{form, swap("user=alice", "user=nobody")},
		{form, swap("&password=pw%21&user=alice", "")},
		{form, fuzzExampleBody + "&session_id=1&session_token=Qm9vZ2llV29vZ2llMTIzNA%3D%3D"},
		{form, fuzzExampleBody + "&session_id=None&session_token="},
		{form, swap("2.4.24", "1.9.9")},
		{form, swap("2.4.24", "2.4.24.1")},
		{form, swap("2.4.24", "")},
		{form, swap("user=alice", "user=system")},
		{form, swap("device=%7B6b1c0f6e-2d55-4f0e-9a51-1f3c2b7d9e10%7D", "device=server")},
		{form, swap("%7D&operation", "%7D%0A&operation")},
		{form, fuzzExampleBody + "&x=%zz"},
		{form, fuzzExampleBody + "&x=%ff"},
		{form, fuzzExampleBody + "&x=a;b"},
		{form, "operation=check_device_registered&operation=x%00y&" + fuzzExampleBody},
		{"text/plain", fuzzExampleBody},
		{"", fuzzExampleBody},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"operation\"\r\n\r\nx\r\n--x--\r\n"},
		{"multipart/form-data", fuzzExampleBody},
		{form, ""},
		{form, fuzzExampleBody + "&pad=" + strings.Repeat("x", fuzzMaxBody)},
	} {
		f.Add(seed.ct, []byte(seed.body))
	}

	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		log.take()
		rec := fuzzPost(h, contentType, body)
		got := rec.Body.String()
		switch rec.Code {
		case http.StatusBadRequest:
			if got != notValid+"\n" {
				t.Fatalf("400 body %q, want the plain 400", got)
			}
		case http.StatusRequestEntityTooLarge:
			if len(body) <= fuzzMaxBody {
				t.Fatalf("413 for a body of %d bytes, limit %d", len(body), fuzzMaxBody)
			}
		case http.StatusOK, http.StatusServiceUnavailable:
			checkEnvelope(t, rec.Code, rec.Header(), got)
			if rec.Code == http.StatusServiceUnavailable {
				// The database is up and the bcrypt pool idle: a 503 here
				// is a bug.
				t.Fatalf("503 with a healthy database:\n%s\nlog:\n%s", got, log.take())
			}
		default:
			t.Fatalf("status %d, body %q", rec.Code, got)
		}
		if len(body) > fuzzMaxBody && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("body of %d bytes over the limit %d got %d", len(body), fuzzMaxBody, rec.Code)
		}
	})
}

// TestWire_ErrorValueEscaping: the error value is newline-escaped, the
// other values lose CR, LF and leading white space (PROTOCOL 1.3), checked
// on the reply writers with inputs no request can reach.
func TestWire_ErrorValueEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"plain":           "plain",
		"a\nb":            `a\nb`,
		"a\r\nb":          `a\r\nb`,
		`back\slash`:      `back\\slash`,
		`literal \n`:      `literal \\n`,
		"\\\n\r":          `\\\n\r`,
		"tab\tstays":      "tab\tstays",
		"trailing\n":      `trailing\n`,
		"ünïcode\u2028ok": "ünïcode\u2028ok",
	} {
		if got := escapeError(in); got != want {
			t.Errorf("escapeError(%q) = %q, want %q", in, got, want)
		}
	}

	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodPost, "/api", nil), rec)
	if err := writeFailure(c, http.StatusOK, "Invalid client table name: x\\y\nz", session{}); err != nil {
		t.Fatal(err)
	}
	if want := "success:0\nerror:Invalid client table name: x\\\\y\\nz\nsession_id:\nsession_token:\n"; rec.Body.String() != want {
		t.Errorf("writeFailure body = %q, want %q", rec.Body.String(), want)
	}
	checkEnvelope(t, rec.Code, rec.Header(), rec.Body.String())

	rec = httptest.NewRecorder()
	c = e.NewContext(httptest.NewRequest(http.MethodPost, "/api", nil), rec)
	r := new(Reply).Add("databaseTitle", " \t Ward\r\n3\rx").Add("result", "")
	if err := writeSuccess(c, r, session{id: 7, token: "Qm9vZ2llV29vZ2llMTIzNA=="}); err != nil {
		t.Fatal(err)
	}
	if want := "databaseTitle:Ward  3 x\nresult:\nsuccess:1\nsession_id:7\nsession_token:Qm9vZ2llV29vZ2llMTIzNA==\n"; rec.Body.String() != want {
		t.Errorf("writeSuccess body = %q, want %q", rec.Body.String(), want)
	}
	checkEnvelope(t, rec.Code, rec.Header(), rec.Body.String())
}

// TestWire_PanicAnswers503: an internal bug is a 503 key:value reply with
// "Internal server error" (PROTOCOL 1.5), not a dropped connection. The
// handler is built without an Authenticator, so phase A panics.
func TestWire_PanicAnswers503(t *testing.T) {
	h := New(Config{MaxBodyBytes: fuzzMaxBody, MaxInflightBodyBytes: 4 * fuzzMaxBody}, Deps{
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: registry.Default(),
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // net/http's own panic report
	srv.Start()
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/api", "application/x-www-form-urlencoded", strings.NewReader(fuzzExampleBody))
	if err != nil {
		t.Fatalf("a panic in a handler dropped the connection (%v) instead of answering 503 "+
			"\"Internal server error\"", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := "success:0\nerror:Internal server error\nsession_id:\nsession_token:\n"
	if resp.StatusCode != http.StatusServiceUnavailable || string(b) != want {
		t.Fatalf("reply = %d %q, want 503 %q", resp.StatusCode, b, want)
	}
	checkEnvelope(t, resp.StatusCode, resp.Header, string(b))
}
