package password

import "github.com/prometheus/client_golang/prometheus"

// Collectors returns the pool's metrics: workers busy, callers waiting
// for a worker, and the wait time. The caller registers them.
func (h *Hasher) Collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tabletapi_bcrypt_workers_busy",
			Help: "bcrypt workers of the pool computing now.",
		}, func() float64 { return float64(len(h.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tabletapi_bcrypt_workers",
			Help: "bcrypt workers of the pool (--bcrypt-workers).",
		}, func() float64 { return float64(cap(h.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tabletapi_bcrypt_queue_length",
			Help: "bcrypt computations waiting for a worker now.",
		}, func() float64 { return float64(h.waiting.Load()) }),
		h.waits,
	}
}
