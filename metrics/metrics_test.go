package metrics_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/metrics"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

var _ router.Observer = (*metrics.Metrics)(nil)

type labels = map[string]string

func event(source string, sev alert.Severity) *alert.Event {
	return &alert.Event{ID: "e1", Source: source, Name: "n", Severity: sev}
}

func routes(names ...string) rules.Result {
	var res rules.Result
	for _, n := range names {
		res.Routes = append(res.Routes, &rules.Route{Name: n})
	}
	return res
}

func decodeErr(t *testing.T, data string) error {
	t.Helper()

	dec := alert.Decoder{MaxSize: 64}
	_, err := dec.Decode([]byte(data))
	require.Error(t, err)
	return err
}

func TestRejected(t *testing.T) {
	tests := []struct {
		name   string
		err    func(t *testing.T) error
		reason string
	}{
		{"bad json", func(t *testing.T) error { return decodeErr(t, "{") }, "bad_json"},
		{"too large", func(t *testing.T) error {
			return decodeErr(t, `{"source":"`+strings.Repeat("x", 100)+`"}`)
		}, "too_large"},
		{"invalid", func(t *testing.T) error { return decodeErr(t, `{}`) }, "invalid"},
		{"not a decode error", func(*testing.T) error { return errors.New("boom") }, "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New(metrics.Options{})

			m.Rejected("alerts.x.critical", tc.err(t))

			for _, r := range []string{"bad_json", "too_large", "invalid"} {
				want := 0.0
				if r == tc.reason {
					want = 1
				}
				got := value(t, m.Registry(), "alertrouter_events_rejected_total",
					labels{"reason": r})
				require.Equal(t, want, got, r)
			}
		})
	}
}

func TestRouted(t *testing.T) {
	m := metrics.New(metrics.Options{})

	m.Routed(event("ci/gates", alert.SeverityCritical), routes("a", "b"))
	m.Routed(event("ci/gates", alert.SeverityCritical), routes("a"))
	m.Routed(event("mon/api", alert.SeverityInfo), rules.Result{Unrouted: true})

	reg := m.Registry()
	tests := []struct {
		name   string
		metric string
		labels labels
		want   float64
	}{
		{"received critical", "alertrouter_events_received_total",
			labels{"source": "ci/gates", "severity": "critical"}, 2},
		{"received info", "alertrouter_events_received_total",
			labels{"source": "mon/api", "severity": "info"}, 1},
		{"route a", "alertrouter_events_routed_total", labels{"route": "a"}, 2},
		{"route b", "alertrouter_events_routed_total", labels{"route": "b"}, 1},
		{"unrouted", "alertrouter_events_unrouted_total", labels{}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, value(t, reg, tc.metric, tc.labels))
		})
	}
	require.Len(t, gather(t, reg, "alertrouter_events_routed_total"), 2)
}

func TestSourceCap(t *testing.T) {
	m := metrics.New(metrics.Options{})

	for i := range metrics.MaxSources + 5 {
		m.Routed(event(fmt.Sprintf("src-%03d", i), alert.SeverityHigh), rules.Result{})
	}
	m.Routed(event("src-000", alert.SeverityHigh), rules.Result{})
	m.Routed(event("late", alert.SeverityWarning), rules.Result{})

	reg := m.Registry()
	all := gather(t, reg, "alertrouter_events_received_total")
	require.Len(t, all, metrics.MaxSources+2, "200 sources, other/high, other/warning")
	require.Equal(t, 2.0, value(t, reg, "alertrouter_events_received_total",
		labels{"source": "src-000", "severity": "high"}), "a known source keeps its name")
	require.Equal(t, 5.0, value(t, reg, "alertrouter_events_received_total",
		labels{"source": "other", "severity": "high"}))
	require.Equal(t, 1.0, value(t, reg, "alertrouter_events_received_total",
		labels{"source": "other", "severity": "warning"}))
}

func TestSuppressed(t *testing.T) {
	m := metrics.New(metrics.Options{})
	ev := event("s", alert.SeverityHigh)

	m.Suppressed(ev, "a", dedup.Decision{SuppressReason: dedup.SuppressDuplicate})
	m.Suppressed(ev, "a", dedup.Decision{SuppressReason: dedup.SuppressDuplicate})
	m.Suppressed(ev, "b", dedup.Decision{SuppressReason: dedup.SuppressNotNotified})

	want := `
# HELP alertrouter_events_suppressed_total Events held back by dedup on a route, by reason.
# TYPE alertrouter_events_suppressed_total counter
alertrouter_events_suppressed_total{reason="duplicate",route="a"} 2
alertrouter_events_suppressed_total{reason="not_notified",route="b"} 1
`
	require.NoError(t, testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"alertrouter_events_suppressed_total"))
}

func TestDeliveries(t *testing.T) {
	m := metrics.New(metrics.Options{})
	n := channels.Notification{Event: event("s", alert.SeverityHigh), Receiver: "oncall"}
	fail := errors.New("refused")

	m.Retrying(n, "pagerduty", 1, time.Second, fail)
	m.Retrying(n, "pagerduty", 2, time.Second, fail)
	m.Delivered(n, "pagerduty", 3, 1500*time.Millisecond, nil)
	m.Delivered(n, "email", 1, 200*time.Millisecond, fail)

	reg := m.Registry()
	tests := []struct {
		name   string
		metric string
		labels labels
		want   float64
	}{
		{"delivered", "alertrouter_notifications_total",
			labels{"receiver": "oncall", "channel": "pagerduty", "outcome": "delivered"}, 1},
		{"failed", "alertrouter_notifications_total",
			labels{"receiver": "oncall", "channel": "email", "outcome": "failed"}, 1},
		{"retries", "alertrouter_delivery_retries_total", labels{"channel": "pagerduty"}, 2},
		{"duration count", "alertrouter_delivery_duration_seconds",
			labels{"channel": "pagerduty"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, value(t, reg, tc.metric, tc.labels))
		})
	}

	want := `
# HELP alertrouter_delivery_attempts Attempts used by one finished delivery.
# TYPE alertrouter_delivery_attempts histogram
alertrouter_delivery_attempts_bucket{channel="email",le="1"} 1
alertrouter_delivery_attempts_bucket{channel="email",le="2"} 1
alertrouter_delivery_attempts_bucket{channel="email",le="3"} 1
alertrouter_delivery_attempts_bucket{channel="email",le="5"} 1
alertrouter_delivery_attempts_bucket{channel="email",le="8"} 1
alertrouter_delivery_attempts_bucket{channel="email",le="13"} 1
alertrouter_delivery_attempts_bucket{channel="email",le="+Inf"} 1
alertrouter_delivery_attempts_sum{channel="email"} 1
alertrouter_delivery_attempts_count{channel="email"} 1
alertrouter_delivery_attempts_bucket{channel="pagerduty",le="1"} 0
alertrouter_delivery_attempts_bucket{channel="pagerduty",le="2"} 0
alertrouter_delivery_attempts_bucket{channel="pagerduty",le="3"} 1
alertrouter_delivery_attempts_bucket{channel="pagerduty",le="5"} 1
alertrouter_delivery_attempts_bucket{channel="pagerduty",le="8"} 1
alertrouter_delivery_attempts_bucket{channel="pagerduty",le="13"} 1
alertrouter_delivery_attempts_bucket{channel="pagerduty",le="+Inf"} 1
alertrouter_delivery_attempts_sum{channel="pagerduty"} 3
alertrouter_delivery_attempts_count{channel="pagerduty"} 1
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"alertrouter_delivery_attempts"))
}

func TestDurationObservesSeconds(t *testing.T) {
	m := metrics.New(metrics.Options{})
	n := channels.Notification{Event: event("s", alert.SeverityHigh), Receiver: "r"}

	m.Delivered(n, "slack", 1, 1500*time.Millisecond, nil)

	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != "alertrouter_delivery_duration_seconds" {
			continue
		}
		h := f.GetMetric()[0].GetHistogram()
		require.InDelta(t, 1.5, h.GetSampleSum(), 1e-9)
		return
	}
	require.Fail(t, "no duration histogram")
}

func TestDeadLettered(t *testing.T) {
	m := metrics.New(metrics.Options{})

	m.DeadLettered("delivery")
	m.DeadLettered("delivery")
	m.DeadLettered("bad_json")
	m.Done(event("s", alert.SeverityHigh))

	want := `
# HELP alertrouter_dead_letters_total Messages and notifications dead-lettered, by reason.
# TYPE alertrouter_dead_letters_total counter
alertrouter_dead_letters_total{reason="bad_json"} 1
alertrouter_dead_letters_total{reason="delivery"} 2
alertrouter_dead_letters_total{reason="invalid"} 0
alertrouter_dead_letters_total{reason="too_large"} 0
`
	require.NoError(t, testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"alertrouter_dead_letters_total"))
}

func TestBreakerChanged(t *testing.T) {
	tests := []struct {
		name string
		to   []string
		want float64
	}{
		{"open", []string{"open"}, 2},
		{"half-open", []string{"open", "half-open"}, 1},
		{"closed again", []string{"open", "half-open", "closed"}, 0},
		{"unknown state ignored", []string{"open", "melted"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New(metrics.Options{})
			from := "closed"
			for _, to := range tc.to {
				m.BreakerChanged("slack:C1", from, to)
				from = to
			}

			got := value(t, m.Registry(), "alertrouter_breaker_state",
				labels{"target": "slack:C1"})
			require.Equal(t, tc.want, got)
		})
	}
}
