package upload

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tabletapi/tabletapi/internal/audit"
)

// metrics count the engine's committed work. They move only once the
// request's transaction has committed (Tx.AfterCommit).
type metrics struct {
	records                             *prometheus.CounterVec
	batchesCommitted, batchesRolledBack prometheus.Counter
}

func newMetrics() *metrics {
	return &metrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tabletapi_upload_records_total",
			Help: "Records changed by committed uploads, by client table and change: inserted, modified (a newer version replaced it), preserved (moved off the tablet), removed (deleted on the tablet).",
		}, []string{"table", "change"}),
		batchesCommitted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tabletapi_upload_batches_committed_total",
			Help: "Upload batches committed: end_upload, and one-step uploads (pure retries included).",
		}),
		batchesRolledBack: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tabletapi_upload_batches_rolled_back_total",
			Help: "Upload batches whose pending rows were rolled back because a new batch or one-step upload started on the device.",
		}),
	}
}

// committed counts one committed batch with its tables' changes. The table
// label is a registry name (a fixed set), never a client's raw value.
func (m *metrics) committed(tables []audit.TableCounts) {
	m.batchesCommitted.Inc()
	for _, t := range tables {
		for change, n := range map[string]int{"inserted": t.Added, "modified": t.Modified,
			"preserved": t.Preserved, "removed": t.Deleted} {
			if n > 0 {
				m.records.WithLabelValues(t.Table, change).Add(float64(n))
			}
		}
	}
}

// Collectors returns the engine's metrics: records changed by table, and
// batches committed and rolled back. The caller registers them.
func (e *Engine) Collectors() []prometheus.Collector {
	return []prometheus.Collector{e.metrics.records, e.metrics.batchesCommitted, e.metrics.batchesRolledBack}
}
