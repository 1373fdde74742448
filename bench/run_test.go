package bench

import (
	"context"
	"log/slog"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/config"
	"github.com/alertrouter/alertrouter/router"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		notes int64
	}{
		{name: "memory, repeated keys",
			cfg: Config{Events: 300, Keys: 30, Routes: 10, State: "memory"}, notes: 30},
		{name: "kv, distinct events",
			cfg: Config{Events: 100, Routes: 7, State: "kv", Workers: 4}, notes: 100},
		{name: "memory, paced", cfg: Config{Events: 50, Routes: 3, Rate: 2000}, notes: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.DataDir = t.TempDir()
			rep, err := Run(context.Background(), tt.cfg, nil)

			require.NoError(t, err)
			require.Equal(t, tt.cfg.Events, rep.Events)
			require.Equal(t, tt.notes, rep.Notifications)
			require.Equal(t, int(tt.notes), rep.ExpectedNotifications)
			require.Equal(t, int(tt.notes), rep.Latency.Samples)
			require.Positive(t, rep.EventsPerSecond)
			require.Positive(t, rep.Baseline.EventsPerSecond)
			require.InDelta(t, rep.EventsPerSecond/rep.Baseline.EventsPerSecond, rep.Ratio, 1e-9)
			require.GreaterOrEqual(t, rep.Latency.P99, rep.Latency.P50)
			require.GreaterOrEqual(t, rep.Latency.Max, rep.Latency.P99)
			require.Positive(t, rep.AllocsPerEvent)
			require.Positive(t, rep.PeakRSSBytes)
			require.Positive(t, rep.Baseline.PeakRSSBytes)
			require.Equal(t, "embedded", rep.NATS)
		})
	}
}

func TestRunExternal(t *testing.T) {
	ctx := context.Background()
	conn, err := config.NATS{Listen: "127.0.0.1:0", DataDir: t.TempDir()}.
		Connect(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(conn.Close)
	js, err := jetstream.New(conn.Conn)
	require.NoError(t, err)
	cfg := Config{Events: 40, Keys: 4, Routes: 5, NATS: config.NATS{URL: conn.ConnectedUrl()}}

	t.Run("cleans up after itself", func(t *testing.T) {
		rep, err := Run(ctx, cfg, nil)

		require.NoError(t, err)
		require.Equal(t, "external", rep.NATS)
		require.Equal(t, int64(4), rep.Notifications)
		names := js.StreamNames(ctx)
		var left []string
		for name := range names.Name() {
			left = append(left, name)
		}
		require.NoError(t, names.Err())
		require.Empty(t, left)
	})

	t.Run("names what a killed run left behind", func(t *testing.T) {
		_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: baselineStream,
			Subjects: []string{baselinePrefix + ">"}})
		require.NoError(t, err)
		defer func() { require.NoError(t, js.DeleteStream(ctx, baselineStream)) }()

		_, err = Run(ctx, cfg, nil)

		require.ErrorContains(t, err, "stream BENCH_BASELINE already exists on this NATS: "+
			"an earlier bench run that was killed left it")
	})

	t.Run("refuses a server with an alertrouter deployment and leaves it be", func(t *testing.T) {
		require.NoError(t, router.EnsureStreams(ctx, js, 1))
		_, err := js.Publish(ctx, "alerts.ci.pipeline", []byte(`{"id":"kept"}`))
		require.NoError(t, err)

		_, err = Run(ctx, cfg, nil)

		require.ErrorContains(t, err, "stream ALERTS already exists")
		for _, name := range []string{router.StreamAlerts, router.StreamDeadLetter} {
			_, err := js.Stream(ctx, name)
			require.NoError(t, err, "stream %s deleted by a refused run", name)
		}
		info, err := js.Stream(ctx, router.StreamAlerts)
		require.NoError(t, err)
		require.Equal(t, uint64(1), info.CachedInfo().State.Msgs)
	})

	t.Run("refuses a server holding the dead-letter stream alone", func(t *testing.T) {
		require.NoError(t, js.DeleteStream(ctx, router.StreamAlerts))

		_, err := Run(ctx, cfg, nil)

		require.ErrorContains(t, err, "stream ALERTS_DEADLETTER already exists")
		_, err = js.Stream(ctx, router.StreamDeadLetter)
		require.NoError(t, err)
	})
}
