package sim

import (
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// Config configures a Tablet. URL, User and Password are needed; the rest
// have defaults.
type Config struct {
	URL            string // full endpoint URL, e.g. http://127.0.0.1:8088/api
	User, Password string
	Device         string       // default: a new random device ID
	FriendlyName   string       // sent as devicefriendlyname; default "tabletsim"
	CamcopsVersion string       // default testclient.DefaultCamcopsVersion
	HTTPClient     *http.Client // default: testclient's, with its timeout

	// Schema is the tablet's tables; default DefaultSchema(), the
	// server's compiled-in registry.
	Schema *Schema
	// Records is the number of task records of a freshly filled tablet,
	// of task tables drawn at random from those of Schema that the client
	// version may upload; default 10, at least 1. Patients (one per five
	// tasks, each with one ID number), child records of the tasks, records
	// of other nontask tables and BLOBs come on top.
	Records int
	// IDNumType is the ID number type of the patients' NHS numbers;
	// default 1. Register fails if the server does not define it.
	IDNumType int64
	// Seed makes the tablet's data reproducible.
	Seed uint64
	// Zone is the tablet's time zone, used in its date-times; default a
	// fixed offset chosen by Seed among -05:00, +00:00, +01:00 and +05:30.
	Zone *time.Location
	// Now is the tablet's clock; default time.Now.
	Now func() time.Time
	// Observe, if set, is called after every request with the operation,
	// its duration and its error (nil, or a *RequestError).
	Observe func(op string, d time.Duration, err error)
}

// Tablet is one simulated tablet: a device ID, a local database, the
// server information it stored at registration, and a record of what it
// was told the server holds. A Tablet runs one sequence at a time; it is
// not safe for concurrent use.
type Tablet struct {
	cfg    Config
	schema *Schema
	plan   *plan
	client *testclient.Client
	clock  clock

	tables map[string][]Row // local rows of each table, by ascending id
	nextID map[string]int64 // next client PK of each table

	info       serverInfo // stored at registration; nil before
	registered bool
	model      model
	unsettled  bool     // an upload's outcome is unknown (its reply was lost)
	uploads    int      // successful uploads
	patientKey string   // the access key of a single-patient tablet; "" in clinician mode
	completed  []string // tables of the tasks a single-patient tablet completed and uploaded
	requests   int      // requests sent
}

// NewTablet returns an unregistered tablet filled with cfg.Records
// tasks and their patients. It does not contact the server. It fails if
// the client version may not upload the schema's patients or any of its
// tasks.
func NewTablet(cfg Config) (*Tablet, error) {
	if cfg.Device == "" {
		cfg.Device = testclient.NewDeviceID()
	}
	if cfg.FriendlyName == "" {
		cfg.FriendlyName = "tabletsim"
	}
	if cfg.CamcopsVersion == "" {
		cfg.CamcopsVersion = testclient.DefaultCamcopsVersion
	}
	if cfg.Schema == nil {
		cfg.Schema = DefaultSchema()
	}
	plan, err := newPlan(cfg.Schema, cfg.CamcopsVersion)
	if err != nil {
		return nil, err
	}
	cfg.Records = max(cfg.Records, 1)
	if cfg.IDNumType == 0 {
		cfg.IDNumType = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7ab1e7))
	if cfg.Zone == nil {
		offsets := []int{-5 * 3600, 0, 3600, 5*3600 + 1800}
		cfg.Zone = time.FixedZone("", offsets[rng.IntN(len(offsets))])
	}
	t := &Tablet{
		cfg:    cfg,
		schema: cfg.Schema,
		plan:   plan,
		client: testclient.New(testclient.Config{
			URL: cfg.URL, Device: cfg.Device, User: cfg.User, Password: cfg.Password,
			CamcopsVersion: cfg.CamcopsVersion, HTTPClient: cfg.HTTPClient,
		}),
		clock:  clock{now: cfg.Now, zone: cfg.Zone},
		tables: map[string][]Row{},
		nextID: map[string]int64{},
		model:  newModel(),
	}
	t.addTasks(rng, cfg.Records)
	return t, nil
}

// Schema returns the tablet's tables.
func (t *Tablet) Schema() *Schema { return t.schema }

// Device returns the tablet's device ID.
func (t *Tablet) Device() string { return t.cfg.Device }

// Rows returns copies of the local rows of table, by ascending client PK.
func (t *Tablet) Rows(table string) []Row {
	out := make([]Row, len(t.tables[table]))
	for i, r := range t.tables[table] {
		out[i] = r.Clone()
	}
	return out
}

// Unsettled reports whether the outcome of the tablet's last upload is
// unknown: its committing request got no reply, and no later upload has
// succeeded. Verify cannot check such a tablet.
func (t *Tablet) Unsettled() bool { return t.unsettled }

// Registered reports whether Register has succeeded.
func (t *Tablet) Registered() bool { return t.registered }
