package channels

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RetryPolicy decides how often and how patiently a delivery is retried.
// Waits grow exponentially with jitter, up to MaxInterval; a far side's
// Retry-After is honoured when it asks for longer than the backoff would.
type RetryPolicy struct {
	// MaxAttempts bounds the tries, the first included; 0 means 5.
	MaxAttempts int
	// InitialInterval is the first wait; 0 means 500ms.
	InitialInterval time.Duration
	// MaxInterval caps one wait, Retry-After included; 0 means 30s.
	MaxInterval time.Duration
	// Sleep waits for d or until ctx ends; nil means a timer. Tests
	// inject one that records the waits instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is called before each wait with the attempt that
	// failed, its error and the wait chosen.
	OnRetry func(attempt int, err error, wait time.Duration)
}

// DefaultRetryPolicy is the policy used when a receiver sets none.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:     5,
	InitialInterval: 500 * time.Millisecond,
	MaxInterval:     30 * time.Second,
}

// Deliver sends n through ch, retrying retryable failures. It returns the
// number of attempts made and the last error, nil on success.
func (p RetryPolicy) Deliver(ctx context.Context, ch Channel, n Notification) (int, error) {
	p = p.withDefaults()
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = p.InitialInterval
	b.MaxInterval = p.MaxInterval

	for attempt := 1; ; attempt++ {
		err := ch.Send(ctx, n)
		if err == nil {
			return attempt, nil
		}
		if !IsRetryable(err) || attempt >= p.MaxAttempts || ctx.Err() != nil {
			return attempt, err
		}

		wait := min(max(b.NextBackOff(), RetryAfterOf(err)), p.MaxInterval)
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, wait)
		}
		if serr := p.Sleep(ctx, wait); serr != nil {
			return attempt, fmt.Errorf("%w (retry abandoned: %w)", err, serr)
		}
	}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetryPolicy.MaxAttempts
	}
	if p.InitialInterval <= 0 {
		p.InitialInterval = DefaultRetryPolicy.InitialInterval
	}
	if p.MaxInterval <= 0 {
		p.MaxInterval = DefaultRetryPolicy.MaxInterval
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()

	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
