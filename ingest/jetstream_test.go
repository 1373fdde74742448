package ingest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/router"
)

// startJetStream runs an embedded NATS server with JetStream and returns
// a JetStream context on it, with the router's streams when withStreams.
func startJetStream(t *testing.T, withStreams bool) jetstream.JetStream {
	t.Helper()
	js := natstest.Start(t)

	if withStreams {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, router.EnsureStreams(ctx, js, 1))
	}
	return js
}

func postJSON(t *testing.T, url, body string) (int, reply) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer hook-token")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()

	var r reply
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	return resp.StatusCode, r
}

const amFiring = `{"version":"4","groupKey":"{}:{alertname=\"RecordsAPIDown\"}",
  "truncatedAlerts":0,"status":"firing","receiver":"oncall-hook",
  "groupLabels":{"alertname":"RecordsAPIDown"},"commonLabels":{"alertname":"RecordsAPIDown"},
  "commonAnnotations":{},"externalURL":"http://alertmanager:9093",
  "notification_reason":"first notification",
  "alerts":[{"status":"firing",
    "labels":{"alertname":"RecordsAPIDown","env":"prod","severity":"critical"},
    "annotations":{"summary":"records-api is down"},
    "startsAt":"2026-03-04T01:00:00Z","endsAt":"0001-01-01T00:00:00Z",
    "generatorURL":"http://prometheus:9090/graph","fingerprint":"5ab1c2d3e4f5a6b7"}]}`

func TestAlertmanagerToJetStream(t *testing.T) {
	js := startJetStream(t, true)
	h := New(Options{Publisher: JetStreamPublisher(js), Token: "hook-token"})
	srv := httptest.NewServer(h.Alertmanager())
	defer srv.Close()

	resolved := strings.NewReplacer(`"status":"firing"`, `"status":"resolved"`,
		"0001-01-01T00:00:00Z", "2026-03-04T01:20:00Z").Replace(amFiring)

	code, first := postJSON(t, srv.URL, amFiring)
	require.Equal(t, http.StatusAccepted, code)
	code, again := postJSON(t, srv.URL, amFiring)
	require.Equal(t, http.StatusAccepted, code)
	require.Equal(t, first.Accepted, again.Accepted, "a resent payload is stored once")
	code, second := postJSON(t, srv.URL, resolved)
	require.Equal(t, http.StatusAccepted, code)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := js.Stream(ctx, router.StreamAlerts)
	require.NoError(t, err)
	info, err := stream.Info(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, info.State.Msgs)

	var stored []*alert.Event
	for _, acc := range []storedEvent{first.Accepted[0], second.Accepted[0]} {
		msg, err := stream.GetMsg(ctx, acc.Seq)
		require.NoError(t, err)
		require.Equal(t, "alerts.alertmanager_oncall-hook.critical", msg.Subject)
		require.Equal(t, acc.ID, msg.Header.Get(jetstream.MsgIDHeader))
		ev, err := (&alert.Decoder{}).Decode(msg.Data)
		require.NoError(t, err)
		stored = append(stored, ev)
	}
	require.Equal(t, alert.StatusFiring, stored[0].Status)
	require.Equal(t, alert.StatusResolved, stored[1].Status)
	require.Equal(t, "alertmanager:5ab1c2d3e4f5a6b7", stored[0].Key())
	require.Equal(t, stored[0].Key(), stored[1].Key())
	require.Equal(t, time.Date(2026, 3, 4, 1, 20, 0, 0, time.UTC), stored[1].OccurredAt)
}

func TestNoStreamAnswers503(t *testing.T) {
	js := startJetStream(t, false)
	h := New(Options{Publisher: JetStreamPublisher(js)})

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/events",
		strings.NewReader(okEvent))
	rec := httptest.NewRecorder()
	h.Events().ServeHTTP(rec, req)

	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "5", rec.Header().Get("Retry-After"))
	require.Contains(t, rec.Body.String(), "could not store the events: publish event e1")
}
