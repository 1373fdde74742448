package bench

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// Report is what a run measured.
type Report struct {
	// Date is when the run started, RFC 3339 in UTC.
	Date string `json:"date"`
	// Events, Keys, Routes, Workers and Rate repeat the settings;
	// Rate 0 is as fast as possible.
	Events  int     `json:"events"`
	Keys    int     `json:"keys"`
	Routes  int     `json:"routes"`
	Workers int     `json:"workers"`
	Rate    float64 `json:"target_rate"`
	// State is the dedup and ledger store: memory or kv.
	State string `json:"state"`
	// NATS is "embedded" (file storage, same process) or "external".
	NATS string `json:"nats"`
	// CPUs is GOMAXPROCS during the run.
	CPUs int `json:"cpus"`

	// Seconds is from the first publish to the last ack.
	Seconds float64 `json:"seconds"`
	// EventsPerSecond is Events divided by Seconds.
	EventsPerSecond float64 `json:"events_per_second"`
	// Notifications counts deliveries to the sink; ExpectedNotifications
	// is one per distinct key.
	Notifications         int64   `json:"notifications"`
	ExpectedNotifications int     `json:"expected_notifications"`
	NotificationsPerSec   float64 `json:"notifications_per_second"`
	// Latency is from publish to delivery, over notified events only.
	Latency Latency `json:"latency_ms"`
	// PeakRSSBytes is the process's high-water resident memory (VmHWM)
	// during the router phase, which includes an embedded NATS server and
	// the publishers; the mark is reset after the baseline phase.
	PeakRSSBytes uint64 `json:"peak_rss_bytes"`
	// AllocsPerEvent is heap allocations of the whole process during the
	// router phase divided by Events.
	AllocsPerEvent float64 `json:"allocs_per_event"`
	// ConsumeErrors counts the consumer's errors, such as missed
	// heartbeats after which the client pulls again.
	ConsumeErrors int64 `json:"consume_errors"`

	// Baseline is the same workload through a bare consumer that acks.
	Baseline Baseline `json:"baseline"`
	// Ratio is EventsPerSecond over Baseline.EventsPerSecond.
	Ratio float64 `json:"ratio"`
}

// Latency summarises publish-to-delivery times in milliseconds.
type Latency struct {
	Samples int     `json:"samples"`
	P50     float64 `json:"p50"`
	P95     float64 `json:"p95"`
	P99     float64 `json:"p99"`
	Max     float64 `json:"max"`
}

// Baseline is the bare consumer's figures for the same events.
type Baseline struct {
	Seconds         float64 `json:"seconds"`
	EventsPerSecond float64 `json:"events_per_second"`
	AllocsPerEvent  float64 `json:"allocs_per_event"`
	PeakRSSBytes    uint64  `json:"peak_rss_bytes"`
	ConsumeErrors   int64   `json:"consume_errors"`
}

// summarise sorts the samples (nanoseconds) and takes nearest-rank
// percentiles.
func summarise(ns []int64) Latency {
	if len(ns) == 0 {
		return Latency{}
	}
	s := slices.Clone(ns)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(p*float64(len(s))+0.5) - 1
		return ms(s[min(max(i, 0), len(s)-1)])
	}
	return Latency{Samples: len(s), P50: at(0.50), P95: at(0.95), P99: at(0.99),
		Max: ms(s[len(s)-1])}
}

func ms(ns int64) float64 { return float64(ns) / float64(time.Millisecond) }

// WriteTable prints the report as an aligned table.
func (r *Report) WriteTable(w io.Writer) error {
	rate := "as fast as possible"
	if r.Rate > 0 {
		rate = fmt.Sprintf("%g/s", r.Rate)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rows := [][2]string{
		{"date", r.Date},
		{"workload", fmt.Sprintf("%d events, %d keys, %d routes, %s", r.Events, r.Keys,
			r.Routes, rate)},
		{"router", fmt.Sprintf("state %s, %d workers, nats %s, %d CPUs", r.State, r.Workers,
			r.NATS, r.CPUs)},
		{"events/s", fmt.Sprintf("%.0f (%.2fs)", r.EventsPerSecond, r.Seconds)},
		{"baseline events/s", fmt.Sprintf("%.0f (%.2fs, bare consumer, ack only)",
			r.Baseline.EventsPerSecond, r.Baseline.Seconds)},
		{"ratio", fmt.Sprintf("%.2f", r.Ratio)},
		{"notifications", fmt.Sprintf("%d (expected %d), %.0f/s", r.Notifications,
			r.ExpectedNotifications, r.NotificationsPerSec)},
		{"latency p50/p95/p99/max", fmt.Sprintf("%.2f / %.2f / %.2f / %.2f ms (%d samples)",
			r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max, r.Latency.Samples)},
		{"peak RSS", fmt.Sprintf("%.1f MB (baseline phase %.1f MB)", mb(r.PeakRSSBytes),
			mb(r.Baseline.PeakRSSBytes))},
		{"allocs/event", fmt.Sprintf("%.1f (baseline %.1f)", r.AllocsPerEvent,
			r.Baseline.AllocsPerEvent)},
		{"consume errors", fmt.Sprintf("%d (baseline %d)", r.ConsumeErrors,
			r.Baseline.ConsumeErrors)},
	}
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}

func mb(b uint64) float64 { return float64(b) / 1e6 }
