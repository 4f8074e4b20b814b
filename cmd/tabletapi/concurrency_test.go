package main_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/testclient"
)

// Concurrency tests of the upload engine (PROTOCOL 8.3 device lock,
// AcquireBatch and the busy rule; 8.8 one-step; 8.9 atomicity and audit):
// many devices uploading at once, two users racing for one device, and two
// servers sharing one database. Every request carries a raceRequestTimeout
// deadline; a request that misses it fails the test as a probable
// deadlock. Requests run in goroutines, so the helpers return errors
// instead of failing the test.

const (
	raceRequestTimeout = 60 * time.Second
	msgDeviceBusy      = "Device is busy: an upload by another user is in progress"
	raceEmptyTables    = "blobs,patient_idnum,phq9"
)

// errDeviceBusy marks the documented busy reply (PROTOCOL 8.3.2 step 2),
// and errTakenOver the taken-over reply (step 3).
var (
	errDeviceBusy = errors.New("the documented busy error")
	errTakenOver  = errors.New("the documented taken-over error")
)

// raceHTTPClient serves every cc client: no client-side timeout (each request's
// context carries the deadline) and enough idle connections per host for
// the goroutines of a test.
var raceHTTPClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}}

// ---- Sending requests.

// sender sends one device's requests as one user, as the real client
// does: the session goes from reply to request and is dropped after a
// failure. With several endpoints it uses them in turn, request by
// request; servers sharing one database share its sessions (PROTOCOL 3).
type sender struct {
	name      string // for messages
	clients   []*testclient.Client
	next      int
	id, token string
	sessions  map[string]bool // session ids seen in replies
}

func newSender(name, device, user, password string, apis ...string) *sender {
	p := &sender{name: name, sessions: map[string]bool{}}
	for _, api := range apis {
		p.clients = append(p.clients, testclient.New(testclient.Config{
			URL: api, Device: device, User: user, Password: password, HTTPClient: raceHTTPClient,
		}))
	}
	return p
}

// reset forgets the session: the next request starts a new sequence.
func (p *sender) reset() { p.id, p.token = "", "" }

// do sends op to the next endpoint with the sender's session, under
// raceRequestTimeout, and keeps the session as the client does. It returns
// the reply and the endpoint's letter.
func (p *sender) do(op string, params map[string]string) (*testclient.Reply, string, error) {
	i := p.next
	p.next = (p.next + 1) % len(p.clients)
	srv := string(rune('A' + i))
	c := p.clients[i]
	c.ResetSession() // the sender, not the client, carries the session
	form := map[string]string{}
	maps.Copy(form, params)
	if p.id != "" && p.token != "" {
		form["session_id"], form["session_token"] = p.id, p.token
	}
	ctx, cancel := context.WithTimeout(context.Background(), raceRequestTimeout)
	defer cancel()
	start := time.Now()
	r, err := c.Do(ctx, op, form)
	if err != nil {
		p.reset()
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, srv, fmt.Errorf("%s: %s via server %s: no reply within %v (deadlock?): %w",
				p.name, op, srv, time.Since(start).Round(time.Millisecond), err)
		}
		return nil, srv, fmt.Errorf("%s: %s via server %s: %w", p.name, op, srv, err)
	}
	if r.Err() != nil {
		p.reset()
	} else {
		p.id, p.token = r.Values["session_id"], r.Values["session_token"]
		p.sessions[p.id] = true
	}
	return r, srv, nil
}

// step sends op and wants success with result:want. The exact busy or
// taken-over reply gives an error wrapping errDeviceBusy or errTakenOver;
// anything else unexpected, another error with the reply.
func (p *sender) step(op string, params map[string]string, want string) error {
	r, srv, err := p.do(op, params)
	if err != nil {
		return err
	}
	if r.Status == http.StatusOK && r.IsAPIReply() && !r.Success() && r.Error() == msgDeviceBusy &&
		slices.Equal(r.Keys, []string{"success", "error", "session_id", "session_token"}) {
		return fmt.Errorf("%s: %s via server %s: %w", p.name, op, srv, errDeviceBusy)
	}
	if r.Status == http.StatusOK && r.IsAPIReply() && !r.Success() && r.Error() == msgTakenOver {
		return fmt.Errorf("%s: %s via server %s: %w", p.name, op, srv, errTakenOver)
	}
	if got, _ := r.Get("result"); r.Err() != nil || got != want {
		return fmt.Errorf("%s: %s via server %s: reply %d\n%s\nwant result:%s", p.name, op, srv, r.Status, r.Body, want)
	}
	return nil
}

// preamble starts a sequence: a new login, then
// check_upload_user_and_device (PROTOCOL 12.3).
func (p *sender) preamble() error {
	p.reset()
	if err := p.step("check_device_registered", nil, "check_device_registered"); err != nil {
		return err
	}
	return p.step("check_upload_user_and_device", nil, "check_upload_user_and_device")
}

// registerDevice registers device for user (PROTOCOL 12.2), under the deadline.
func registerDevice(api, device, user, password string) error {
	c := testclient.New(testclient.Config{URL: api, Device: device, User: user, Password: password, HTTPClient: raceHTTPClient})
	ctx, cancel := context.WithTimeout(context.Background(), raceRequestTimeout)
	defer cancel()
	if _, err := c.RegisterSequence(ctx, "tablet "+device); err != nil {
		return fmt.Errorf("register %s as %s: %w", device, user, err)
	}
	return nil
}

// ---- Records, as the client encodes them (PROTOCOL 7.4).

// bmiVersion is one version of a bmi record: when_last_modified and the
// comment that names the version.
type bmiVersion struct {
	wlm, comment string
	round        int // the tablet round that made it
}

// versionedBMI returns the literals of a bmi record, in bmiFields order.
func versionedBMI(pk int64, v bmiVersion) []string {
	return []string{strconv.FormatInt(pk, 10), "0", "'" + v.wlm + "'", "'2024-05-01T09:30:00.000+01:00'", "1", "0",
		"'2024-05-01T09:31:12.300+01:00'", "72.5", "1", "70.2", "1.75", "NULL", "'" + v.comment + "'"}
}

// racePatientRow is the one patient record of every tablet, in patientFields
// order; it never changes.
var racePatientRow = []string{"1", "0", "'2024-05-01T09:29:00.000+01:00'", "'Ann'", "'Smith'", "'F'", "'1980-02-29'",
	"NULL", "NULL", "NULL", "NULL"}

// tableParams are upload_table's parameters for rows of literals.
func tableParams(table, fields string, rows [][]string) map[string]string {
	p := map[string]string{"table": table, "pkname": "id", "fields": fields, "nrecords": strconv.Itoa(len(rows))}
	for i, r := range rows {
		p["record"+strconv.Itoa(i)] = strings.Join(r, ",")
	}
	return p
}

// versionedBMIRows returns the records of recs in client PK order.
func versionedBMIRows(recs map[int64]bmiVersion) [][]string {
	var rows [][]string
	for _, pk := range slices.Sorted(maps.Keys(recs)) {
		rows = append(rows, versionedBMI(pk, recs[pk]))
	}
	return rows
}

// bmiOneStepParams are upload_entire_database's parameters (PROTOCOL 8.8):
// every table of the tablet, the bmi records and, if patient, the patient.
func bmiOneStepParams(recs map[int64]bmiVersion, patient bool) (map[string]string, error) {
	toObjects := func(fields string, rows [][]string) []map[string]string {
		names := strings.Split(fields, ",")
		out := []map[string]string{}
		for _, r := range rows {
			o := map[string]string{}
			for i, n := range names {
				o[n] = r[i]
			}
			out = append(out, o)
		}
		return out
	}
	pk := map[string]string{}
	data := map[string]any{}
	for _, table := range []string{"blobs", "bmi", "patient", "patient_idnum", "phq9"} {
		pk[table] = "id"
		data[table] = []any{}
	}
	data["bmi"] = toObjects(bmiFields, versionedBMIRows(recs))
	if patient {
		data["patient"] = toObjects(patientFields, [][]string{racePatientRow})
	}
	pkJSON, err := json.Marshal(pk)
	if err != nil {
		return nil, err
	}
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return map[string]string{"finalizing": "0", "pknameinfo": string(pkJSON), "dbdata": string(dataJSON)}, nil
}

// sendMultiStep runs the client's multi-step Copy (PROTOCOL 12.3) of the
// bmi records and, if patient, the patient, after the preamble. A busy
// start_upload returns errDeviceBusy having written nothing; busy anywhere
// later is a plain error, since the batch is then the sender's own.
func sendMultiStep(p *sender, recs map[int64]bmiVersion, patient bool, pause func()) error {
	if err := p.step("start_upload", nil, "start_upload"); err != nil {
		return err
	}
	later := func(op string, params map[string]string, want string) error {
		pause()
		err := p.step(op, params, want)
		if errors.Is(err, errDeviceBusy) {
			return fmt.Errorf("busy inside the sender's own batch: %v", err)
		}
		return err
	}
	empty := raceEmptyTables
	if !patient {
		empty = "blobs,patient,patient_idnum,phq9"
	}
	if err := later("upload_empty_tables", map[string]string{"tables": empty}, "UPLOAD-EMPTY-TABLES"); err != nil {
		return err
	}
	if err := later("upload_table", tableParams("bmi", bmiFields, versionedBMIRows(recs)), "Table bmi upload successful"); err != nil {
		return err
	}
	if patient {
		if err := later("upload_table", tableParams("patient", patientFields, [][]string{racePatientRow}),
			"Table patient upload successful"); err != nil {
			return err
		}
	}
	return later("end_upload", nil, "end_upload")
}

// noPause is the pause of sequences that run flat out.
func noPause() {}

// jitter pauses up to 3 ms, to widen the windows between requests.
func jitter() { time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) }

// pkList writes PKs as the audit does: [1, 2, 3].
func pkList(pks []int64) string {
	s := make([]string, len(pks))
	for i, p := range slices.Sorted(slices.Values(pks)) {
		s[i] = strconv.FormatInt(p, 10)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// auditLine is one table's part of an upload audit (PROTOCOL 8.9) of a
// non-preserving upload.
func auditLine(table string, added, modified, deleted, current []int64) string {
	return fmt.Sprintf("%s (%d added, PKs %s; %d modified out, PKs %s; %d deleted, PKs %s; 0 preserved, PKs []; current PKs %s)",
		table, len(added), pkList(added), len(modified), pkList(modified), len(deleted), pkList(deleted), pkList(current))
}

// pkMapDiff is the bmi audit line of an upload that replaces every record of
// before with a new version, the records of after. Both map client PKs to
// server PKs, which the audit lists (TestMultistepAuditServerPKs).
func pkMapDiff(before, after map[int64]int64) string {
	var modified, deleted []int64
	for pk, spk := range before {
		if _, ok := after[pk]; ok {
			modified = append(modified, spk)
		} else {
			deleted = append(deleted, spk)
		}
	}
	current := slices.Collect(maps.Values(after))
	return auditLine("bmi", current, modified, deleted, current)
}

// serverPKsOf maps client PK to server PK for rows.
func serverPKsOf(rows []bmiHistoryRow) map[int64]int64 {
	out := map[int64]int64{}
	for _, r := range rows {
		out[r.ID] = r.PK
	}
	return out
}

// ---- Reading the database.

// bmiHistoryRow is a row of a client table with the columns the checks need.
// It is not the fixture's storedRow: it also reads bmi's own comment
// column, which tells the racing uploads apart.
type bmiHistoryRow struct {
	PK         int64      `bun:"_pk"`
	ID         int64      `bun:"id"`
	Comment    *string    `bun:"comment"`
	WLM        *string    `bun:"when_last_modified"`
	Era        string     `bun:"_era"`
	Current    bool       `bun:"_current"`
	AddPending bool       `bun:"_addition_pending"`
	RemPending bool       `bun:"_removal_pending"`
	Pred       *int64     `bun:"_predecessor_pk"`
	Succ       *int64     `bun:"_successor_pk"`
	AddingUser *int64     `bun:"_adding_user_id"`
	Removed    *time.Time `bun:"_when_removed_exact"`
}

func (r bmiHistoryRow) comment() string {
	if r.Comment == nil {
		return "<NULL>"
	}
	return *r.Comment
}

// bmiHistory returns the bmi rows of device dev matching cond, by _pk.
func bmiHistory(s *testServer, dev int64, cond string, args ...any) ([]bmiHistoryRow, error) {
	var rows []bmiHistoryRow
	q := `SELECT _pk, id, comment, when_last_modified, _era, _current, _addition_pending, _removal_pending,
	_predecessor_pk, _successor_pk, _adding_user_id, _when_removed_exact FROM bmi WHERE _device_id = ? AND ` + cond +
		` ORDER BY _pk`
	err := s.DB.NewRaw(q, append([]any{dev}, args...)...).Scan(context.Background(), &rows)
	return rows, err
}

// auditRow is an upload audit row.
type auditRow struct {
	ID       int64  `bun:"id"`
	Username string `bun:"username"`
	Details  string `bun:"details"`
}

// auditRows returns device dev's upload audit rows, oldest first (commits
// of one device are serialised by its lock, so id order is commit order).
func auditRows(t *testing.T, s *testServer, dev int64) []auditRow {
	t.Helper()
	var a []auditRow
	if err := s.DB.NewSelect().Table("audit_log").Column("id", "username", "details").
		Where("device_id = ? AND details LIKE 'Upload from device %'", dev).Order("id").
		Scan(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// checkGlobalInvariants checks the invariants over every device: at most one
// live row per (device, client PK), no pending flags, empty dirty sets, no
// open batch, and no WARN or ERROR line in the servers' logs.
func checkGlobalInvariants(t *testing.T, s *testServer, logs ...*syncBuffer) {
	t.Helper()
	ctx := context.Background()
	for _, table := range []string{"bmi", "patient", "patient_idnum", "phq9", "blobs"} {
		var dups []struct {
			Device int64 `bun:"_device_id"`
			ID     int64 `bun:"id"`
			N      int64 `bun:"n"`
		}
		if err := s.DB.NewRaw(`SELECT _device_id, id, count(*) AS n FROM "`+table+`" WHERE _era = 'NOW' AND _current
		GROUP BY _device_id, id HAVING count(*) > 1`).Scan(ctx, &dups); err != nil {
			t.Fatal(err)
		}
		if len(dups) > 0 {
			t.Errorf("%s: duplicated live rows (device, client PK, count): %+v", table, dups)
		}
		if n := s.count(t, table, "_addition_pending OR _removal_pending"); n != 0 {
			t.Errorf("%s: %d rows still pending", table, n)
		}
	}
	if n := s.count(t, "dirty_tables", "1 = 1"); n != 0 {
		t.Errorf("dirty_tables has %d rows, want none", n)
	}
	if n := s.count(t, "devices", "ongoing_upload_batch_utc IS NOT NULL OR uploading_user_id IS NOT NULL"); n != 0 {
		t.Errorf("%d devices still have an open batch", n)
	}
	for i, l := range logs {
		var bad []string
		for line := range strings.SplitSeq(l.String(), "\n") {
			if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
				bad = append(bad, line)
			}
		}
		if len(bad) > 0 {
			t.Errorf("server %c logged %d warnings or errors:\n%s", 'A'+i, len(bad), strings.Join(bad, "\n"))
		}
	}
}

// dumpLogsOnFailure logs the servers' logs when the test has failed.
func dumpLogsOnFailure(t *testing.T, logs ...*syncBuffer) {
	t.Helper()
	if !t.Failed() {
		return
	}
	for i, l := range logs {
		s := l.String()
		if len(s) > 20000 {
			s = "…" + s[len(s)-20000:]
		}
		t.Logf("server %c log:\n%s", 'A'+i, s)
	}
}

// ---- Test 1: many devices at once.

// fleetTablet is one device's local bmi table, changed round by round as a
// user would change it, and what the server must end up holding.
type fleetTablet struct {
	p       *sender
	n       int   // the tablet's number
	dev     int64 // devices.id
	device  string
	user    string
	base    int64                  // client PKs start after base
	next    int64                  // the next new client PK
	cur     map[int64]bmiVersion   // the records on the tablet
	history map[int64][]bmiVersion // every version uploaded, oldest first
	deleted map[int64]bool         // client PKs deleted from the tablet
	changes []rowChange            // each round's changes
}

// rowChange is what one round changed, in client PKs.
type rowChange struct {
	modified, added, deleted, current []int64 // added: new client PKs
}

// uploadRound says how a tablet uploads in one round.
type uploadRound int

const (
	roundMulti uploadRound = iota // multi-step Copy
	roundOne                      // one-step
)

func (r uploadRound) String() string {
	if r == roundOne {
		return "one-step"
	}
	return "multi-step"
}

// put stores a new version of pk made in round r.
func (tb *fleetTablet) put(pk int64, r int) {
	v := bmiVersion{
		wlm:     fmt.Sprintf("2024-06-%02dT10:%02d:00.000+01:00", r+1, pk%60),
		comment: fmt.Sprintf("tablet%d pk%d round%d", tb.n, pk, r),
		round:   r,
	}
	tb.cur[pk] = v
	tb.history[pk] = append(tb.history[pk], v)
}

// change makes round r's local changes: 50 new records in round 0, then
// each round a fifth of the records modified, one deleted and two added.
func (tb *fleetTablet) change(r int) {
	if r == 0 {
		var added []int64
		for i := int64(1); i <= 50; i++ {
			tb.put(tb.base+i, r)
			added = append(added, tb.base+i)
		}
		tb.next = tb.base + 51
		tb.changes = append(tb.changes, rowChange{added: added, current: added})
		return
	}
	pks := slices.Sorted(maps.Keys(tb.cur))
	var modified, deleted []int64
	for i, pk := range pks {
		if i%5 == r%5 {
			modified = append(modified, pk)
		}
	}
	for _, pk := range pks {
		if !slices.Contains(modified, pk) {
			deleted = append(deleted, pk)
			break
		}
	}
	for _, pk := range deleted {
		delete(tb.cur, pk)
		tb.deleted[pk] = true
	}
	var added []int64
	for _, pk := range modified {
		tb.put(pk, r)
	}
	for range 2 {
		tb.put(tb.next, r)
		added = append(added, tb.next)
		tb.next++
	}
	tb.changes = append(tb.changes, rowChange{modified: modified, added: added, deleted: deleted,
		current: slices.Sorted(maps.Keys(tb.cur))})
}

// want returns the expected upload audit summaries, one per round, given
// the server PK of each version (by comment) and of the patient.
func (tb *fleetTablet) want(serverPK map[string]int64, patientPK int64) []string {
	// at returns the server PK of the version of pk current after round r.
	at := func(pk int64, r int) int64 {
		var v bmiVersion
		for _, h := range tb.history[pk] {
			if h.round <= r {
				v = h
			}
		}
		return serverPK[v.comment]
	}
	var out []string
	for r, ch := range tb.changes {
		var added, modified, deleted, current []int64
		for _, pk := range ch.modified {
			added = append(added, at(pk, r))
			modified = append(modified, at(pk, r-1))
		}
		for _, pk := range ch.added {
			added = append(added, at(pk, r))
		}
		for _, pk := range ch.deleted {
			deleted = append(deleted, at(pk, r-1))
		}
		for _, pk := range ch.current {
			current = append(current, at(pk, r))
		}
		line := auditLine("bmi", added, modified, deleted, current)
		if r == 0 {
			p := []int64{patientPK}
			line = auditLine("patient", p, nil, nil, p) + ", " + line
		}
		out = append(out, line)
	}
	return out
}

// run uploads the tablet's changes in every round.
func (tb *fleetTablet) run(rounds []uploadRound) error {
	for r, how := range rounds {
		tb.change(r)
		if err := tb.p.preamble(); err != nil {
			return fmt.Errorf("round %d (%s): %w", r, how, err)
		}
		var err error
		if how == roundOne {
			var params map[string]string
			if params, err = bmiOneStepParams(tb.cur, true); err == nil {
				err = tb.p.step("upload_entire_database", params, "Success")
			}
		} else {
			err = sendMultiStep(tb.p, tb.cur, true, noPause)
		}
		if err != nil {
			return fmt.Errorf("round %d (%s): %w", r, how, err)
		}
	}
	return nil
}

// check compares the server's rows and audit of the tablet's device with
// the tablet's history: exactly the current records live, one version
// chain per client PK holding every version in order, nothing pending, and
// one audit row per round with the expected summary.
func (tb *fleetTablet) check(t *testing.T, s *testServer) {
	t.Helper()
	var patients []int64
	if err := s.DB.NewRaw("SELECT _pk FROM patient WHERE _device_id = ?", tb.dev).Scan(context.Background(), &patients); err != nil {
		t.Fatal(err)
	}
	if len(patients) != 1 {
		t.Errorf("tablet %d: %d patient rows, want 1", tb.n, len(patients))
		return
	}
	rows, err := bmiHistory(s, tb.dev, "1 = 1")
	if err != nil {
		t.Fatal(err)
	}
	serverPK := map[string]int64{}
	for _, r := range rows {
		serverPK[r.comment()] = r.PK
	}
	prefix := fmt.Sprintf("Upload from device %d, username '%s': ", tb.dev, tb.user)
	var got []string
	for _, a := range auditRows(t, s, tb.dev) {
		got = append(got, strings.TrimPrefix(a.Details, prefix))
	}
	if want := tb.want(serverPK, patients[0]); !slices.Equal(got, want) {
		t.Errorf("tablet %d: upload audits\n%s\nwant\n%s", tb.n, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	byID := map[int64][]bmiHistoryRow{}
	for _, r := range rows {
		byID[r.ID] = append(byID[r.ID], r)
	}
	for id := range byID {
		if _, ok := tb.history[id]; !ok {
			t.Errorf("tablet %d: rows of client PK %d, never uploaded: %+v", tb.n, id, byID[id])
		}
	}
	for _, id := range slices.Sorted(maps.Keys(tb.history)) {
		if err := checkVersionChain(byID[id], tb.history[id], !tb.deleted[id]); err != nil {
			t.Errorf("tablet %d, client PK %d: %v", tb.n, id, err)
		}
	}
}

// checkVersionChain checks the rows of one client PK: one version chain
// (_predecessor_pk and _successor_pk agreeing) holding versions in order,
// era NOW and nothing pending, the newest live unless deleted and every
// other row no longer current.
func checkVersionChain(rows []bmiHistoryRow, versions []bmiVersion, live bool) error {
	if len(rows) != len(versions) {
		return fmt.Errorf("%d rows, want %d versions: %+v", len(rows), len(versions), rows)
	}
	byPK := map[int64]bmiHistoryRow{}
	var chain []bmiHistoryRow
	for _, r := range rows {
		byPK[r.PK] = r
		if r.Pred == nil {
			chain = append(chain, r)
		}
	}
	if len(chain) != 1 {
		return fmt.Errorf("%d rows without a predecessor, want 1: %+v", len(chain), rows)
	}
	for chain[len(chain)-1].Succ != nil {
		last := chain[len(chain)-1]
		next, ok := byPK[*last.Succ]
		if !ok || next.Pred == nil || *next.Pred != last.PK || len(chain) == len(rows) {
			return fmt.Errorf("broken chain at _pk %d: %+v", last.PK, rows)
		}
		chain = append(chain, next)
	}
	if len(chain) != len(rows) {
		return fmt.Errorf("chain of %d rows, want %d: %+v", len(chain), len(rows), rows)
	}
	for i, r := range chain {
		v := versions[i]
		if r.comment() != v.comment || r.WLM == nil {
			return fmt.Errorf("version %d is %q, want %q", i, r.comment(), v.comment)
		}
		stored, err1 := codec.ParseDateTime(*r.WLM)
		sent, err2 := codec.ParseDateTime(v.wlm)
		if err1 != nil || err2 != nil || !stored.Equal(sent) {
			return fmt.Errorf("version %d: when_last_modified %q, want %q", i, *r.WLM, v.wlm)
		}
		if r.Era != "NOW" || r.AddPending || r.RemPending {
			return fmt.Errorf("version %d: era %q, pending %v/%v", i, r.Era, r.AddPending, r.RemPending)
		}
		newest := i == len(chain)-1
		if wantCurrent := newest && live; r.Current != wantCurrent {
			return fmt.Errorf("version %d (of %d): _current = %v, want %v", i, len(chain), r.Current, wantCurrent)
		}
		if newest && !live && r.Removed == nil {
			return fmt.Errorf("deleted version %d has no _when_removed_exact", i)
		}
	}
	return nil
}

// runTablets registers every tablet (through register(i)) and runs its
// rounds, all at once; each tablet's first error is reported.
func runTablets(t *testing.T, tablets []*fleetTablet, rounds []uploadRound, register func(i int) string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, tb := range tablets {
		wg.Go(func() {
			if err := registerDevice(register(tb.n), tb.device, tb.user, "pw-secret-"+tb.user); err != nil {
				t.Errorf("tablet %d: %v", tb.n, err)
				return
			}
			if err := tb.run(rounds); err != nil {
				t.Errorf("tablet %d: %v", tb.n, err)
			}
		})
	}
	wg.Wait()
}

// newFleetTablets makes n tablets; tablet i belongs to users[i%len(users)]
// (password "pw-secret-" + name) and sends through the endpoints apis(i). Pairs of
// tablets use the same client PKs, so that only the device tells their
// records apart.
func newFleetTablets(n int, users []string, apis func(i int) []string) []*fleetTablet {
	var out []*fleetTablet
	for i := range n {
		device := testclient.NewDeviceID()
		user := users[i%len(users)]
		out = append(out, &fleetTablet{
			p: newSender(fmt.Sprintf("tablet %d (%s)", i, user), device, user, "pw-secret-"+user, apis(i)...),
			n: i, device: device, user: user, base: int64(i/2) * 1000,
			cur: map[int64]bmiVersion{}, history: map[int64][]bmiVersion{}, deleted: map[int64]bool{},
		})
	}
	return out
}

// checkTablets reads each tablet's device id and checks it, then the
// global invariants.
func checkTablets(t *testing.T, s *testServer, tablets []*fleetTablet, logs ...*syncBuffer) {
	t.Helper()
	for _, tb := range tablets {
		tb.dev = queryInt(t, s, "SELECT id FROM devices WHERE name = ?", tb.device)
		tb.check(t, s)
	}
	checkGlobalInvariants(t, s, logs...)
}

// runConcurrentDevices runs 8 tablets of 4 users at once on s.
func runConcurrentDevices(t *testing.T, s *testServer, rounds []uploadRound) {
	users := []string{"u0", "u1", "u2", "u3"}
	for _, u := range users {
		s.addUser(t, "research", u, "pw-secret-"+u, "--may-upload", "--may-register-devices")
	}
	tablets := newFleetTablets(8, users, func(int) []string { return []string{s.API} })
	start := time.Now()
	runTablets(t, tablets, rounds, func(int) string { return s.API })
	t.Logf("8 tablets × %d rounds in %v", len(rounds), time.Since(start).Round(time.Millisecond))
	defer dumpLogsOnFailure(t, s.Log)
	if t.Failed() {
		return
	}
	checkTablets(t, s, tablets, s.Log)
}

// TestConcurrentDevices: 8 devices of 4 users (two devices each) upload at
// once, round after round (multi-step Copy and one-step, modifying,
// deleting and adding records); every request succeeds, and each device
// ends with exactly its records, whole version chains, nothing pending
// and one correct audit row per round (PROTOCOL 8.3.1: different devices
// run in parallel).
func TestConcurrentDevices(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	runConcurrentDevices(t, s, []uploadRound{roundMulti, roundMulti, roundOne, roundMulti})
}

// TestConcurrentDevicesSQLite is TestConcurrentDevices on SQLite, always
// (whatever TABLETAPI_TEST_DATABASE_URL says), with fewer rounds: SQLite
// serialises writers, and its busy timeout must absorb the queue.
func TestConcurrentDevicesSQLite(t *testing.T) {
	t.Parallel()
	s := startServerOn(t, "sqlite:"+filepath.Join(t.TempDir(), "concurrent.db"))
	runConcurrentDevices(t, s, []uploadRound{roundMulti, roundOne, roundMulti})
}

// ---- Test 2: two users racing for one device.

// racer is one user hammering a shared device with whole upload
// sequences; a sequence may fail only with the busy error at its first
// batch request, and is then retried after a short sleep.
type racer struct {
	user    string
	uid     int64
	p       *sender
	oneStep func(seq int) bool // whether sequence seq is one-step
	tries   []*uploadTry
	busy    int
}

// uploadTry is one attempted sequence.
type uploadTry struct {
	comment   string
	recs      map[int64]bmiVersion
	oneStep   bool
	committed bool
}

// records returns attempt a's records: client PKs 1–6 and one of 7–9,
// each a new version named after the attempt.
func (rc *racer) records(a int) map[int64]bmiVersion {
	comment := fmt.Sprintf("%s try%d", rc.user, a)
	// Each user its own year, so that no two attempts share an instant.
	base := time.Date(2024+int(rc.uid), 7, 1, 0, 0, 0, 0, time.UTC)
	wlm := base.Add(time.Duration(a) * time.Second).Format("2006-01-02T15:04:05.000-07:00")
	recs := map[int64]bmiVersion{}
	for _, pk := range []int64{1, 2, 3, 4, 5, 6, 7 + int64(a%3)} {
		recs[pk] = bmiVersion{wlm: wlm, comment: comment}
	}
	return recs
}

// run commits n sequences, retrying those refused as busy.
func (rc *racer) run(n int, deadline time.Time) error {
	committed := 0
	for a := 0; committed < n; a++ {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: only %d of %d sequences committed by the deadline (%d busy)", rc.user, committed, n, rc.busy)
		}
		try := &uploadTry{comment: fmt.Sprintf("%s try%d", rc.user, a), recs: rc.records(a), oneStep: rc.oneStep(committed)}
		rc.tries = append(rc.tries, try)
		if err := rc.p.preamble(); err != nil {
			return err
		}
		var err error
		if try.oneStep {
			var params map[string]string
			if params, err = bmiOneStepParams(try.recs, false); err == nil {
				err = rc.p.step("upload_entire_database", params, "Success")
			}
		} else {
			err = sendMultiStep(rc.p, try.recs, false, jitter)
		}
		if errors.Is(err, errDeviceBusy) {
			rc.busy++
			time.Sleep(time.Duration(1+rand.IntN(5)) * time.Millisecond)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s, %s: %w", rc.user, try.comment, err)
		}
		try.committed = true
		committed++
	}
	return nil
}

// runRace runs the racers at once, n committed sequences each.
func runRace(t *testing.T, n int, racers ...*racer) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	var wg sync.WaitGroup
	for _, rc := range racers {
		wg.Go(func() {
			if err := rc.run(n, deadline); err != nil {
				t.Errorf("%v", err)
			}
		})
	}
	wg.Wait()
	for _, rc := range racers {
		committed := 0
		for _, try := range rc.tries {
			if try.committed {
				committed++
			}
		}
		t.Logf("%s: %d sequences committed, %d refused as busy", rc.user, committed, rc.busy)
	}
}

// checkRace checks device dev after a race: the upload audit rows, in
// commit order, are the racers' committed sequences, each user's in the
// order it ran them, and each summary is the change from the previous
// commit; every committed sequence's records are stored exactly once,
// added by its user; a refused sequence stored nothing; the live rows are
// those of the last commit; nothing is left pending.
func checkRace(t *testing.T, s *testServer, dev int64, racers ...*racer) {
	t.Helper()
	byUser := map[string]*racer{}
	queue := map[string][]*uploadTry{}
	total := 0
	for _, rc := range racers {
		byUser[rc.user] = rc
		for _, try := range rc.tries {
			if try.committed {
				queue[rc.user] = append(queue[rc.user], try)
				total++
			}
		}
	}
	rowsOf := map[*uploadTry][]bmiHistoryRow{}
	for _, rc := range racers {
		for _, try := range rc.tries {
			rows, err := bmiHistory(s, dev, "comment = ?", try.comment)
			if err != nil {
				t.Fatal(err)
			}
			rowsOf[try] = rows
		}
	}
	audits := auditRows(t, s, dev)
	if len(audits) != total {
		t.Errorf("%d upload audit rows, want %d committed sequences", len(audits), total)
	}
	var last *uploadTry
	var before map[int64]int64
	for i, a := range audits {
		rc, q := byUser[a.Username], queue[a.Username]
		if rc == nil || len(q) == 0 {
			t.Errorf("audit %d (id %d) by %q matches no committed sequence: %s", i, a.ID, a.Username, a.Details)
			continue
		}
		try := q[0]
		queue[a.Username] = q[1:]
		after := serverPKsOf(rowsOf[try])
		want := fmt.Sprintf("Upload from device %d, username '%s': %s", dev, rc.user, pkMapDiff(before, after))
		if a.Details != want {
			t.Errorf("audit %d (id %d) for %s:\n%s\nwant\n%s", i, a.ID, try.comment, a.Details, want)
		}
		before, last = after, try
	}
	stored := 0
	for _, rc := range racers {
		for _, try := range rc.tries {
			rows := rowsOf[try]
			stored += len(rows)
			if !try.committed {
				if len(rows) > 0 {
					t.Errorf("%s was refused but stored %d rows: %+v", try.comment, len(rows), rows)
				}
				continue
			}
			var ids []int64
			for _, r := range rows {
				ids = append(ids, r.ID)
				if r.AddPending || r.RemPending || r.Era != "NOW" || r.AddingUser == nil || *r.AddingUser != rc.uid ||
					r.Current != (try == last) {
					t.Errorf("%s: bad row %+v (last commit: %v)", try.comment, r, try == last)
				}
			}
			slices.Sort(ids)
			if want := slices.Sorted(maps.Keys(try.recs)); !slices.Equal(ids, want) {
				t.Errorf("%s committed client PKs %v, want %v", try.comment, ids, want)
			}
		}
	}
	if all := s.count(t, "bmi", "_device_id = ?", dev); all != stored {
		t.Errorf("device has %d bmi rows, but the sequences account for %d", all, stored)
	}
	live, err := bmiHistory(s, dev, "_era = 'NOW' AND _current")
	if err != nil {
		t.Fatal(err)
	}
	if last == nil {
		t.Fatal("no sequence committed")
	}
	var ids []int64
	for _, r := range live {
		ids = append(ids, r.ID)
		if r.comment() != last.comment {
			t.Errorf("live row %+v is not from the last commit, %s", r, last.comment)
		}
	}
	if want := slices.Sorted(maps.Keys(last.recs)); !slices.Equal(ids, want) {
		t.Errorf("live client PKs %v, want %v of the last commit %s", ids, want, last.comment)
	}
	if n := s.count(t, "bmi", "_device_id = ? AND (_addition_pending OR _removal_pending)", dev); n != 0 {
		t.Errorf("%d bmi rows left pending", n)
	}
	if n := s.count(t, "dirty_tables", "device_id = ?", dev); n != 0 {
		t.Errorf("%d dirty tables left", n)
	}
}

// raceSetup adds alice (who registers a new device) and bob, and
// returns the device and its id.
func raceSetup(t *testing.T, s *testServer) (device string, dev int64) {
	t.Helper()
	for _, u := range []string{"alice", "bob"} {
		if s.count(t, "users", "username = ?", u) == 0 {
			s.addUser(t, "research", u, "pw-secret-"+u, "--may-upload", "--may-register-devices")
		}
	}
	device = testclient.NewDeviceID()
	if err := registerDevice(s.API, device, "alice", "pw-secret-alice"); err != nil {
		t.Fatal(err)
	}
	return device, queryInt(t, s, "SELECT id FROM devices WHERE name = ?", device)
}

// newRacer returns a racer for user on device through the endpoints.
func newRacer(t *testing.T, s *testServer, device, user string, oneStep func(int) bool, apis ...string) *racer {
	return &racer{user: user, uid: lookupUserID(t, s, user), oneStep: oneStep,
		p: newSender(user, device, user, "pw-secret-"+user, apis...)}
}

func neverOneStep(int) bool        { return false }
func everyOtherOneStep(i int) bool { return i%2 == 1 }

// TestTwoUsersRaceOneDevice: alice and bob, both allowed to upload, hammer
// one device with whole sequences (bob every other time one-step). Only
// the busy error may refuse a sequence, and only at its first batch
// request; every committed sequence is stored exactly, in the commit order
// the audit shows, and the device ends with the last commit's records
// (PROTOCOL 8.3.2, 8.8 step 8, 8.9). Also: bob's one-step uploads during
// alice's open batch, and a takeover of a stale batch racing its owner's
// late requests (PROTOCOL 8.3.3).
func TestTwoUsersRaceOneDevice(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	defer dumpLogsOnFailure(t, s.Log)

	// Meanwhile the device is re-registered again and again, which must
	// keep its batch fields (PROTOCOL 6.4).
	t.Run("Sequences", func(t *testing.T) {
		device, dev := raceSetup(t, s)
		alice := newRacer(t, s, device, "alice", neverOneStep, s.API)
		bob := newRacer(t, s, device, "bob", everyOtherOneStep, s.API)
		stop := make(chan struct{})
		registered := make(chan int)
		go func() {
			n := 0
			defer func() { registered <- n }()
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				user := []string{"alice", "bob"}[n%2]
				if err := registerDevice(s.API, device, user, "pw-secret-"+user); err != nil {
					t.Errorf("re-registration during the race: %v", err)
					return
				}
				n++
			}
		}()
		runRace(t, 10, alice, bob)
		close(stop)
		t.Logf("%d re-registrations during the race", <-registered)
		if t.Failed() {
			return
		}
		checkRace(t, s, dev, alice, bob)
	})

	// One-step uploads by bob racing with alice's multi-step batch: each
	// is refused as busy while the batch is open, and the first to
	// succeed commits after alice's batch.
	t.Run("OneStepDuringBatch", func(t *testing.T) {
		device, dev := raceSetup(t, s)
		alice := newRacer(t, s, device, "alice", neverOneStep, s.API)
		bob := newRacer(t, s, device, "bob", everyOtherOneStep, s.API)
		aliceTry := &uploadTry{comment: "alice try0", recs: alice.records(0), committed: true}
		alice.tries = []*uploadTry{aliceTry}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(alice.p.preamble())
		must(alice.p.step("start_upload", nil, "start_upload"))
		must(alice.p.step("upload_table", tableParams("bmi", bmiFields, versionedBMIRows(aliceTry.recs)), "Table bmi upload successful"))
		must(bob.p.preamble())
		params, err := bmiOneStepParams(bob.records(0), false)
		must(err)
		if err := bob.p.step("upload_entire_database", params, "Success"); !errors.Is(err, errDeviceBusy) {
			t.Fatalf("bob's one-step during alice's batch: %v, want the busy error", err)
		}
		bob.tries = append(bob.tries, &uploadTry{comment: "bob try0", recs: bob.records(0)})
		if n := s.count(t, "bmi", "_device_id = ? AND _addition_pending", dev); n != len(aliceTry.recs) {
			t.Fatalf("%d pending rows after bob's refused one-step, want alice's %d", n, len(aliceTry.recs))
		}

		// Now alice finishes her batch slowly while bob keeps trying.
		done := make(chan error, 1)
		go func() {
			for range 3 {
				time.Sleep(20 * time.Millisecond)
				if err := alice.p.step("upload_table", tableParams("bmi", bmiFields, versionedBMIRows(aliceTry.recs)),
					"Table bmi upload successful"); err != nil {
					done <- err
					return
				}
			}
			done <- alice.p.step("end_upload", nil, "end_upload")
		}()
		for a := 1; ; a++ {
			try := &uploadTry{comment: fmt.Sprintf("bob try%d", a), recs: bob.records(a), oneStep: true}
			bob.tries = append(bob.tries, try)
			err := bob.p.preamble()
			if err == nil {
				var params map[string]string
				if params, err = bmiOneStepParams(try.recs, false); err == nil {
					err = bob.p.step("upload_entire_database", params, "Success")
				}
			}
			if errors.Is(err, errDeviceBusy) {
				bob.busy++
				time.Sleep(2 * time.Millisecond)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			try.committed = true
			break
		}
		if err := <-done; err != nil {
			t.Fatalf("alice: %v", err)
		}
		t.Logf("bob's one-step was refused %d times while alice's batch was open", bob.busy)
		checkRace(t, s, dev, alice, bob)
		if a := auditRows(t, s, dev); len(a) == 2 && (a[0].Username != "alice" || a[1].Username != "bob") {
			t.Errorf("commit order %s then %s, want alice's batch before bob's one-step", a[0].Username, a[1].Username)
		}
	})

	// With a short stale-batch timeout: alice's batch goes stale, then the
	// rest of alice's sequence (upload_empty_tables, a pause, end_upload)
	// and bob's takeover (start_upload, a pause, upload_table, end_upload)
	// race. Exactly one wins. Alice first refreshes her batch, so bob is
	// refused as busy and alice commits. Bob first rolls back alice's
	// pending rows, and alice is refused as busy; or, if her request comes
	// only after bob's commit, as taken over (PROTOCOL 8.3.2, 8.3.3).
	t.Run("StaleTakeover", func(t *testing.T) {
		// The pauses are far shorter than the timeout, so that a batch
		// goes stale only by the deliberate step of the server's clock,
		// even on a loaded machine.
		const stale, pause = time.Minute, 100 * time.Millisecond
		st := startServer(t, "--stale-batch-timeout", stale.String())
		defer dumpLogsOnFailure(t, st.Log)
		device, dev := raceSetup(t, st)
		alice := newRacer(t, st, device, "alice", neverOneStep, st.API)
		bob := newRacer(t, st, device, "bob", neverOneStep, st.API)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		var before map[int64]int64 // client PK → server PK of the live rows
		outcomes := map[string]int{}
		for i := range 4 {
			aRecs, bRecs := alice.records(i), bob.records(i)
			aComment, bComment := fmt.Sprintf("alice try%d", i), fmt.Sprintf("bob try%d", i)
			audits := len(auditRows(t, st, dev))
			must(alice.p.preamble())
			must(alice.p.step("start_upload", nil, "start_upload"))
			must(alice.p.step("upload_table", tableParams("bmi", bmiFields, versionedBMIRows(aRecs)), "Table bmi upload successful"))
			must(bob.p.preamble())
			st.Clock.Advance(stale + pause)
			var aliceErr, bobErr error
			aliceGoing, bobStarted := false, false
			var wg sync.WaitGroup
			wg.Go(func() {
				if aliceErr = alice.p.step("upload_empty_tables", map[string]string{"tables": "phq9"},
					"UPLOAD-EMPTY-TABLES"); aliceErr != nil {
					return
				}
				aliceGoing = true
				time.Sleep(pause)
				aliceErr = alice.p.step("end_upload", nil, "end_upload")
			})
			wg.Go(func() {
				if bobErr = bob.p.step("start_upload", nil, "start_upload"); bobErr != nil {
					return
				}
				bobStarted = true
				time.Sleep(pause)
				if bobErr = bob.p.step("upload_table", tableParams("bmi", bmiFields, versionedBMIRows(bRecs)),
					"Table bmi upload successful"); bobErr == nil {
					bobErr = bob.p.step("end_upload", nil, "end_upload")
				}
			})
			wg.Wait()
			aliceBusy := (errors.Is(aliceErr, errDeviceBusy) || errors.Is(aliceErr, errTakenOver)) && !aliceGoing
			bobBusy := errors.Is(bobErr, errDeviceBusy) && !bobStarted
			if (aliceErr != nil && !aliceBusy) || (bobErr != nil && !bobBusy) {
				t.Fatalf("iteration %d: alice: %v; bob: %v", i, aliceErr, bobErr)
			}
			// The commits, in order, by their comments.
			var commits []string
			newAudits := auditRows(t, st, dev)[audits:]
			switch {
			case aliceErr == nil && bobBusy:
				commits = []string{aComment}
				outcomes["alice kept her batch"]++
			case bobErr == nil && aliceBusy:
				commits = []string{bComment}
				outcomes["bob took over"]++
			case bobErr == nil && aliceErr == nil && len(newAudits) > 0 && newAudits[0].Username == "alice":
				commits = []string{aComment, bComment}
				outcomes["alice committed before bob started"]++
			default:
				t.Fatalf("iteration %d: both refused: alice: %v; bob: %v", i, aliceErr, bobErr)
			}
			var want []string
			serverPKs := map[string]map[int64]int64{}
			for _, comment := range []string{aComment, bComment} {
				rows, err := bmiHistory(st, dev, "comment = ?", comment)
				if err != nil {
					t.Fatal(err)
				}
				if slices.Contains(commits, comment) != (len(rows) > 0) {
					t.Fatalf("iteration %d, commits %q: %s has rows %+v", i, commits, comment, rows)
				}
				serverPKs[comment] = serverPKsOf(rows)
			}
			last := ""
			for _, c := range commits {
				user, _, _ := strings.Cut(c, " ")
				want = append(want, fmt.Sprintf("Upload from device %d, username '%s': %s", dev, user, pkMapDiff(before, serverPKs[c])))
				before, last = serverPKs[c], c
			}
			var got []string
			for _, a := range newAudits {
				got = append(got, a.Details)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("iteration %d: new audits\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			live, err := bmiHistory(st, dev, "_era = 'NOW' AND _current")
			if err != nil {
				t.Fatal(err)
			}
			if got := serverPKsOf(live); !maps.Equal(got, before) || len(live) != len(before) {
				t.Fatalf("iteration %d: live rows %+v, want those of %s", i, live, last)
			}
		}
		t.Logf("outcomes: %v", outcomes)
		checkGlobalInvariants(t, st, st.Log)
	})

	if !t.Failed() {
		checkGlobalInvariants(t, s, s.Log)
	}
}

// ---- Test 3: two servers on one database.

// buildBinary builds the command into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build with: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "tabletapi")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServerProcess runs `tabletapi serve` as a separate OS process on dbURL
// until the test ends, and returns its API endpoint and log.
func startServerProcess(t *testing.T, bin, dbURL string) (string, *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TABLETAPI_") {
			env = append(env, kv)
		}
	}
	log := new(syncBuffer)
	cmd := exec.Command(bin, "serve", "--database", dbURL, "--listen", addr, "--bcrypt-cost", "4")
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = env, t.TempDir(), log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt) //nolint:errcheck
		select {
		case err := <-waited:
			if err != nil {
				t.Errorf("server process: %v\n%s", err, log)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill() //nolint:errcheck
			<-waited
			t.Errorf("server process did not stop")
		}
	})
	waitServing(t, log, waited)
	return "http://" + addr + "/api", log
}

// TestTwoServersShareDatabase: two servers (two `Run` instances, each with
// its own connection pool, and in one subtest a separate OS process) share
// one database. Sessions made on one work on the other; the requests of one
// batch can alternate between them; devices split across them upload at
// once; the device lock serialises one device's requests across servers
// (PROTOCOL 8.3.1: on SQLite, the immediate write transaction, a lock on
// the database file that the processes share), whether two users race for it,
// one batch's requests arrive at both at once, or a one-step upload is
// retried while the first copy still runs (PROTOCOL 8.8).
func TestTwoServersShareDatabase(t *testing.T) {
	t.Parallel()
	a := startServer(t)
	b := startServerOn(t, a.DBURL)
	defer dumpLogsOnFailure(t, a.Log, b.Log)
	for _, u := range []string{"alice", "bob"} {
		a.addUser(t, "research", u, "pw-secret-"+u, "--may-upload", "--may-register-devices")
	}

	// One sequence whose requests alternate A, B, A, …: one login on A,
	// and B accepts A's session (the IP is 127.0.0.1 for both).
	t.Run("SessionAcrossServers", func(t *testing.T) {
		device := testclient.NewDeviceID()
		if err := registerDevice(a.API, device, "alice", "pw-secret-alice"); err != nil {
			t.Fatal(err)
		}
		logins := a.count(t, "audit_log", "details = 'Login as user: alice'")
		p := newSender("alice", device, "alice", "pw-secret-alice", a.API, b.API)
		tb := &fleetTablet{p: p, device: device, user: "alice", n: 100,
			cur: map[int64]bmiVersion{}, history: map[int64][]bmiVersion{}, deleted: map[int64]bool{}}
		if err := tb.run([]uploadRound{roundMulti, roundMulti, roundOne, roundMulti}); err != nil {
			t.Fatal(err)
		}
		if n := a.count(t, "audit_log", "details = 'Login as user: alice'") - logins; n != 4 {
			t.Errorf("%d logins for 4 sequences of alternating requests, want 4 (B must accept A's sessions)", n)
		}
		if len(p.sessions) != 4 {
			t.Errorf("%d distinct sessions in replies, want 4: %v", len(p.sessions), p.sessions)
		}
		tb.dev = queryInt(t, a, "SELECT id FROM devices WHERE name = ?", device)
		tb.check(t, a)
	})

	// The requests of one batch interleaved between A and B while another
	// upload_table of the same batch arrives at the other server: several
	// upload_table requests of alice's batch, for the same table, sent at
	// once through A and B. The device lock must run them one after the
	// other, so each replaces the previous (PROTOCOL 6.14 step 7) and the
	// commit holds exactly one of them.
	t.Run("OneBatchBothServers", func(t *testing.T) {
		device := testclient.NewDeviceID()
		if err := registerDevice(b.API, device, "alice", "pw-secret-alice"); err != nil {
			t.Fatal(err)
		}
		dev := queryInt(t, a, "SELECT id FROM devices WHERE name = ?", device)
		const senders, iterations, nrec = 4, 4, 20
		var ps []*sender
		for k := range senders {
			p := newSender(fmt.Sprintf("alice sender %d", k), device, "alice", "pw-secret-alice", []string{a.API, b.API}[k%2])
			if err := p.preamble(); err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
		}
		history := map[int64][]bmiVersion{}
		var before map[int64]int64 // client PK → server PK of the live rows
		var allPKs []int64
		for pk := int64(1); pk <= nrec; pk++ {
			allPKs = append(allPKs, pk)
		}
		for i := range iterations {
			if err := ps[0].step("start_upload", nil, "start_upload"); err != nil {
				t.Fatal(err)
			}
			sends := make([]map[int64]bmiVersion, senders)
			var wg sync.WaitGroup
			startLine := make(chan struct{})
			for k, p := range ps {
				recs := map[int64]bmiVersion{}
				for _, pk := range allPKs {
					recs[pk] = bmiVersion{
						wlm:     fmt.Sprintf("2024-08-%02dT10:%02d:00.000+01:00", i+1, k),
						comment: fmt.Sprintf("iteration%d sender%d", i, k),
					}
				}
				sends[k] = recs
				wg.Go(func() {
					<-startLine
					for range 3 {
						if err := p.step("upload_table", tableParams("bmi", bmiFields, versionedBMIRows(recs)),
							"Table bmi upload successful"); err != nil {
							t.Errorf("iteration %d: %v", i, err)
							return
						}
					}
				})
			}
			close(startLine)
			wg.Wait()
			if t.Failed() {
				return
			}
			if err := ps[1].step("end_upload", nil, "end_upload"); err != nil {
				t.Fatal(err)
			}
			live, err := bmiHistory(a, dev, "_era = 'NOW' AND _current")
			if err != nil {
				t.Fatal(err)
			}
			if len(live) != nrec {
				t.Fatalf("iteration %d: %d live rows, want %d: %+v", i, len(live), nrec, live)
			}
			winner := -1
			for k := range senders {
				if live[0].comment() == fmt.Sprintf("iteration%d sender%d", i, k) {
					winner = k
				}
			}
			if winner < 0 {
				t.Fatalf("iteration %d: live row %+v is from no sender", i, live[0])
			}
			for _, r := range live {
				if r.comment() != live[0].comment() {
					t.Fatalf("iteration %d: live rows mix two upload_table requests: %+v", i, live)
				}
			}
			for pk, v := range sends[winner] {
				history[pk] = append(history[pk], v)
			}
			audits := auditRows(t, a, dev)
			after := serverPKsOf(live)
			want := fmt.Sprintf("Upload from device %d, username 'alice': %s", dev, pkMapDiff(before, after))
			before = after
			if len(audits) != i+1 || audits[i].Details != want {
				t.Fatalf("iteration %d: audits %+v, want %d, the last\n%s", i, audits, i+1, want)
			}
		}
		rows, err := bmiHistory(a, dev, "1 = 1")
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64][]bmiHistoryRow{}
		for _, r := range rows {
			byID[r.ID] = append(byID[r.ID], r)
		}
		for _, pk := range allPKs {
			if err := checkVersionChain(byID[pk], history[pk], true); err != nil {
				t.Errorf("client PK %d: %v", pk, err)
			}
		}
	})

	// Six tablets at once: two through A, two through B, and two whose
	// requests alternate between A and B.
	t.Run("ConcurrentDevices", func(t *testing.T) {
		apis := [][]string{{a.API}, {b.API}, {a.API, b.API}}
		tablets := newFleetTablets(6, []string{"alice", "bob"}, func(i int) []string { return apis[i%3] })
		runTablets(t, tablets, []uploadRound{roundMulti, roundOne, roundMulti}, func(i int) string { return []string{a.API, b.API}[i%2] })
		if t.Failed() {
			return
		}
		for _, tb := range tablets {
			tb.dev = queryInt(t, a, "SELECT id FROM devices WHERE name = ?", tb.device)
			tb.check(t, a)
		}
	})

	// Alice through A and bob through B race for one device; one-step
	// uploads by bob included.
	t.Run("SameDeviceTwoUsers", func(t *testing.T) {
		device, dev := raceSetup(t, a)
		alice := newRacer(t, a, device, "alice", neverOneStep, a.API)
		bob := newRacer(t, a, device, "bob", everyOtherOneStep, b.API)
		runRace(t, 8, alice, bob)
		if t.Failed() {
			return
		}
		checkRace(t, a, dev, alice, bob)
	})

	// A one-step upload sent four times at once, through A and B, as a
	// client retrying while its first request is still running would: the
	// device lock runs them one after the other, the first stores the
	// records and the others find nothing to do (PROTOCOL 8.8 "Retries are
	// idempotent"), for a Copy and for a finalizing (Move) upload.
	t.Run("ConcurrentRetries", func(t *testing.T) {
		for _, finalizing := range []bool{false, true} {
			device, dev := raceSetup(t, a)
			recs := map[int64]bmiVersion{}
			for pk := int64(1); pk <= 10; pk++ {
				recs[pk] = bmiVersion{wlm: "2024-09-01T10:00:00.000+01:00", comment: fmt.Sprintf("retry %v", finalizing)}
			}
			params, err := bmiOneStepParams(recs, false)
			if err != nil {
				t.Fatal(err)
			}
			if finalizing {
				params["finalizing"] = "1"
			}
			const copies = 4
			var ps []*sender
			for k := range copies {
				p := newSender(fmt.Sprintf("alice copy %d", k), device, "alice", "pw-secret-alice", []string{a.API, b.API}[k%2])
				if err := p.preamble(); err != nil {
					t.Fatal(err)
				}
				ps = append(ps, p)
			}
			var wg sync.WaitGroup
			startLine := make(chan struct{})
			for _, p := range ps {
				wg.Go(func() {
					<-startLine
					if err := p.step("upload_entire_database", params, "Success"); err != nil {
						t.Errorf("finalizing %v: %v", finalizing, err)
					}
				})
			}
			close(startLine)
			wg.Wait()
			if t.Failed() {
				return
			}
			rows, err := bmiHistory(a, dev, "1 = 1")
			if err != nil {
				t.Fatal(err)
			}
			if got := serverPKsOf(rows); len(rows) != len(recs) || len(got) != len(recs) {
				t.Errorf("finalizing %v: %d rows for %d records: %+v", finalizing, len(rows), len(recs), rows)
			}
			for _, r := range rows {
				if !r.Current || r.AddPending || r.RemPending || (r.Era == "NOW") == finalizing {
					t.Errorf("finalizing %v: bad row %+v", finalizing, r)
				}
			}
			noChanges := 0
			for _, au := range auditRows(t, a, dev) {
				if strings.HasSuffix(au.Details, ": No changes") {
					noChanges++
				}
			}
			if n := len(auditRows(t, a, dev)); n != copies || noChanges != copies-1 {
				t.Errorf("finalizing %v: %d upload audits, %d of them No changes; want %d and %d",
					finalizing, n, noChanges, copies, copies-1)
			}
		}
	})

	// The same race with B a separate OS process, and alice's requests
	// alternating between the two.
	t.Run("SeparateProcess", func(t *testing.T) {
		if testing.Short() {
			t.Skip("builds the binary")
		}
		api, log := startServerProcess(t, buildBinary(t), a.DBURL)
		defer dumpLogsOnFailure(t, a.Log, log)
		device, dev := raceSetup(t, a)
		alice := newRacer(t, a, device, "alice", neverOneStep, a.API, api)
		bob := newRacer(t, a, device, "bob", everyOtherOneStep, api)
		runRace(t, 8, alice, bob)
		if t.Failed() {
			return
		}
		checkRace(t, a, dev, alice, bob)
		checkGlobalInvariants(t, a, log)
	})

	if !t.Failed() {
		checkGlobalInvariants(t, a, a.Log, b.Log)
	}
}
