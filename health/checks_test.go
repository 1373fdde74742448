package health_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/config"
	"github.com/alertrouter/alertrouter/health"
	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/rules"
)

var _ health.NATSConn = (*config.Conn)(nil)

// startJetStream runs an embedded NATS server with JetStream for one test,
// with the stream ALERTS and its durable consumer alertrouter and the
// key-value bucket dedup, and returns a connection to it.
func startJetStream(t *testing.T) *nats.Conn {
	t.Helper()
	nc := natstest.Connect(t, natstest.Server(t))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	js := natstest.JetStream(t, nc)
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "ALERTS",
		Subjects: []string{"alerts.>"}})
	require.NoError(t, err)
	_, err = js.CreateOrUpdateConsumer(ctx, "ALERTS", jetstream.ConsumerConfig{
		Durable: "alertrouter", AckPolicy: jetstream.AckExplicitPolicy})
	require.NoError(t, err)
	_, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "dedup"})
	require.NoError(t, err)
	return nc
}

func TestChecks(t *testing.T) {
	nc := startJetStream(t)
	js := natstest.JetStream(t, nc)
	loaded := &rules.Rules{File: "rules.yaml"}

	tests := []struct {
		name     string
		check    health.Check
		wantName string // the check's name
		wantErr  string // "" passes
	}{
		{"nats connected", health.NATSConnected(nc), "nats", ""},
		{"stream present", health.StreamPresent(js, "ALERTS"), "stream", ""},
		{"stream absent", health.StreamPresent(js, "NOPE"), "stream",
			"stream NOPE not found: nats: API error: code=404 err_code=10059 " +
				"description=stream not found"},
		{"consumer present", health.ConsumerPresent(js, "ALERTS", "alertrouter"),
			"consumer", ""},
		{"consumer absent", health.ConsumerPresent(js, "ALERTS", "other"), "consumer",
			"consumer other not found: nats: API error: code=404 err_code=10014 " +
				"description=consumer not found"},
		{"consumer on absent stream", health.ConsumerPresent(js, "NOPE", "alertrouter"),
			"consumer", "consumer alertrouter not found: nats: API error: code=404 " +
				"err_code=10059 description=stream not found"},
		{"buckets present", health.BucketsPresent(js, "dedup"), "state", ""},
		{"buckets absent", health.BucketsPresent(js, "dedup", "gone", "lost"), "state",
			"bucket gone not found; bucket lost not found"},
		{"rules loaded", health.RulesLoaded(func() *rules.Rules { return loaded }),
			"rules", ""},
		{"no rules", health.RulesLoaded(func() *rules.Rules { return nil }), "rules",
			"no rules loaded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()

			err := tc.check.Run(ctx)

			require.Equal(t, tc.wantName, tc.check.Name)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.wantErr)
		})
	}
}

func TestReadyzAgainstNATS(t *testing.T) {
	nc := startJetStream(t)
	js := natstest.JetStream(t, nc)
	h := health.New(health.NATSConnected(nc), health.StreamPresent(js, "ALERTS"),
		health.ConsumerPresent(js, "ALERTS", "alertrouter"))

	code, body := probe(t, h.Readyz())
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, health.Response{Status: "ready", Checks: map[string]string{
		"nats": "ok", "stream": "ok", "consumer": "ok"}}, body)

	nc.Close()

	code, body = probe(t, h.Readyz())
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, "not ready", body.Status)
	require.Equal(t, "disconnected (closed)", body.Checks["nats"])
	require.Contains(t, body.Checks["stream"], "stream ALERTS: ")
	require.Contains(t, body.Checks["consumer"], "consumer alertrouter: ")
	require.Contains(t, body.Checks["consumer"], nats.ErrConnectionClosed.Error())
}

// fakeConn is a connection in a given state.
type fakeConn struct{ status nats.Status }

func (c fakeConn) IsConnected() bool   { return c.status == nats.CONNECTED }
func (c fakeConn) Status() nats.Status { return c.status }

func TestNATSConnectedStates(t *testing.T) {
	tests := []struct {
		name    string
		status  nats.Status
		wantErr string
	}{
		{"connected", nats.CONNECTED, ""},
		{"reconnecting", nats.RECONNECTING, "reconnecting"},
		{"disconnected", nats.DISCONNECTED, "disconnected"},
		{"closed", nats.CLOSED, "disconnected (closed)"},
		{"draining", nats.DRAINING_SUBS, "disconnected (draining_subs)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := health.NATSConnected(fakeConn{tc.status}).Run(context.Background())

			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.wantErr)
		})
	}
}

// TestReadyzWhileBucketMissing checks that a state bucket deleted under
// the router makes it unready until the bucket is there again.
func TestReadyzWhileBucketMissing(t *testing.T) {
	ctx := context.Background()
	js := natstest.JetStream(t, startJetStream(t))
	h := health.New(health.StreamPresent(js, "ALERTS"), health.BucketsPresent(js, "dedup"))

	code, body := probe(t, h.Readyz())
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, map[string]string{"stream": "ok", "state": "ok"}, body.Checks)

	require.NoError(t, js.DeleteKeyValue(ctx, "dedup"))
	code, body = probe(t, h.Readyz())
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, map[string]string{"stream": "ok", "state": "bucket dedup not found"},
		body.Checks)

	_, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "dedup"})
	require.NoError(t, err)
	code, _ = probe(t, h.Readyz())
	require.Equal(t, http.StatusOK, code)
}
