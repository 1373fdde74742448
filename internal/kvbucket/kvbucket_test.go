package kvbucket

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/internal/natstest"
)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestGone(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"bucket not found", jetstream.ErrBucketNotFound, true},
		{"stream not found", jetstream.ErrStreamNotFound, true},
		{"stream not found from the API", &jetstream.APIError{
			ErrorCode: jetstream.JSErrCodeStreamNotFound, Code: 404}, true},
		{"no stream response, wrapped", errors.Join(errors.New("write key x"),
			jetstream.ErrNoStreamResponse), true},
		{"no responders", nats.ErrNoResponders, true},
		{"key not found", jetstream.ErrKeyNotFound, false},
		{"key exists", jetstream.ErrKeyExists, false},
		{"timeout", context.DeadlineExceeded, false},
		{"other", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Gone(tt.err))
		})
	}
}

// TestRecoverCreatesOnceAndNotTooOften deletes a bucket: Recover checks
// at most once per interval, and of many callers at once one creates the
// bucket again, with its configuration, and logs it once.
func TestRecoverCreatesOnceAndNotTooOften(t *testing.T) {
	ctx := context.Background()
	js := natstest.Start(t)
	c := &clock{now: time.Unix(1_700_000_000, 0)}
	var logs bytes.Buffer
	var created atomic.Int32
	cfg := jetstream.KeyValueConfig{Bucket: "b", Description: "test state", History: 1,
		TTL: time.Hour, LimitMarkerTTL: time.Second}
	k, _, err := Open(ctx, js, cfg, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Now: c.Now, OnCreate: func() { created.Add(1) }})
	require.NoError(t, err)
	before := streamConfig(t, js)

	require.False(t, k.Recover(ctx, errors.New("boom")), "not a sign of a missing bucket")
	require.True(t, k.Recover(ctx, nats.ErrNoResponders), "checked: the bucket is there")

	require.NoError(t, js.DeleteKeyValue(ctx, "b"))
	c.Add(DefaultInterval / 2)
	require.True(t, k.Recover(ctx, nats.ErrNoResponders), "within the interval: last answer")
	_, err = js.KeyValue(ctx, "b")
	require.ErrorIs(t, err, jetstream.ErrBucketNotFound, "nothing was asked or made")

	c.Add(DefaultInterval)
	var wg sync.WaitGroup
	var back atomic.Int32
	for range 16 {
		wg.Go(func() {
			if k.Recover(ctx, jetstream.ErrNoStreamResponse) {
				back.Add(1)
			}
		})
	}
	wg.Wait()

	require.EqualValues(t, 16, back.Load(), "every caller may try again")
	require.EqualValues(t, 1, created.Load())
	require.Equal(t, 1, strings.Count(logs.String(), "level=ERROR"), logs.String())
	require.Contains(t, logs.String(),
		`msg="key-value bucket was gone; created it again, empty" bucket=b holds="test state"`)
	require.Equal(t, before, streamConfig(t, js), "the same configuration")
}

func TestRecoverHonoursContext(t *testing.T) {
	ctx := context.Background()
	k, _, err := Open(ctx, natstest.Start(t), jetstream.KeyValueConfig{Bucket: "b"}, Options{})
	require.NoError(t, err)

	k.turn <- struct{}{} // another caller is checking
	done, cancel := context.WithCancel(ctx)
	cancel()
	require.False(t, k.Recover(done, nats.ErrNoResponders))
}

func streamConfig(t *testing.T, js jetstream.JetStream) jetstream.StreamConfig {
	t.Helper()
	s, err := js.Stream(context.Background(), "KV_b")
	require.NoError(t, err)
	return s.CachedInfo().Config
}
