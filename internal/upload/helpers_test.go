package upload_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/schema"
)

// testRegistry is a patient table and one task table: enough for every
// rule, and quick to create on PostgreSQL.
const testRegistry = `
table patient kind=patient pk=id min_version=2.0.0
    id                  integer
    when_last_modified  datetime
    _move_off_tablet    boolean
    forename            text
table bmi kind=task pk=id min_version=2.0.0
    id                  integer
    when_last_modified  datetime
    _move_off_tablet    boolean
    patient_id          integer
    mass_kg             real
`

// t0 is the clock at the start of every test: whole seconds, in the past,
// so that the real receipt times of the requests are never before it.
var t0 = time.Date(2020, 3, 1, 10, 0, 0, 0, time.UTC)

// at is t0 plus d, for readable test times.
func at(d time.Duration) time.Time { return t0.Add(d) }

// fixture is an engine on a fresh database with testRegistry's tables,
// users alice and bob, and one registered device.
type fixture struct {
	db       *bun.DB
	engine   *upload.Engine
	deviceID int64
	users    map[string]int64
	names    map[int64]string
}

// staleTimeout is the fixture engine's: another user's batch is abandoned
// after 10 minutes without activity.
const staleTimeout = 10 * time.Minute

// mustFixture returns a fixture on a fresh database.
func mustFixture(tb testing.TB) *fixture {
	tb.Helper()
	reg, err := registry.Parse(strings.NewReader(testRegistry), "test")
	if err != nil {
		tb.Fatal(err)
	}
	db := dbtest.New(tb)
	if err := schema.SyncTables(tb.Context(), db, reg); err != nil {
		tb.Fatal(err)
	}
	f := &fixture{db: db, engine: upload.NewEngine(reg, staleTimeout), users: map[string]int64{}, names: map[int64]string{}}
	for _, u := range []string{"alice", "bob"} {
		var id int64
		if err := db.NewRaw("INSERT INTO users (username) VALUES (?) RETURNING id", u).Scan(tb.Context(), &id); err != nil {
			tb.Fatalf("insert user %q: %v", u, err)
		}
		f.users[u], f.names[id] = id, u
	}
	d, err := device.NewStore(db, nil).Register(tb.Context(), device.Registration{
		Name: "tablet1", CamcopsVersion: "2.4.24", UserID: f.users["alice"],
	})
	if err != nil {
		tb.Fatal(err)
	}
	f.deviceID = d.ID
	return f
}

// op is an engine operation.
type op func(*upload.Engine) func(context.Context, *upload.Call) (string, error)

var (
	startUpload       op = func(e *upload.Engine) func(context.Context, *upload.Call) (string, error) { return e.StartUpload }
	startPreservation op = func(e *upload.Engine) func(context.Context, *upload.Call) (string, error) { return e.StartPreservation }
	uploadTable       op = func(e *upload.Engine) func(context.Context, *upload.Call) (string, error) { return e.UploadTable }
	endUpload         op = func(e *upload.Engine) func(context.Context, *upload.Call) (string, error) { return e.EndUpload }
	uploadEntireDB    op = func(e *upload.Engine) func(context.Context, *upload.Call) (string, error) {
		return e.UploadEntireDatabase
	}
)

// run runs one request's phase B, as the API does: o in its own
// transaction, by user at now, with the form's parameters.
func (f *fixture) run(tb testing.TB, o op, user string, now time.Time, form map[string]string) (string, error) {
	tb.Helper()
	var res string
	err := upload.InTransaction(tb.Context(), f.db, func(ctx context.Context, tx *upload.Tx) error {
		var err error
		res, err = o(f.engine)(ctx, f.call(tx, user, now, form))
		return err
	})
	return res, err
}

// mustRun is run that fails the test on an error.
func (f *fixture) mustRun(tb testing.TB, o op, user string, now time.Time, form map[string]string) {
	tb.Helper()
	if _, err := f.run(tb, o, user, now, form); err != nil {
		tb.Fatalf("%s at %s: %v", user, now.Format(time.TimeOnly), err)
	}
}

// call is the engine's view of one request.
func (f *fixture) call(tx *upload.Tx, user string, now time.Time, form map[string]string) *upload.Call {
	return &upload.Call{
		Tx: tx, DeviceID: f.deviceID, UserID: f.users[user], Username: user, GroupID: 1,
		Version: "2.4.24", VersionShown: "2.4.24", ClientIP: "127.0.0.1",
		Now: now, Received: time.Now(),
		AtLeast: func(string) bool { return true },
		Get: func(k string) string {
			if v := form[k]; strings.TrimSpace(v) != "" {
				return v
			}
			return ""
		},
		Raw: func(k string) (string, bool) { v, ok := form[k]; return v, ok },
	}
}

// bmiRecord is one bmi record: client PK id, modified at minute wlm of
// the client's clock, with its _move_off_tablet flag.
type bmiRecord struct {
	id, wlm int
	moveOff bool
}

func (r bmiRecord) values() []string {
	return []string{strconv.Itoa(r.id), fmt.Sprintf("'2020-02-01T09:%02d:00.000+00:00'", r.wlm), flag(r.moveOff), "1", "70.5"}
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

var bmiFields = []string{"id", "when_last_modified", "_move_off_tablet", "patient_id", "mass_kg"}

// record is a test record of one table, as the client writes its values.
type record interface{ values() []string }

// tableForm is upload_table's form for bmi with recs.
func tableForm(recs ...bmiRecord) map[string]string { return tableFormOf("bmi", bmiFields, recs) }

// tableFormOf is upload_table's form for table, whose records have fields,
// with recs.
func tableFormOf[R record](table string, fields []string, recs []R) map[string]string {
	form := map[string]string{"table": table, "pkname": "id", "fields": strings.Join(fields, ","),
		"nrecords": strconv.Itoa(len(recs))}
	for i, r := range recs {
		form["record"+strconv.Itoa(i)] = strings.Join(r.values(), ",")
	}
	return form
}

// oneStepForm is upload_entire_database's form with recs as bmi's rows and
// no patients.
func oneStepForm(finalizing bool, recs ...bmiRecord) map[string]string {
	return oneStepFormOf(finalizing, "", jsonRows(bmiFields, recs))
}

// oneStepFormOf is upload_entire_database's form with these patient and
// bmi rows ("" for none).
func oneStepFormOf(finalizing bool, patients, bmis any) map[string]string {
	data, _ := json.Marshal(map[string]any{"patient": patients, "bmi": bmis})
	return map[string]string{"finalizing": flag(finalizing), "pknameinfo": `{"patient":"id","bmi":"id"}`, "dbdata": string(data)}
}

// jsonRows are recs as one-step rows, each mapping fields to values.
func jsonRows[R record](fields []string, recs []R) []map[string]string {
	rows := []map[string]string{}
	for _, r := range recs {
		row := map[string]string{}
		for i, v := range r.values() {
			row[fields[i]] = v
		}
		rows = append(rows, row)
	}
	return rows
}

// bmiRow is a stored bmi row's bookkeeping.
type bmiRow struct {
	PK               int64      `bun:"_pk"`
	ID               int64      `bun:"id"`
	Current          bool       `bun:"_current"`
	AdditionPending  bool       `bun:"_addition_pending"`
	RemovalPending   bool       `bun:"_removal_pending"`
	Era              string     `bun:"_era"`
	Predecessor      *int64     `bun:"_predecessor_pk"`
	Successor        *int64     `bun:"_successor_pk"`
	AddingUser       *int64     `bun:"_adding_user_id"`
	WhenAdded        *time.Time `bun:"_when_added_exact"`
	AddedBatch       *time.Time `bun:"_when_added_batch_utc"`
	RemovingUser     *int64     `bun:"_removing_user_id"`
	WhenRemoved      *time.Time `bun:"_when_removed_exact"`
	RemovedBatch     *time.Time `bun:"_when_removed_batch_utc"`
	PreservingUser   *int64     `bun:"_preserving_user_id"`
	MoveOff          bool       `bun:"_move_off_tablet"`
	ForciblyPreserve bool       `bun:"_forcibly_preserved"`
}

// bmiRows writes every bmi row of the device, in _pk order, one line each:
// the PKs and flags, then who added, removed and preserved it, when
// (exact/batch, as times after t0) and in which era.
func (f *fixture) bmiRows(tb testing.TB) []string {
	tb.Helper()
	var rows []bmiRow
	if err := f.db.NewRaw(`SELECT _pk, id, _current, _addition_pending, _removal_pending, _era, _predecessor_pk,
       _successor_pk, _adding_user_id, _when_added_exact, _when_added_batch_utc, _removing_user_id,
       _when_removed_exact, _when_removed_batch_utc, _preserving_user_id, _move_off_tablet, _forcibly_preserved
FROM bmi WHERE _device_id = ? ORDER BY _pk`, f.deviceID).Scan(tb.Context(), &rows); err != nil {
		tb.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("pk%d id%d current=%s addpend=%s rempend=%s pred=%s succ=%s era=%s added=%s removed=%s preserved=%s moveoff=%s forced=%s",
			r.PK, r.ID, flag(r.Current), flag(r.AdditionPending), flag(r.RemovalPending), pk(r.Predecessor), pk(r.Successor),
			r.Era, f.who(r.AddingUser, r.WhenAdded, r.AddedBatch), f.who(r.RemovingUser, r.WhenRemoved, r.RemovedBatch),
			f.who(r.PreservingUser, nil, nil), flag(r.MoveOff), flag(r.ForciblyPreserve))
	}
	return out
}

func pk(p *int64) string {
	if p == nil {
		return "-"
	}
	return "pk" + strconv.FormatInt(*p, 10)
}

// who writes a user and two times as "alice@+2m0s/+1m0s", or "-".
func (f *fixture) who(user *int64, exact, batch *time.Time) string {
	if user == nil && exact == nil && batch == nil {
		return "-"
	}
	s := "-"
	if user != nil {
		s = f.names[*user]
	}
	if exact != nil || batch != nil {
		s += "@" + since(exact) + "/" + since(batch)
	}
	return s
}

// since writes t as an offset from t0.
func since(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return "+" + t.Sub(t0).String()
}

// deviceBatch writes the device row's batch columns (PROTOCOL 8.2), times
// as offsets from t0; the database-clock start only as set or not.
func (f *fixture) deviceBatch(tb testing.TB) string {
	tb.Helper()
	d, err := device.NewStore(f.db, nil).ByName(tb.Context(), "tablet1")
	if err != nil {
		tb.Fatal(err)
	}
	owner := "-"
	if d.UploadingUserID != nil {
		owner = f.names[*d.UploadingUserID]
	}
	return fmt.Sprintf("last=%s ongoing=%s owner=%s preserving=%s activity=%s received=%s started=%s",
		since(d.LastUploadBatchUTC), since(d.OngoingUploadBatchUTC), owner, flag(d.CurrentlyPreserving),
		since(d.BatchLastActivityUTC), flag(d.BatchAlreadyReceived), flag(d.BatchStartedDBUTC != nil))
}

// audits returns the upload audit entries' details, oldest first.
func (f *fixture) audits(tb testing.TB) []string {
	tb.Helper()
	var out []string
	if err := f.db.NewRaw("SELECT details FROM audit_log WHERE details LIKE 'Upload from%' ORDER BY id").
		Scan(tb.Context(), &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// wantLines fails the test unless got equals want, line by line.
func wantLines(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		tb.Fatalf("%s:\ngot:\n\t%s\nwant:\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
