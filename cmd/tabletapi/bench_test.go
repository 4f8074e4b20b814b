package main_test

// Benchmarks of the performance claims of phase A: session reuse, password
// login and a login storm (see BENCHMARKS.md for the figures and the
// commands). BenchmarkSessionReuse and its yardstick BenchmarkBareSelect1
// run on PostgreSQL when TABLETAPI_TEST_DATABASE_URL is set and on SQLite
// otherwise (issue 14 has a target for each); the others need PostgreSQL:
// their claims are about the production database.
//
// The load generator, the server and PostgreSQL share the machine, so only
// ratios between benchmarks of the same run mean anything.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"
	"golang.org/x/crypto/bcrypt"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/testclient"
)

const (
	// benchParallelism is RunParallel's goroutines per GOMAXPROCS, the same
	// for the server and for its bare baseline.
	benchParallelism = 4
	// benchPassword has the length of a typical password; the body size of
	// the requests depends on it.
	benchPassword = "correct-horse-battery"
	// pgStatsFlushWait is how long PostgreSQL 15+ may keep the statistics of
	// an idle backend before it flushes them to pg_stat_database: 10 s
	// (PGSTAT_IDLE_INTERVAL), plus a margin.
	pgStatsFlushWait = 11500 * time.Millisecond
)

// skipWithoutPostgres skips b unless the suite runs against PostgreSQL.
func skipWithoutPostgres(b *testing.B) {
	b.Helper()
	if !dbtest.Postgres() {
		b.Skipf("needs PostgreSQL: set %s, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable "+
			"(these benchmarks measure PostgreSQL figures)", dbtest.EnvURL)
	}
}

// benchHTTPClient returns a keep-alive client that keeps an idle connection
// for every concurrent goroutine: http.DefaultTransport keeps only two per
// host, so a parallel benchmark would mostly measure TCP connection setup.
func benchHTTPClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 512
	return &http.Client{Transport: t, Timeout: timeout}
}

// checkUpload sends check_upload_user_and_device and returns an error
// unless the client accepts the reply.
func checkUpload(ctx context.Context, c *testclient.Client) error {
	r, err := c.CheckUploadUserAndDevice(ctx)
	if err != nil {
		return err
	}
	return r.Err()
}

// loggedInClient registers a new device for user and logs in once; the
// returned client carries that session.
func loggedInClient(b *testing.B, api string, hc *http.Client, user, pw string) *testclient.Client {
	b.Helper()
	c := testclient.New(testclient.Config{
		URL: api, Device: testclient.NewDeviceID(), User: user, Password: pw, HTTPClient: hc,
	})
	if _, err := c.RegisterSequence(b.Context(), "bench tablet"); err != nil {
		b.Fatalf("register: %v", err)
	}
	if err := checkUpload(b.Context(), c); err != nil {
		b.Fatalf("first check_upload_user_and_device: %v", err)
	}
	return c
}

// addUserCost12 creates group and a user in it whose hash has cost 12, the
// production default (addUser hashes at cost 4).
func addUserCost12(b *testing.B, s *testServer, group, user, pw string) {
	b.Helper()
	s.mustAdmin(b, "", "group", "add", group, "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND anyidnum")
	s.mustAdmin(b, pw+"\n", "user", "add", user, "--group", group, "--may-upload", "--may-register-devices", "--bcrypt-cost", "12")
}

// runParallelRequests is the Parallel sub-benchmark of BenchmarkSessionReuse
// and BenchmarkBareSelect1: each goroutine takes a client of pool and sends
// check_upload_user_and_device with it until the benchmark ends.
func runParallelRequests(b *testing.B, pool chan *testclient.Client, cpu *cpuMeter) {
	ctx := b.Context()
	b.SetParallelism(benchParallelism)
	start := cpu.sample(b)
	b.RunParallel(func(pb *testing.PB) {
		var c *testclient.Client
		select {
		case c = <-pool:
		default:
			b.Error("client pool too small for the parallelism")
			return
		}
		defer func() { pool <- c }()
		for pb.Next() {
			if err := checkUpload(ctx, c); err != nil {
				b.Error(err)
				return
			}
		}
	})
	cpu.report(b, start, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// clientPool returns a channel holding clients.
func clientPool(clients []*testclient.Client) chan *testclient.Client {
	pool := make(chan *testclient.Client, len(clients))
	for _, c := range clients {
		pool <- c
	}
	return pool
}

// BenchmarkSessionReuse: check_upload_user_and_device on a session logged in
// once, end to end over loopback, on PostgreSQL (or SQLite, see above).
// Sequential checks that no request logged in again and, on PostgreSQL,
// counts what each request costs the database (from pg_stat_database).
// Compare with BenchmarkBareSelect1 on the same database.
func BenchmarkSessionReuse(b *testing.B) {
	s := startServer(b)
	hc := benchHTTPClient(testclient.DefaultTimeout)
	s.addUser(b, "bench", "bench", benchPassword, "--may-upload", "--may-register-devices")
	clients := make([]*testclient.Client, benchParallelism*runtime.GOMAXPROCS(0))
	for i := range clients {
		clients[i] = loggedInClient(b, s.API, hc, "bench", benchPassword)
	}

	var stats *pgStats
	if dbtest.Postgres() {
		stats = newPGStats(b, s.DBURL)
	}
	cpu := &cpuMeter{stats: stats}

	b.Run("Sequential", func(b *testing.B) {
		ctx := b.Context()
		c := clients[0]
		id, _ := c.Session()
		logins := s.count(b, "audit_log", "details LIKE 'Login as user:%'")
		var before pgCounters
		if stats != nil {
			before = stats.settled(b)
		}
		start := cpu.sample(b)
		n := 0
		for b.Loop() {
			if err := checkUpload(ctx, c); err != nil {
				b.Fatal(err)
			}
			n++
		}
		cpu.report(b, start, n)
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "req/s")
		if stats != nil {
			stats.settled(b).sub(before).report(b, n)
		}
		if now, _ := c.Session(); now != id {
			b.Fatalf("session changed from %s to %s: the session was not reused", id, now)
		}
		if got := s.count(b, "audit_log", "details LIKE 'Login as user:%'"); got != logins {
			b.Fatalf("password logins during the benchmark: %d, want 0", got-logins)
		}
	})

	b.Run("Parallel", func(b *testing.B) {
		runParallelRequests(b, clientPool(clients), cpu)
	})
}

// BenchmarkBareSelect1 is the baseline of BenchmarkSessionReuse: a bare echo
// handler that reads the body, runs SELECT 1 on the database (PostgreSQL,
// or SQLite when TABLETAPI_TEST_DATABASE_URL is not set; opened through
// sqldb.Open, as the server does) and answers a reply of the same size,
// hit by the same client code with the same keep-alive transport.
func BenchmarkBareSelect1(b *testing.B) {
	dbURL := dbtest.NewURL(b)
	db, err := sqldb.Open(dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cpu := new(cpuMeter)
	if dbtest.Postgres() {
		cpu.stats = newPGStats(b, dbURL)
	}
	api := startBareSelect1(b, db)
	hc := benchHTTPClient(testclient.DefaultTimeout)
	clients := make([]*testclient.Client, benchParallelism*runtime.GOMAXPROCS(0))
	for i := range clients {
		clients[i] = testclient.New(testclient.Config{
			URL: api, Device: testclient.NewDeviceID(), User: "bench", Password: benchPassword, HTTPClient: hc,
		})
		// The first reply gives the session the client then carries, so
		// the bodies are those of BenchmarkSessionReuse.
		if err := checkUpload(b.Context(), clients[i]); err != nil {
			b.Fatal(err)
		}
	}

	b.Run("Sequential", func(b *testing.B) {
		ctx := b.Context()
		start := cpu.sample(b)
		n := 0
		for b.Loop() {
			if err := checkUpload(ctx, clients[0]); err != nil {
				b.Fatal(err)
			}
			n++
		}
		cpu.report(b, start, n)
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "req/s")
	})

	b.Run("Parallel", func(b *testing.B) {
		runParallelRequests(b, clientPool(clients), cpu)
	})
}

// newSelectOne returns the yardstick's statement. On PostgreSQL it is the
// simple query protocol, one round trip, as in every earlier measurement.
// On SQLite, where nothing is sent anywhere and the cost is the driver's
// work, it is prepared once, as the server's hot statements are
// (sqldb.Stmt): unprepared, it would be compiled on every request, and
// the yardstick would be slower than the server's own read.
func newSelectOne(db *bun.DB) func(context.Context) *sql.Row {
	if sqldb.IsPostgres(db) {
		return func(ctx context.Context) *sql.Row { return db.QueryRowContext(ctx, "SELECT 1") }
	}
	st := sqldb.NewStmt(db, "SELECT 1")
	return func(ctx context.Context) *sql.Row { return st.QueryRowContext(ctx, db) }
}

// bareReply has the size of the server's check_upload_user_and_device reply.
const bareReply = "result:check_upload_user_and_device\nsuccess:1\nsession_id:1\nsession_token:AAAAAAAAAAAAAAAAAAAAAA==\n"

// startBareSelect1 serves the bare handler on a loopback port, with the
// http.Server timeouts of serve.go, and returns its URL.
func startBareSelect1(b *testing.B, db *bun.DB) string {
	b.Helper()
	selectOne := newSelectOne(db)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/api", func(c echo.Context) error {
		if _, err := io.ReadAll(c.Request().Body); err != nil {
			return err
		}
		var one int
		if err := selectOne(c.Request().Context()).Scan(&one); err != nil {
			return err
		}
		return c.String(http.StatusOK, bareReply)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	go srv.Serve(ln) //nolint:errcheck // ErrServerClosed after Shutdown
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx) //nolint:errcheck
	})
	return "http://" + ln.Addr().String() + "/api"
}

// pgStats reads a database's counters in pg_stat_database through a
// connection to the admin database, so that reading them adds nothing to
// them.
type pgStats struct {
	admin *bun.DB
	name  string
	local bool // the server runs on this machine, so /proc shows its backends
}

// pgCounters are the counters of pg_stat_database we report.
type pgCounters struct {
	commits, rollbacks, returned, fetched, inserted, updated, deleted int64
}

func newPGStats(b *testing.B, dbURL string) *pgStats {
	b.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		b.Fatal(err)
	}
	admin, err := sqldb.Open(os.Getenv(dbtest.EnvURL))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { admin.Close() })
	host := u.Hostname()
	local := host == "" || host == "localhost" || strings.HasPrefix(host, "/") || net.ParseIP(host).IsLoopback()
	return &pgStats{admin: admin, name: strings.TrimPrefix(u.Path, "/"), local: local}
}

// settled waits until every backend has flushed its statistics, then reads
// the counters.
func (p *pgStats) settled(b *testing.B) pgCounters {
	b.Helper()
	time.Sleep(pgStatsFlushWait)
	var c pgCounters
	err := p.admin.QueryRowContext(context.Background(), `
SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted
FROM pg_stat_database WHERE datname = ?`, p.name).
		Scan(&c.commits, &c.rollbacks, &c.returned, &c.fetched, &c.inserted, &c.updated, &c.deleted)
	if err != nil {
		b.Fatalf("read pg_stat_database: %v", err)
	}
	return c
}

func (c pgCounters) sub(d pgCounters) pgCounters {
	return pgCounters{
		c.commits - d.commits, c.rollbacks - d.rollbacks, c.returned - d.returned, c.fetched - d.fetched,
		c.inserted - d.inserted, c.updated - d.updated, c.deleted - d.deleted,
	}
}

// report reports c per request. Outside an explicit transaction each
// statement is its own transaction, so commits/op counts statements.
func (c pgCounters) report(b *testing.B, requests int) {
	n := float64(requests)
	b.ReportMetric(float64(c.commits)/n, "commits/op")
	b.ReportMetric(float64(c.rollbacks)/n, "rollbacks/op")
	b.ReportMetric(float64(c.inserted)/n, "rows_inserted/op")
	b.ReportMetric(float64(c.updated)/n, "rows_updated/op")
	b.ReportMetric(float64(c.deleted)/n, "rows_deleted/op")
	b.ReportMetric(float64(c.fetched)/n, "rows_fetched/op")
	b.ReportMetric(float64(c.returned)/n, "rows_returned/op")
}

// cpuMeter measures CPU time per request from /proc: that of this process
// (load generator and server together, go_cpu_us/op) and that of the
// PostgreSQL backends connected to the benchmark's database (pg_cpu_us/op).
// Unlike throughput, these hardly depend on what else the machine runs;
// foreign_cpu_pct says how much that was (100 = every CPU busy). The
// PostgreSQL figures are left out unless the database is on this machine.
type cpuMeter struct {
	stats *pgStats // nil when no database is involved
}

// pgLocal reports whether the benchmark's backends can be seen in /proc.
func (m *cpuMeter) pgLocal() bool { return m.stats != nil && m.stats.local }

// cpuSample is CPU time in clock ticks: this process's, each backend's, and
// the whole machine's busy and total time.
type cpuSample struct {
	ok          bool
	self        int64
	pg          map[string]int64 // by pid
	busy, total int64
}

// clockTick is Linux's USER_HZ, the unit of the times in /proc.
const clockTick = 10 * time.Millisecond

func (m *cpuMeter) sample(b *testing.B) cpuSample {
	b.Helper()
	self, err := procTicks("self")
	if err != nil {
		return cpuSample{}
	}
	busy, total, err := machineTicks()
	if err != nil {
		return cpuSample{}
	}
	sm := cpuSample{ok: true, self: self, pg: map[string]int64{}, busy: busy, total: total}
	if !m.pgLocal() {
		return sm
	}
	var pids []int64
	err = m.stats.admin.NewSelect().TableExpr("pg_stat_activity").Column("pid").
		Where("datname = ?", m.stats.name).Where("backend_type = 'client backend'").
		Scan(context.Background(), &pids)
	if err != nil {
		b.Fatalf("list backends: %v", err)
	}
	for _, pid := range pids {
		p := strconv.FormatInt(pid, 10)
		if comm, err := os.ReadFile("/proc/" + p + "/comm"); err != nil || string(bytes.TrimSpace(comm)) != "postgres" {
			continue
		}
		if t, err := procTicks(p); err == nil {
			sm.pg[p] = t
		}
	}
	return sm
}

// cpuDelta is CPU time between two samples, in clock ticks.
type cpuDelta struct {
	self, pg, foreign, total int64
}

func (m *cpuMeter) since(b *testing.B, start cpuSample) (cpuDelta, bool) {
	b.Helper()
	end := m.sample(b)
	if !start.ok || !end.ok {
		return cpuDelta{}, false
	}
	var d cpuDelta
	d.self = end.self - start.self
	for pid, t := range end.pg {
		d.pg += t - start.pg[pid] // a backend started during the run counts from 0
	}
	d.total = end.total - start.total
	d.foreign = max(end.busy-start.busy-d.self-d.pg, 0)
	return d, true
}

// foreignPct is the share of the machine that other processes used.
func (d cpuDelta) foreignPct() float64 {
	if d.total == 0 {
		return 0
	}
	return 100 * float64(d.foreign) / float64(d.total)
}

// report reports the CPU time per request since start.
func (m *cpuMeter) report(b *testing.B, start cpuSample, requests int) {
	b.Helper()
	d, ok := m.since(b, start)
	if !ok || requests == 0 {
		return
	}
	us := func(ticks int64) float64 {
		return float64(time.Duration(ticks)*clockTick) / float64(time.Microsecond) / float64(requests)
	}
	b.ReportMetric(us(d.self), "go_cpu_us/op")
	if m.pgLocal() {
		b.ReportMetric(us(d.pg), "pg_cpu_us/op")
	}
	if m.stats == nil || m.pgLocal() {
		b.ReportMetric(d.foreignPct(), "foreign_cpu_pct")
	}
}

// machineTicks returns the busy and total CPU time of the machine, all CPUs
// together, from the first line of /proc/stat.
func machineTicks() (busy, total int64, err error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, errors.New("bad /proc/stat")
	}
	// user nice system idle iowait irq softirq steal
	for i, v := range f[1:9] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		total += n
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, total, nil
}

// procTicks returns the user plus system time of process pid ("self" for
// this one) in clock ticks.
func procTicks(pid string) (int64, error) {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it start with
	// the state (field 3), so utime and stime (14 and 15) are at 11 and 12.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("bad /proc/%s/stat", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("bad /proc/%s/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return utime + stime, nil
}

// BenchmarkLogin: a password login at the default cost 12 per iteration
// (the session is forgotten before each check_upload_user_and_device).
// Compare with BenchmarkBcryptCompare12.
func BenchmarkLogin(b *testing.B) {
	skipWithoutPostgres(b)
	s := startServer(b, "--bcrypt-cost", "12")
	addUserCost12(b, s, "bench", "bench", benchPassword)
	c := loggedInClient(b, s.API, benchHTTPClient(testclient.DefaultTimeout), "bench", benchPassword)
	ctx := b.Context()
	logins := s.count(b, "audit_log", "details LIKE 'Login as user:%'")
	cpu := &cpuMeter{stats: newPGStats(b, s.DBURL)}
	start := cpu.sample(b)
	n := 0
	for b.Loop() {
		c.ResetSession()
		if err := checkUpload(ctx, c); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu.report(b, start, n)
	if got := s.count(b, "audit_log", "details LIKE 'Login as user:%'") - logins; got != n {
		b.Fatalf("password logins = %d, want one per iteration (%d)", got, n)
	}
}

// BenchmarkBcryptCompare12 is the baseline of BenchmarkLogin: one bcrypt
// verification at cost 12, nothing else.
func BenchmarkBcryptCompare12(b *testing.B) {
	hash, err := bcrypt.GenerateFromPassword([]byte(benchPassword), 12)
	if err != nil {
		b.Fatal(err)
	}
	cpu := new(cpuMeter)
	start := cpu.sample(b)
	n := 0
	for b.Loop() {
		if err := bcrypt.CompareHashAndPassword(hash, []byte(benchPassword)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu.report(b, start, n)
}

// Settings of BenchmarkLoginStorm.
const (
	stormLogins  = 200                    // concurrent first logins
	stormHolders = 4                      // goroutines with a held session
	stormThink   = 10 * time.Millisecond  // pause of a holder between requests
	stormIdle    = 5 * time.Second        // idle phase before the storm
	stormWait    = "5m"                   // --bcrypt-wait: every login is served
	stormTimeout = 6 * time.Minute        // HTTP timeout of the storm's clients
	stormSettle  = 500 * time.Millisecond // between the idle phase and the storm
)

// BenchmarkLoginStorm: 200 concurrent first logins at cost 12 while a few
// tablets with held sessions keep sending check_upload_user_and_device (one
// request, then stormThink of rest). It reports the latency percentiles of
// the held-session requests before the storm (idle) and during it, and
// their ratio; run it with -benchtime 1x. The sub-benchmarks differ only
// in --bcrypt-workers.
func BenchmarkLoginStorm(b *testing.B) {
	skipWithoutPostgres(b)
	for _, v := range []struct{ name, workers string }{
		{"workers=NumCPU", ""},
		{"workers=1", "1"},
	} {
		b.Run(v.name, func(b *testing.B) {
			flags := []string{"--bcrypt-cost", "12", "--bcrypt-wait", stormWait}
			if v.workers != "" {
				flags = append(flags, "--bcrypt-workers", v.workers)
			}
			s := startServer(b, flags...)
			addUserCost12(b, s, "bench", "bench", benchPassword)
			var r stormResult
			for b.Loop() {
				r = runStorm(b, s)
			}
			r.report(b)
		})
	}
}

// stormResult holds the figures of one storm.
type stormResult struct {
	idle, storm  []time.Duration // latencies of the held-session requests
	holderErrors int
	loginsOK     int
	busy         int // logins answered 503 "Server busy"
	loginOther   int
	loginLat     []time.Duration // latencies of the successful logins
	stormTime    time.Duration
	// foreign CPU during each phase, in % of the machine
	idleForeign, stormForeign float64
}

// runStorm runs the idle phase and then the storm on s.
func runStorm(b *testing.B, s *testServer) stormResult {
	ctx := b.Context()
	cpu := &cpuMeter{stats: newPGStats(b, s.DBURL)}
	// The tablets of the storm: registered devices, no session yet.
	registrar := loggedInClient(b, s.API, benchHTTPClient(testclient.DefaultTimeout), "bench", benchPassword)
	stormHC := benchHTTPClient(stormTimeout)
	fresh := make([]*testclient.Client, stormLogins)
	for i := range fresh {
		dev := testclient.NewDeviceID()
		r, err := registrar.Do(ctx, "register", map[string]string{"devicefriendlyname": "storm tablet", "device": dev})
		if err == nil {
			err = r.Err()
		}
		if err != nil {
			b.Fatalf("register storm device: %v", err)
		}
		fresh[i] = testclient.New(testclient.Config{
			URL: s.API, Device: dev, User: "bench", Password: benchPassword, HTTPClient: stormHC,
		})
	}
	holders := make([]*testclient.Client, stormHolders)
	for i := range holders {
		holders[i] = loggedInClient(b, s.API, benchHTTPClient(testclient.DefaultTimeout), "bench", benchPassword)
	}

	// phase: 0 idle, 1 storm, 2 done. A request counts in the phase it
	// started in; requests that straddle the idle/storm boundary are
	// dropped.
	var phase atomic.Int32
	var mu sync.Mutex
	var res stormResult
	var hw sync.WaitGroup
	for _, c := range holders {
		hw.Go(func() {
			for {
				p := phase.Load()
				if p == 2 {
					return
				}
				t0 := time.Now()
				err := checkUpload(ctx, c)
				d := time.Since(t0)
				mu.Lock()
				switch {
				case err != nil:
					res.holderErrors++
				case p == 0 && phase.Load() == 0:
					res.idle = append(res.idle, d)
				case p == 1:
					res.storm = append(res.storm, d)
				}
				mu.Unlock()
				time.Sleep(stormThink)
			}
		})
	}
	idleStart := cpu.sample(b)
	time.Sleep(stormIdle)
	phase.Store(-1) // between phases: samples are dropped
	if d, ok := cpu.since(b, idleStart); ok {
		res.idleForeign = d.foreignPct()
	}
	time.Sleep(stormSettle)

	start := make(chan struct{})
	var lw sync.WaitGroup
	for _, c := range fresh {
		lw.Go(func() {
			<-start
			t0 := time.Now()
			r, err := c.CheckUploadUserAndDevice(ctx)
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && r.Err() == nil:
				res.loginsOK++
				res.loginLat = append(res.loginLat, d)
			case err == nil && r.Status == http.StatusServiceUnavailable:
				res.busy++
			default:
				res.loginOther++
				if res.loginOther == 1 {
					b.Logf("storm login failed: %v", errors.Join(err, replyErr(r)))
				}
			}
		})
	}
	stormStart := cpu.sample(b)
	t0 := time.Now()
	phase.Store(1)
	close(start)
	lw.Wait()
	res.stormTime = time.Since(t0)
	phase.Store(2)
	if d, ok := cpu.since(b, stormStart); ok {
		res.stormForeign = d.foreignPct()
	}
	hw.Wait()
	return res
}

func replyErr(r *testclient.Reply) error {
	if r == nil {
		return nil
	}
	return r.Err()
}

func (r stormResult) report(b *testing.B) {
	if len(r.idle) == 0 || len(r.storm) == 0 {
		b.Fatalf("no samples: idle %d, storm %d", len(r.idle), len(r.storm))
	}
	slices.Sort(r.idle)
	slices.Sort(r.storm)
	slices.Sort(r.loginLat)
	for _, p := range []float64{50, 95, 99} {
		i, s := percentile(r.idle, p), percentile(r.storm, p)
		b.ReportMetric(ms(i), fmt.Sprintf("idle_p%.0f_ms", p))
		b.ReportMetric(ms(s), fmt.Sprintf("storm_p%.0f_ms", p))
		b.ReportMetric(float64(s)/float64(i), fmt.Sprintf("p%.0f_ratio", p))
	}
	b.ReportMetric(float64(len(r.idle)), "idle_reqs")
	b.ReportMetric(float64(len(r.storm)), "storm_reqs")
	b.ReportMetric(float64(r.holderErrors), "holder_errors")
	b.ReportMetric(float64(r.loginsOK), "logins_ok")
	b.ReportMetric(float64(r.busy), "logins_busy")
	b.ReportMetric(float64(r.loginOther), "logins_failed")
	b.ReportMetric(r.stormTime.Seconds(), "storm_s")
	b.ReportMetric(r.idleForeign, "idle_foreign_cpu_pct")
	b.ReportMetric(r.stormForeign, "storm_foreign_cpu_pct")
	if len(r.loginLat) > 0 {
		b.ReportMetric(percentile(r.loginLat, 50).Seconds(), "login_p50_s")
	}
	if r.loginOther > 0 || r.holderErrors > 0 {
		b.Errorf("%d storm logins and %d held-session requests failed", r.loginOther, r.holderErrors)
	}
}

// percentile returns the p-th percentile (nearest rank) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
