package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/metrics"
)

var consumerMetrics = []string{
	"alertrouter_consumer_pending_messages",
	"alertrouter_consumer_ack_pending_messages",
	"alertrouter_consumer_redelivered_messages",
}

func fixedConsumer(p, a, r uint64) metrics.ConsumerInfoFunc {
	return func(context.Context) (uint64, uint64, uint64, error) { return p, a, r, nil }
}

func TestLiveCollector(t *testing.T) {
	failing := func(context.Context) (uint64, uint64, uint64, error) {
		return 0, 0, 0, errors.New("consumer alertrouter not found")
	}
	up := func() bool { return true }
	down := func() bool { return false }

	tests := []struct {
		name      string
		opts      metrics.Options
		consumer  []float64 // pending, ack pending, redelivered; nil: absent
		connected []float64 // nil: absent
	}{
		{"values", metrics.Options{Consumer: fixedConsumer(7, 3, 1), Connected: up},
			[]float64{7, 3, 1}, []float64{1}},
		{"consumer error skips its samples",
			metrics.Options{Consumer: failing, Connected: down}, nil, []float64{0}},
		{"no funcs, no samples", metrics.Options{}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New(tc.opts)
			reg := m.Registry()

			for i, name := range consumerMetrics {
				got := gather(t, reg, name)
				if tc.consumer == nil {
					require.Empty(t, got, name)
					continue
				}
				require.Equal(t, []series{{labels{}, tc.consumer[i]}}, got, name)
			}

			got := gather(t, reg, "alertrouter_nats_connected")
			if tc.connected == nil {
				require.Empty(t, got)
				return
			}
			require.Equal(t, []series{{labels{}, tc.connected[0]}}, got)
		})
	}
}

func TestLiveCollectorTimeout(t *testing.T) {
	var (
		deadline time.Duration
		hasOne   bool
	)
	probe := func(ctx context.Context) (uint64, uint64, uint64, error) {
		d, ok := ctx.Deadline()
		deadline, hasOne = time.Until(d), ok
		return 0, 0, 0, context.DeadlineExceeded
	}
	m := metrics.New(metrics.Options{Consumer: probe, ScrapeTimeout: 300 * time.Millisecond})

	n, err := testutil.GatherAndCount(m.Registry(), consumerMetrics...)

	require.NoError(t, err, "a slow consumer must not fail the scrape")
	require.Zero(t, n)
	require.True(t, hasOne, "the consumer call must have a deadline")
	require.Greater(t, deadline, time.Duration(0))
	require.LessOrEqual(t, deadline, 300*time.Millisecond)
}

func TestHandler(t *testing.T) {
	m := metrics.New(metrics.Options{Version: "1.2.3", Consumer: fixedConsumer(4, 0, 0)})
	m.DeadLettered("delivery")
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain"),
		resp.Header.Get("Content-Type"))
	text := string(body)
	require.Contains(t, text, `alertrouter_build_info{goversion="`+runtime.Version()+
		`",version="1.2.3"} 1`)
	require.Contains(t, text, "# TYPE alertrouter_dead_letters_total counter\n")
	require.Contains(t, text, `alertrouter_dead_letters_total{reason="delivery"} 1`)
	require.Contains(t, text, "\nalertrouter_consumer_pending_messages 4\n")
	require.Contains(t, text, "\ngo_goroutines ")
}
