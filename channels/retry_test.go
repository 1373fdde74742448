package channels

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
)

// scripted fails with its errors in order, then succeeds.
type scripted struct {
	errs  []error
	calls int
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Send(context.Context, Notification) error {
	s.calls++
	if s.calls <= len(s.errs) {
		return s.errs[s.calls-1]
	}
	return nil
}

func TestDeliverRetries(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name         string
		errs         []error
		attempts     int
		wantErr      bool
		minFirstWait time.Duration
	}{
		{"first try", nil, 1, false, 0},
		{"retryable then ok", []error{Retryable(boom, 0), Retryable(boom, 0)}, 3, false, 0},
		{"unclassified is retried", []error{boom}, 2, false, 0},
		{"permanent stops", []error{Permanent(boom)}, 1, true, 0},
		{"gives up after max", []error{boom, boom, boom, boom}, 3, true, 0},
		{"retry-after honoured", []error{Retryable(boom, 7*time.Second)}, 2, false,
			7 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var waits []time.Duration
			p := RetryPolicy{
				MaxAttempts: 3,
				MaxInterval: 10 * time.Second,
				Sleep: func(_ context.Context, d time.Duration) error {
					waits = append(waits, d)
					return nil
				},
			}
			ch := &scripted{errs: tc.errs}

			n, err := p.Deliver(context.Background(), ch, Notification{Event: &alert.Event{}})
			require.Equal(t, tc.attempts, n)
			require.Equal(t, tc.attempts, ch.calls)
			require.Equal(t, tc.wantErr, err != nil)
			require.Len(t, waits, tc.attempts-1)
			if tc.minFirstWait > 0 {
				require.GreaterOrEqual(t, waits[0], tc.minFirstWait)
			}
			for _, w := range waits {
				require.LessOrEqual(t, w, p.MaxInterval)
			}
		})
	}
}

func TestDeliverStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := RetryPolicy{Sleep: func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}}
	ch := &scripted{errs: []error{errors.New("down"), errors.New("down")}}

	n, err := p.Deliver(ctx, ch, Notification{Event: &alert.Event{}})
	require.Error(t, err)
	require.Equal(t, 1, n)
	require.ErrorIs(t, err, context.Canceled)
}

func TestClassification(t *testing.T) {
	base := errors.New("x")
	require.False(t, IsRetryable(Permanent(base)))
	require.True(t, IsRetryable(Retryable(base, time.Second)))
	require.Equal(t, time.Second, RetryAfterOf(Retryable(base, time.Second)))
	require.False(t, IsRetryable(context.Canceled))
	require.True(t, IsRetryable(base))
	require.ErrorIs(t, Permanent(base), base)
}
