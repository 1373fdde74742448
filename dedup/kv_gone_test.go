package dedup

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/natstest"
)

// TestKVCreatesDeletedBucketAgain deletes the bucket under a store: the
// observations that follow, many at once, find it created again, once,
// with its configuration, and decide on it as on an empty bucket, the
// view of the old bucket forgotten.
func TestKVCreatesDeletedBucketAgain(t *testing.T) {
	ctx := context.Background()
	js := connect(t, natstest.Server(t))
	c := newClock()
	var logs bytes.Buffer
	k, err := NewKV(ctx, js, KVOptions{Bucket: "gone", Now: c.Now,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	before, err := k.stream.Info(ctx)
	require.NoError(t, err)

	for _, key := range []string{"a", "b"} {
		require.Equal(t, notify(channels.ReasonNew, 0),
			observe(t, k, firing("r", key, t0, defaultPolicy)))
	}
	require.Equal(t, dup(1), observe(t, k, firing("r", "a", t0.Add(mn), defaultPolicy)))
	require.NoError(t, js.DeleteKeyValue(ctx, "gone"))

	var wg sync.WaitGroup
	decisions := make([]Decision, 8)
	errs := make([]error, len(decisions))
	for i := range decisions {
		wg.Go(func() {
			o := firing("r", fmt.Sprintf("k%d", i), t0.Add(2*mn), defaultPolicy)
			decisions[i], errs[i] = k.Observe(ctx, o)
		})
	}
	wg.Wait()

	for i := range decisions {
		require.NoError(t, errs[i])
		require.Equal(t, notify(channels.ReasonNew, 0), decisions[i])
	}
	require.NotContains(t, k.view.seen, kvKey("r", "b"), "the old bucket's view is forgotten")
	require.Equal(t, notify(channels.ReasonNew, 0),
		observe(t, k, firing("r", "a", t0.Add(3*mn), defaultPolicy)),
		"the bucket is empty: the alert is new again")
	require.Equal(t, 1, strings.Count(logs.String(), "level=ERROR"), logs.String())
	require.Contains(t, logs.String(), "created it again, empty\" bucket=gone ")

	after, err := k.stream.Info(ctx)
	require.NoError(t, err)
	require.Equal(t, before.Config, after.Config)
}
