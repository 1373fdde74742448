package audit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/audit"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/rules"
)

// ids lists the records as kind/event id, to compare selections briefly.
func ids(recs []audit.Record) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r.Kind+"/"+r.EventID)
	}
	return out
}

// story records the life of two events: ev-1 routed to route a and
// delivered to oncall, ev-2 routed to a and b, suppressed on a and failed
// on chat.
func story(a *audit.Auditor) {
	ev1, ev2 := event("ev-1"), event("ev-2")
	ev2.DedupKey = "other-key"
	both := rules.Result{Routes: []*rules.Route{{Name: "a"}, {Name: "b"}}}

	a.Received(ev1, []byte("1"), "")
	a.Routed(ev1, rules.Result{Routes: []*rules.Route{{Name: "a"}}})
	a.Delivered(channels.Notification{Event: ev1, Route: "a", Receiver: "oncall",
		Key: ev1.Key()}, "pagerduty", 1, time.Second, nil)
	a.Received(ev2, []byte("2"), "")
	a.Routed(ev2, both)
	a.Suppressed(ev2, "a", dedup.Decision{SuppressReason: dedup.SuppressDuplicate})
	a.Delivered(channels.Notification{Event: ev2, Route: "b", Receiver: "chat",
		Key: ev2.Key()}, "slack", 3, time.Second, errors.New("slack: 500"))
}

func TestReadFilters(t *testing.T) {
	a, js := setup(t)
	story(a)

	tests := []struct {
		name   string
		filter audit.Filter
		want   []string
	}{
		{"everything, oldest first", audit.Filter{}, []string{"received/ev-1", "routed/ev-1",
			"delivered/ev-1", "received/ev-2", "routed/ev-2", "suppressed/ev-2", "failed/ev-2"}},
		{"event id", audit.Filter{EventID: "ev-1"},
			[]string{"received/ev-1", "routed/ev-1", "delivered/ev-1"}},
		{"key", audit.Filter{Key: "other-key"}, []string{"received/ev-2", "routed/ev-2",
			"suppressed/ev-2", "failed/ev-2"}},
		{"route matches routes and route", audit.Filter{Route: "a"}, []string{"routed/ev-1",
			"delivered/ev-1", "routed/ev-2", "suppressed/ev-2"}},
		{"route b", audit.Filter{Route: "b"}, []string{"routed/ev-2", "failed/ev-2"}},
		{"receiver", audit.Filter{Receiver: "oncall"}, []string{"delivered/ev-1"}},
		{"outcome", audit.Filter{Outcome: audit.OutcomeSuppressed},
			[]string{"suppressed/ev-2"}},
		{"kind", audit.Filter{Kind: audit.KindReceived},
			[]string{"received/ev-1", "received/ev-2"}},
		{"kind and event id", audit.Filter{Kind: audit.KindRouted, EventID: "ev-2"},
			[]string{"routed/ev-2"}},
		{"limit", audit.Filter{Limit: 2}, []string{"received/ev-1", "routed/ev-1"}},
		{"limit after filtering", audit.Filter{EventID: "ev-2", Limit: 1},
			[]string{"received/ev-2"}},
		{"nothing matches", audit.Filter{Receiver: "nobody"}, []string{}},
		{"kind with no records", audit.Filter{Kind: audit.KindRulesReloaded}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, ids(readAll(t, a, js, tt.filter)))
		})
	}
}

func TestReadTimeRange(t *testing.T) {
	a, js := setup(t)
	a.Received(event("ev-early"), []byte("1"), "")
	require.NoError(t, a.Flush(testCtx(t)))
	// Stream times are the server's clock; the boundary sits between the
	// two flushed batches.
	boundary := time.Now()
	a.Received(event("ev-late"), []byte("2"), "")

	tests := []struct {
		name   string
		filter audit.Filter
		want   []string
	}{
		{"since", audit.Filter{Since: boundary}, []string{"received/ev-late"}},
		{"until", audit.Filter{Until: boundary}, []string{"received/ev-early"}},
		{"since the future", audit.Filter{Since: time.Now().Add(time.Hour)}, []string{}},
		// The server counts start times in int64 nanoseconds, which end in 2262.
		{"since beyond 2262", audit.Filter{Since: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)},
			[]string{}},
		{"until the past", audit.Filter{Until: boundary.Add(-time.Hour)}, []string{}},
		{"both", audit.Filter{Since: boundary.Add(-time.Hour), Until: time.Now().Add(time.Hour)},
			[]string{"received/ev-early", "received/ev-late"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, ids(readAll(t, a, js, tt.filter)))
		})
	}
}

func TestReadStopsAtTheEndOfTheStream(t *testing.T) {
	a, js := setup(t)

	t.Run("empty stream", func(t *testing.T) {
		require.Empty(t, readAll(t, a, js, audit.Filter{}))
	})

	t.Run("more than one batch", func(t *testing.T) {
		for range 600 {
			a.DeadLettered("delivery")
		}
		recs := readAll(t, a, js, audit.Filter{})
		require.Len(t, recs, 600)
	})
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name    string
		stream  bool
		filter  audit.Filter
		wantErr string
	}{
		{"unknown kind", true, audit.Filter{Kind: "sent"}, `kind "sent": want one of`},
		{"unknown outcome", true, audit.Filter{Outcome: "nope"},
			`outcome "nope": want one of delivered, failed`},
		{"no audit stream", false, audit.Filter{}, "no audit stream ALERTS_AUDIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, err := jetstream.New(natstest.Connect(t, natstest.Server(t)))
			require.NoError(t, err)
			if tt.stream {
				require.NoError(t, audit.EnsureStream(testCtx(t), js, 0, 1))
			}

			_, err = audit.Read(testCtx(t), js, tt.filter)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// TestReadLeavesNoConsumer checks that a read deletes the consumer it read
// with, whether it reads to the end, stops at a limit or reads nothing, so
// that `alertrouter audit` leaves nothing on the stream.
func TestReadLeavesNoConsumer(t *testing.T) {
	a, js := setup(t)
	for range 300 {
		a.DeadLettered("delivery")
	}
	story(a)

	tests := []struct {
		name   string
		filter audit.Filter
	}{
		{"everything, in two batches", audit.Filter{}},
		{"stopped by the limit", audit.Filter{Limit: 1}},
		{"one kind", audit.Filter{Kind: "routed"}},
		{"since the future", audit.Filter{Since: time.Now().Add(time.Hour)}},
		{"until the past", audit.Filter{Until: time.Now().Add(-time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readAll(t, a, js, tt.filter)

			s, err := js.Stream(testCtx(t), audit.StreamName)
			require.NoError(t, err)
			info, err := s.Info(testCtx(t))
			require.NoError(t, err)
			require.Zero(t, info.State.Consumers)
		})
	}
}
