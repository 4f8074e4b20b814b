package main_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	tabletapi "github.com/tabletapi/tabletapi/cmd/tabletapi"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/testclient"
)

// The shared fixture of the end-to-end tests, which drive the real server
// (tabletapi.Run) over HTTP: starting a server with its own database and
// clock, capturing and waiting for its log, running admin commands, users,
// groups and clients, the exact wire replies, raw HTTP requests, and reads
// of the server's database. The tablet model of the upload tests is in
// tabletmodel_test.go.

// testServer is the real server, started through tabletapi.Run on a
// loopback port with its own fresh database.
type testServer struct {
	Base  string // http://127.0.0.1:PORT
	API   string // Base + prefix + /api
	DBURL string
	DB    *bun.DB // a second connection pool for SQL checks
	Log   *syncBuffer
	Clock *testClock // the server's clock; tests step it instead of sleeping
}

// testClock is a server's clock in tests: the real time shifted by an
// offset that the test moves, so time passes as usual until the test steps
// it, and the readings keep Go's monotonic clock. Safe for concurrent use.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the clock's reading, given to the server as Deps.Now.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock d forward.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Set moves the clock to t, from where it goes on.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
}

// syncBuffer collects the server's log for assertions, and tells waiters
// when it grows.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed by the next Write; nil while nobody waits
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

// next returns the log so far and a channel closed by the next Write.
func (s *syncBuffer) next() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = make(chan struct{})
	}
	return s.b.String(), s.written
}

// waitFor blocks until cond holds for the log, failing tb after 30 s or
// when exited (if not nil) sends the writer's end; the error is put back
// for the test's cleanup. It returns the log.
func (s *syncBuffer) waitFor(tb testing.TB, what string, exited chan error, cond func(log string) bool) string {
	tb.Helper()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		log, written := s.next()
		if cond(log) {
			return log
		}
		select {
		case <-written:
		case err := <-exited:
			exited <- err
			tb.Fatalf("waiting for %s: the server exited: %v\nlog:\n%s", what, err, log)
		case <-timeout.C:
			tb.Fatalf("timed out waiting for %s; log:\n%s", what, log)
		}
	}
}

// waitRequests waits until the server has logged at least n request
// lines of operation op: a request's line follows its reply.
func (s *testServer) waitRequests(tb testing.TB, op string, n int) {
	tb.Helper()
	line := "msg=request operation=" + op + " "
	s.Log.waitFor(tb, fmt.Sprintf("%d request line(s) of %s", n, op), nil, func(log string) bool {
		return strings.Count(log, line) >= n
	})
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs `tabletapi serve` on a free port and a fresh database,
// with bcrypt cost 4 unless args set it, and waits until /readyz answers.
// The server stops when the test ends.
func startServer(tb testing.TB, args ...string) *testServer {
	tb.Helper()
	return startServerOn(tb, dbtest.NewURL(tb), args...)
}

// startServerOn is startServer on a given database URL.
func startServerOn(tb testing.TB, dbURL string, args ...string) *testServer {
	tb.Helper()
	s := &testServer{DBURL: dbURL, Log: new(syncBuffer), Clock: new(testClock)}
	prefix := ""
	for i, a := range args {
		if a == "--path-prefix" && i+1 < len(args) {
			prefix = args[i+1]
		}
	}
	// Port 0: the kernel picks a free port and the server logs it, so
	// parallel tests never race for one.
	full := append([]string{"tabletapi", "serve", "--listen", "127.0.0.1:0", "--database", dbURL, "--bcrypt-cost", "4"}, args...)
	done := serveUntilCleanup(tb, full, tabletapi.Deps{Stderr: s.Log, Now: s.Clock.Now})
	s.Base = "http://" + waitServing(tb, s.Log, done)
	s.API = s.Base + prefix + "/api"
	db, err := sqldb.Open(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s.DB = db
	return s
}

// serveUntilCleanup runs tabletapi.Run(args) with d in the background until
// the test ends; then it cancels the run and fails the test unless Run
// returned nil within 30 s. Run's result arrives on the channel returned.
func serveUntilCleanup(tb testing.TB, args []string, d tabletapi.Deps) chan error {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tabletapi.Run(ctx, args, d) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			tb.Errorf("serve did not stop")
		}
	})
	return done
}

// waitServing waits for the start-up line of the server that logs to log
// and returns the address it listens on, failing tb if the server exits
// (sends on exited) first. The line comes once the database is migrated
// and the port listens, so /readyz must answer 200 at once.
func waitServing(tb testing.TB, log *syncBuffer, exited chan error) string {
	tb.Helper()
	l := log.waitFor(tb, "the start-up line", exited, listenRE.MatchString)
	addr := listenRE.FindStringSubmatch(l)[1]
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		tb.Fatalf("server not ready: %v\nlog:\n%s", err, log)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("server not ready: /readyz answered %d\nlog:\n%s", resp.StatusCode, log)
	}
	return addr
}

// listenRE finds the address in the server's start-up log line, text or
// JSON.
var listenRE = regexp.MustCompile(`msg"?[=:]"?serving tablet API"?.*\blisten"?[=:]"?([0-9.:\[\]]+)`)

// admin runs an admin command of the real CLI against the server's
// database, with stdin as standard input, and returns its standard output.
func (s *testServer) admin(tb testing.TB, stdin string, args ...string) (string, error) {
	tb.Helper()
	return runCLI(tb, s.DBURL, stdin, args...)
}

// runCLI runs one tabletapi command with --database set.
func runCLI(tb testing.TB, dbURL, stdin string, args ...string) (string, error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	full := append(append([]string{"tabletapi"}, args...), "--database", dbURL)
	err := tabletapi.Run(context.Background(), full, tabletapi.Deps{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return out.String(), err
}

// mustAdmin is admin that fails the test on an error.
func (s *testServer) mustAdmin(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	out, err := s.admin(tb, stdin, args...)
	if err != nil {
		tb.Fatalf("tabletapi %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// addUser creates group (if new) and a user in it with the given flags,
// e.g. "--may-upload", "--may-register-devices".
func (s *testServer) addUser(tb testing.TB, group, user, password string, flags ...string) {
	tb.Helper()
	var n int
	if err := s.DB.NewSelect().Table("groups").Where("name = ?", group).ColumnExpr("count(*)").Scan(context.Background(), &n); err != nil {
		tb.Fatal(err)
	}
	if n == 0 {
		s.mustAdmin(tb, "", "group", "add", group, "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND anyidnum")
	}
	args := append([]string{"user", "add", user, "--group", group, "--bcrypt-cost", "4"}, flags...)
	s.mustAdmin(tb, password+"\n", args...)
}

// client returns a testclient for a new device, logging in as user.
func (s *testServer) client(user, password string) *testclient.Client {
	return testclient.New(testclient.Config{
		URL: s.API, Device: testclient.NewDeviceID(), User: user, Password: password,
	})
}

// count returns the number of rows of table matching where.
func (s *testServer) count(tb testing.TB, table, where string, args ...any) int {
	tb.Helper()
	n, err := s.DB.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

// wantReply fails unless r's body is exactly want (PROTOCOL wire text),
// with {session_id} and {session_token} in want standing for the values
// the reply carries (which must then be non-empty).
func wantReply(tb testing.TB, r *testclient.Reply, status int, want string) {
	tb.Helper()
	id, token := r.Values["session_id"], r.Values["session_token"]
	if strings.Contains(want, "{session_id}") && (id == "" || token == "") {
		tb.Fatalf("reply has no session:\n%s", r.Body)
	}
	want = strings.NewReplacer("{session_id}", id, "{session_token}", token).Replace(want)
	if r.Status != status || string(r.Body) != want {
		tb.Fatalf("reply = %d\n%s\nwant %d\n%s", r.Status, r.Body, status, want)
	}
}

// The fields of default registry tables, as the tests' records give them.
const (
	bmiFields     = "id,_move_off_tablet,when_last_modified,when_created,firstexit_is_finish,firstexit_is_abort,when_firstexit,editing_time_s,patient_id,mass_kg,height_m,waist_cm,comment"
	patientFields = "id,_move_off_tablet,when_last_modified,forename,surname,sex,dob,email,address,gp,other"
	idnumFields   = "id,_move_off_tablet,when_last_modified,patient_id,which_idnum,idnum_value"
	blobFields    = "id,_move_off_tablet,when_last_modified,tablename,tablepk,fieldname,filename,mimetype,theblob,image_rotation_deg_cw"
)

// Wire messages of PROTOCOL 11.
const (
	msgBadLogin  = "Invalid username/password (or user not authorized)"
	msgThrottled = "Too many failed logins from this address; try again later"
)

// startWithUploader starts a server with an uploader whose device is registered,
// and returns the server and the client (session reset).
func startWithUploader(t *testing.T, flags ...string) (*testServer, *testclient.Client) {
	t.Helper()
	s := startServer(t, flags...)
	s.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	c := s.client("alice", "pw!-secret")
	if _, err := c.RegisterSequence(context.Background(), "tablet"); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// uploadFixture is an upload fixture: a server, alice's client on a registered
// device, and the ids the checks need.
type uploadFixture struct {
	s     *testServer
	c     *testclient.Client
	dev   int64 // devices.id of c's device
	alice int64 // users.id of alice
	group int64 // alice's upload group
}

// newUploadFixture starts a server (startWithUploader) and reads the ids.
func newUploadFixture(t *testing.T, flags ...string) *uploadFixture {
	t.Helper()
	s, c := startWithUploader(t, flags...)
	f := &uploadFixture{s: s, c: c}
	ctx := context.Background()
	if err := s.DB.NewSelect().Table("devices").Column("id").Where("name = ?", c.Device()).Scan(ctx, &f.dev); err != nil {
		t.Fatal(err)
	}
	f.alice, f.group = userAndGroup(t, s, "alice")
	return f
}

// userAndGroup returns a user's id and upload group id.
func userAndGroup(t *testing.T, s *testServer, name string) (id, group int64) {
	t.Helper()
	if err := s.DB.NewSelect().Table("users").Column("id", "upload_group_id").Where("username = ?", name).
		Scan(context.Background(), &id, &group); err != nil {
		t.Fatal(err)
	}
	return id, group
}

// step sends one request and fails the test unless the reply is exactly
// result:<want> with success.
func (s *testServer) step(t *testing.T, c *testclient.Client, op string, params map[string]string, want string) {
	t.Helper()
	r, err := c.Do(context.Background(), op, params)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	if r.Status != http.StatusOK {
		t.Logf("server log:\n%s", s.Log)
	}
	wantReply(t, r, http.StatusOK, "result:"+want+"\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
}

// plain400 is the body of the plain 400 (PROTOCOL 2.2).
const plain400 = "Not a valid CamCOPS API request\n"

// sendHTTP sends one request with net/http and returns the response
// (body already closed) and its body.
func sendHTTP(tb testing.TB, method, url, contentType, body string) (*http.Response, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp, string(b)
}

// postBody posts a raw body to url with testclient and fails the test
// on a transport error.
func postBody(tb testing.TB, url, contentType, body string) *testclient.Reply {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := testclient.New(testclient.Config{URL: url, Device: testclient.NewDeviceID()})
	r, err := c.Post(ctx, contentType, []byte(body))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// loginForm is a valid request of the real client for op.
func loginForm(op, device, user, password string) map[string]string {
	f := map[string]string{"operation": op, "camcops_version": "2.4.24", "device": device}
	if user != "" {
		f["user"], f["password"] = user, password
	}
	return f
}

// wantAPIHeaders fails unless h carries the headers of every key:value
// reply (PROTOCOL 1.3) and sets no cookie.
func wantAPIHeaders(tb testing.TB, h http.Header) {
	tb.Helper()
	if got := h.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		tb.Errorf("Content-Type = %q, want text/plain; charset=utf-8", got)
	}
	if got := h.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		tb.Errorf("Cache-Control = %q, want [no-store]", got)
	}
	if got := h.Values("Set-Cookie"); len(got) != 0 {
		tb.Errorf("Set-Cookie = %q, want none", got)
	}
}

// idInfoBlock is the server ID info block (PROTOCOL 6.1) of a server with no
// title and no ID numbers, for a group made by testServer.addUser.
const idInfoBlock = "databaseTitle:\nidPolicyUpload:sex AND anyidnum\nidPolicyFinalize:sex AND anyidnum\nserverCamcopsVersion:2.4.24\n"

// tokenRE is the token format of PROTOCOL 3.2.
var tokenRE = regexp.MustCompile(`\A[A-Za-z0-9_-]{22}==\z`)

// mustDo sends one request and fails the test on a transport error.
func mustDo(tb testing.TB, c *testclient.Client, op string, params map[string]string) *testclient.Reply {
	tb.Helper()
	r, err := c.Do(context.Background(), op, params)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// sessionParams returns params that present session id and token.
func sessionParams(id, token string) map[string]string {
	return map[string]string{"session_id": id, "session_token": token}
}

// anonFailureReply is the wire body of a failure without a session.
func anonFailureReply(msg string) string {
	return "success:0\nerror:" + msg + "\nsession_id:\nsession_token:\n"
}

// failureReply is the wire body of a failure with a session (placeholders of
// wantReply).
func failureReply(msg string) string {
	return "success:0\nerror:" + msg + "\nsession_id:{session_id}\nsession_token:{session_token}\n"
}

// successReply is the wire body of a success whose result is op, with a session.
func successReply(op string) string {
	return "result:" + op + "\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n"
}

// successReplyIn is successReply with explicit session keys (empty for none).
func successReplyIn(op, id, token string) string {
	return "result:" + op + "\nsuccess:1\nsession_id:" + id + "\nsession_token:" + token + "\n"
}

// sessionOf returns the session keys of r, failing unless both are set.
func sessionOf(tb testing.TB, r *testclient.Reply) (id, token string) {
	tb.Helper()
	id, token = r.Values["session_id"], r.Values["session_token"]
	if id == "" || token == "" {
		tb.Fatalf("reply has no session:\n%s", r.Body)
	}
	return id, token
}

// clientOn returns a client for an existing device.
func clientOn(s *testServer, device, user, pw string) *testclient.Client {
	return testclient.New(testclient.Config{URL: s.API, Device: device, User: user, Password: pw})
}

// registeredClient returns a client of user whose device user has just
// registered (the user needs may-register-devices), with no session left.
func registeredClient(tb testing.TB, s *testServer, user, pw string) *testclient.Client {
	tb.Helper()
	c := s.client(user, pw)
	r := mustDo(tb, c, "register", map[string]string{"devicefriendlyname": "tablet of " + user})
	if !r.Success() {
		tb.Fatalf("register as %s:\n%s", user, r.Body)
	}
	c.ResetSession()
	return c
}

// addUploader adds user to group (made if new) with the rights to upload
// and register devices, and returns a client of user whose device user has
// just registered, with no session left.
func (s *testServer) addUploader(tb testing.TB, group, user, pw string) *testclient.Client {
	tb.Helper()
	s.addUser(tb, group, user, pw, "--may-upload", "--may-register-devices")
	return registeredClient(tb, s, user, pw)
}

// lookupUserID returns the id of user name.
func lookupUserID(tb testing.TB, s *testServer, name string) int64 {
	tb.Helper()
	return queryInt(tb, s, "SELECT id FROM users WHERE username = ?", name)
}

// mustExec runs a statement on the server's database; bun formats the
// arguments (times included) for the dialect.
func mustExec(tb testing.TB, s *testServer, query string, args ...any) {
	tb.Helper()
	res, err := s.DB.ExecContext(context.Background(), query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		tb.Fatalf("%s: %d rows affected (%v)", query, n, err)
	}
}

// storedTime reads one time column of the first row of table matching where.
func storedTime(tb testing.TB, s *testServer, table, column, where string, args ...any) time.Time {
	tb.Helper()
	var t time.Time
	if err := s.DB.NewSelect().Table(table).Column(column).Where(where, args...).
		OrderExpr(column+" DESC").Limit(1).Scan(context.Background(), &t); err != nil {
		tb.Fatalf("read %s.%s: %v", table, column, err)
	}
	return t.UTC()
}

// lastActivity reads last_activity_utc of session id.
func lastActivity(tb testing.TB, s *testServer, id string) time.Time {
	tb.Helper()
	return storedTime(tb, s, "sessions", "last_activity_utc", "id = ?", id)
}

// wantNoSecrets fails if the server log contains any of secrets (passwords
// and session tokens must never be logged).
func wantNoSecrets(tb testing.TB, s *testServer, secrets ...string) {
	tb.Helper()
	log := s.Log.String()
	if !strings.Contains(log, "request") {
		tb.Fatalf("server log has no request lines; is it captured?\n%s", log)
	}
	for _, sec := range secrets {
		if sec != "" && strings.Contains(log, sec) {
			tb.Errorf("server log contains the secret %q", sec)
		}
	}
}

// sharedServer returns a server for the subtests of one test, which register
// a device each. Creating a server and its database costs more than an
// upload (about a second on PostgreSQL, most of a second on SQLite under
// -race), so subtests share one.
func sharedServer(t *testing.T) *testServer {
	t.Helper()
	return startUploadServer(t)
}

// parallelOnPostgres makes a subtest on a shared server parallel on PostgreSQL. On
// SQLite the subtests of one server run in turn: the database file takes
// one writer at a time, and waiting for its lock costs more than it saves.
// Top-level tests, each with its own server, still run in parallel.
func parallelOnPostgres(t *testing.T) {
	if dbtest.Postgres() {
		t.Parallel()
	}
}

// startUploadServer starts a server (with flags) for several tablets: user alice
// (group research, may upload and register devices) and the NHS number as
// ID type 1.
func startUploadServer(t *testing.T, flags ...string) *testServer {
	t.Helper()
	s, _ := startWithUploader(t, flags...)
	return s
}

// queryInt reads one integer from the server's database.
func queryInt(tb testing.TB, s *testServer, q string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := s.DB.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

// groupID returns the id of group name.
func groupID(tb testing.TB, s *testServer, name string) int64 {
	tb.Helper()
	return queryInt(tb, s, "SELECT id FROM groups WHERE name = ?", name)
}

// storedRow is a row of a client table with the columns the tests check.
type storedRow struct {
	PK             int64      `bun:"_pk"`
	ID             int64      `bun:"id"`
	WLM            *string    `bun:"when_last_modified"`
	MoveOff        *bool      `bun:"_move_off_tablet"`
	Era            string     `bun:"_era"`
	Current        bool       `bun:"_current"`
	AddPending     bool       `bun:"_addition_pending"`
	RemPending     bool       `bun:"_removal_pending"`
	Pred           *int64     `bun:"_predecessor_pk"`
	Succ           *int64     `bun:"_successor_pk"`
	AddingUser     *int64     `bun:"_adding_user_id"`
	RemovingUser   *int64     `bun:"_removing_user_id"`
	PreservingUser *int64     `bun:"_preserving_user_id"`
	AddedExact     *time.Time `bun:"_when_added_exact"`
	AddedBatch     *time.Time `bun:"_when_added_batch_utc"`
	RemovedExact   *time.Time `bun:"_when_removed_exact"`
	RemovedBatch   *time.Time `bun:"_when_removed_batch_utc"`
	GroupID        *int64     `bun:"_group_id"`
	Version        *string    `bun:"_camcops_version"`
}

// storedRows returns the rows of table stored for device dev, by _pk.
func storedRows(t *testing.T, s *testServer, table string, dev int64) []storedRow {
	t.Helper()
	var rows []storedRow
	q := `SELECT _pk, id, when_last_modified, _move_off_tablet, _era, _current, _addition_pending,
	_removal_pending, _predecessor_pk, _successor_pk, _adding_user_id, _removing_user_id, _preserving_user_id,
	_when_added_exact, _when_added_batch_utc, _when_removed_exact, _when_removed_batch_utc, _group_id,
	_camcops_version FROM "` + table + `" WHERE _device_id = ? ORDER BY _pk`
	if err := s.DB.NewRaw(q, dev).Scan(context.Background(), &rows); err != nil {
		t.Fatalf("rows of %s: %v", table, err)
	}
	return rows
}

// oneRow returns the single row of client PK id, failing otherwise.
func oneRow(t *testing.T, rows []storedRow, id int64) storedRow {
	t.Helper()
	got := rowsWithID(rows, id)
	if len(got) != 1 {
		t.Fatalf("client PK %d: %d rows, want 1: %+v", id, len(got), rows)
	}
	return got[0]
}

// rowsWithID returns the rows with client PK id, by _pk.
func rowsWithID(rows []storedRow, id int64) []storedRow {
	var out []storedRow
	for _, r := range rows {
		if r.ID == id {
			out = append(out, r)
		}
	}
	return out
}
