package pagerduty

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/fakepagerduty"
)

func sampleEvent() *alert.Event {
	return &alert.Event{
		ID: "e1", Source: "monitor/api-latency", Name: "latency_high",
		Severity: alert.SeverityHigh, Status: alert.StatusFiring,
		Title: "p99 latency 2.3s", Description: "records-api is slow",
		Labels:      map[string]string{"service": "records-api", "team": "core", "env": "prod"},
		Annotations: map[string]string{"runbook_url": "https://runbooks.example/latency"},
		Compliance:  []string{"HIPAA"},
		DedupKey:    "latency/records-api",
		OccurredAt:  time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
	}
}

func notification(ev *alert.Event) channels.Notification {
	return channels.Notification{
		Event: ev, Route: "oncall-route", Receiver: "oncall", Key: ev.Key(),
		Reason: channels.ReasonNew, Suppressed: 3,
	}
}

func resolved(ev *alert.Event) channels.Notification {
	r := ev.Clone()
	r.Status = alert.StatusResolved
	n := notification(r)
	n.Reason = channels.ReasonResolved
	return n
}

func newNotifier(t *testing.T, fake *fakepagerduty.Server) *Notifier {
	t.Helper()
	n, err := New(Config{RoutingKey: fakepagerduty.DefaultRoutingKey, EventsURL: fake.URL() + "/"})
	require.NoError(t, err)
	return n
}

func TestTriggerThenResolve(t *testing.T) {
	fake := fakepagerduty.New()
	defer fake.Close()
	n := newNotifier(t, fake)
	ev := sampleEvent()

	require.NoError(t, n.Send(context.Background(), notification(ev)))
	require.True(t, fake.Open(fakepagerduty.DefaultRoutingKey, "latency/records-api"))

	require.NoError(t, n.Send(context.Background(), resolved(ev)))
	require.False(t, fake.Open(fakepagerduty.DefaultRoutingKey, "latency/records-api"))

	events := fake.Events()
	require.Len(t, events, 2)
	require.Equal(t, "resolve", events[1].Action)
	require.False(t, events[1].Dropped)
	require.Equal(t, events[0].DedupKey, events[1].DedupKey)

	tr := events[0]
	require.Equal(t, "trigger", tr.Action)
	require.Equal(t, "alertrouter", tr.Client)
	require.Equal(t, "[FIRING] [high] p99 latency 2.3s", tr.Payload.Summary)
	require.Equal(t, "monitor/api-latency", tr.Payload.Source)
	require.Equal(t, "error", tr.Payload.Severity)
	require.Equal(t, "2024-05-01T10:00:00Z", tr.Payload.Timestamp)
	require.Equal(t, "records-api", tr.Payload.Component)
	require.Equal(t, "core", tr.Payload.Group)
	require.Equal(t, "latency_high", tr.Payload.Class)
	require.Equal(t, []fakepagerduty.Link{{Href: "https://runbooks.example/latency",
		Text: "Runbook"}}, tr.Links)

	d := tr.Payload.CustomDetails
	require.Equal(t, "records-api is slow", d["description"])
	require.Equal(t, "oncall-route", d["route"])
	require.Equal(t, "oncall", d["receiver"])
	require.EqualValues(t, 3, d["suppressed"])
	require.Equal(t, []any{"HIPAA"}, d["compliance"])
	require.Equal(t, map[string]any{"service": "records-api", "team": "core", "env": "prod"},
		d["labels"])
}

func TestDedupKeyFallsBackToFingerprint(t *testing.T) {
	fake := fakepagerduty.New()
	defer fake.Close()
	n := newNotifier(t, fake)
	ev := sampleEvent()
	ev.DedupKey = ""
	note := notification(ev)
	note.Key = ""

	require.NoError(t, n.Send(context.Background(), note))

	require.True(t, fake.Open(fakepagerduty.DefaultRoutingKey, ev.Fingerprint()))
}

func TestLongDedupKeyClosesIncident(t *testing.T) {
	fake := fakepagerduty.New()
	defer fake.Close()
	n := newNotifier(t, fake)
	ev := sampleEvent()
	ev.DedupKey = strings.Repeat("k", 400)

	require.NoError(t, n.Send(context.Background(), notification(ev)))
	require.True(t, fake.Open(fakepagerduty.DefaultRoutingKey, DedupKey(ev.DedupKey)))
	require.NoError(t, n.Send(context.Background(), resolved(ev)))

	require.False(t, fake.Open(fakepagerduty.DefaultRoutingKey, DedupKey(ev.DedupKey)))
	incs := fake.Incidents()
	require.Len(t, incs, 1)
	require.Len(t, incs[0].DedupKey, 255)
}

func TestLongTextIsCut(t *testing.T) {
	fake := fakepagerduty.New()
	defer fake.Close()
	n := newNotifier(t, fake)
	ev := sampleEvent()
	ev.Title = strings.Repeat("t", 5000)
	ev.Description = strings.Repeat("d", 2<<20)
	ev.Labels["blob"] = strings.Repeat("l", 300<<10)

	require.NoError(t, n.Send(context.Background(), notification(ev)))

	events := fake.Events()
	require.Len(t, events, 1)
	p := events[0].Payload
	require.Len(t, []rune(p.Summary), maxSummary)
	require.True(t, strings.HasSuffix(p.Summary, Truncated))
	require.Less(t, events[0].Size, fakepagerduty.MaxBody)
	desc, _ := p.CustomDetails["description"].(string)
	require.True(t, strings.HasSuffix(desc, Truncated))
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name       string
		routingKey string
		fail       int
		retryable  bool
	}{
		{name: "429", fail: http.StatusTooManyRequests, retryable: true},
		{name: "500", fail: http.StatusInternalServerError, retryable: true},
		{name: "502", fail: http.StatusBadGateway, retryable: true},
		{name: "408", fail: http.StatusRequestTimeout, retryable: true},
		{name: "403", fail: http.StatusForbidden},
		{name: "invalid event", routingKey: strings.Repeat("x", 32)},
		{name: "short routing key", routingKey: "short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakepagerduty.New()
			defer fake.Close()
			if tt.fail != 0 {
				fake.FailNext(1, tt.fail)
			}
			key := tt.routingKey
			if key == "" {
				key = fakepagerduty.DefaultRoutingKey
			}
			n, err := New(Config{RoutingKey: key, EventsURL: fake.URL()})
			require.NoError(t, err)

			err = n.Send(context.Background(), notification(sampleEvent()))

			require.Error(t, err)
			require.Equal(t, tt.retryable, channels.IsRetryable(err), "err: %v", err)
			require.NotContains(t, err.Error(), key)
			require.Empty(t, fake.Events())
		})
	}
}

func TestRetryAfterRateLimitSucceeds(t *testing.T) {
	fake := fakepagerduty.New()
	defer fake.Close()
	fake.FailNext(1, http.StatusTooManyRequests)
	n := newNotifier(t, fake)

	first := n.Send(context.Background(), notification(sampleEvent()))
	second := n.Send(context.Background(), notification(sampleEvent()))

	require.True(t, channels.IsRetryable(first))
	require.NoError(t, second)
	require.True(t, fake.Open(fakepagerduty.DefaultRoutingKey, "latency/records-api"))
}

func TestTransportErrors(t *testing.T) {
	fake := fakepagerduty.New()
	url := fake.URL()
	fake.Close()
	n, err := New(Config{RoutingKey: fakepagerduty.DefaultRoutingKey, EventsURL: url})
	require.NoError(t, err)

	t.Run("network error is retryable", func(t *testing.T) {
		err := n.Send(context.Background(), notification(sampleEvent()))

		require.Error(t, err)
		require.True(t, channels.IsRetryable(err))
	})
	t.Run("cancelled context is not retryable", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		err := n.Send(ctx, notification(sampleEvent()))

		require.ErrorIs(t, err, context.Canceled)
		require.False(t, channels.IsRetryable(err))
	})
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{RoutingKey: "k"}, ""},
		{"eu region", Config{RoutingKey: "k", EventsURL: "https://events.eu.pagerduty.com/"}, ""},
		{"no key", Config{}, "routing key is empty"},
		{"bad url", Config{RoutingKey: "k", EventsURL: "events.pagerduty.com"}, "http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := New(tt.cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "pagerduty", n.Name())
		})
	}
}

func TestSendWithoutEvent(t *testing.T) {
	n, err := New(Config{RoutingKey: "k"})
	require.NoError(t, err)

	err = n.Send(context.Background(), channels.Notification{})

	require.ErrorIs(t, err, ErrNoEvent)
	require.False(t, channels.IsRetryable(err))
}
