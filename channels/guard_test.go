package channels

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
)

// fakeClock is a clock, starting at the zero time, whose Sleep advances
// it and records the wait.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func (c *fakeClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum time.Duration
	for _, d := range c.slept {
		sum += d
	}
	return sum
}

// stub is a channel that fails with errs in order, then succeeds, unless
// fn is set to decide each delivery. It counts its calls.
type stub struct {
	name  string
	errs  []error
	fn    func(ctx context.Context, call int) error
	calls atomic.Int64
}

func (s *stub) Name() string { return s.name }

func (s *stub) Send(ctx context.Context, _ Notification) error {
	call := int(s.calls.Add(1))
	switch {
	case s.fn != nil:
		return s.fn(ctx, call)
	case call <= len(s.errs):
		return s.errs[call-1]
	}
	return nil
}

// targeted is a stub that names its target.
type targeted struct {
	*stub
	target string
}

func (s targeted) Target() string { return s.target }

func to(target string, errs ...error) targeted {
	return targeted{stub: &stub{name: "stub", errs: errs}, target: target}
}

// transitions records breaker state changes as "from>to".
type transitions struct {
	mu  sync.Mutex
	got []string
}

func (r *transitions) record(_, from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, from+">"+to)
}

func send(t *testing.T, ch Channel) error {
	t.Helper()
	return ch.Send(context.Background(), Notification{Event: &alert.Event{}})
}

func TestGuardRateLimit(t *testing.T) {
	rep := func(target string, n int) []string { return slices.Repeat([]string{target}, n) }
	webhook20ms := func(burst int) map[string]Limit {
		return map[string]Limit{"webhook": {Every: 20 * time.Millisecond, Burst: burst}}
	}
	cases := []struct {
		name    string
		limits  map[string]Limit
		targets []string
		want    time.Duration
	}{
		{"spaces sends to one target", webhook20ms(1), rep("webhook:a", 5), 80 * time.Millisecond},
		{"two targets do not wait on each other", webhook20ms(1),
			[]string{"webhook:a", "webhook:b"}, 0},
		{"burst goes at once", webhook20ms(3), rep("webhook:a", 3), 0},
		{"slack default: burst of 3, then 1/s", nil, rep("slack:#a", 4), time.Second},
		{"override removes a limit", map[string]Limit{"slack": {}}, rep("slack:#a", 4), 0},
		{"other defaults stay", map[string]Limit{"slack": {}}, rep("slack-webhook:x", 2),
			time.Second},
		{"console is unlimited", nil, rep("console", 5), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := new(fakeClock)
			g := NewGuards(GuardOptions{Limits: tc.limits, Now: clock.Now, Sleep: clock.Sleep})

			for _, target := range tc.targets {
				require.NoError(t, send(t, g.Wrap(to(target))), "each wrap shares the target")
			}

			require.Equal(t, tc.want, clock.total())
		})
	}
}

func TestGuardSharesTargetAcrossChannels(t *testing.T) {
	clock := new(fakeClock)
	g := NewGuards(GuardOptions{
		Limits: map[string]Limit{"pagerduty": {Every: time.Second, Burst: 1}},
		Now:    clock.Now, Sleep: clock.Sleep,
	})
	oncall := to("pagerduty:abc", Retryable(errors.New("429"), 5*time.Second))
	first, second := g.Wrap(oncall), g.Wrap(to("pagerduty:abc"))

	require.Error(t, send(t, first))
	require.NoError(t, send(t, second))

	require.Equal(t, []time.Duration{5 * time.Second}, clock.slept,
		"the Retry-After from one channel holds the other; the limit is then free")
	require.NoError(t, send(t, first))
	require.Equal(t, 6*time.Second, clock.total(), "both share one limiter")
}

func TestGuardRetryAfterDelaysNextSend(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want []time.Duration
	}{
		{"retry-after holds the target", Retryable(errors.New("429"), 2*time.Second),
			[]time.Duration{2 * time.Second}},
		{"no retry-after, no hold", Retryable(errors.New("503"), 0), nil},
		{"permanent, no hold", Permanent(errors.New("400")), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := new(fakeClock)
			g := NewGuards(GuardOptions{Now: clock.Now, Sleep: clock.Sleep})
			ch := to("console", tc.err)
			wrapped := g.Wrap(ch)

			require.ErrorIs(t, send(t, wrapped), tc.err)
			require.NoError(t, send(t, wrapped))

			require.Equal(t, tc.want, clock.slept)
			require.EqualValues(t, 2, ch.calls.Load())
		})
	}
}

func TestGuardBreakerOpensAndCloses(t *testing.T) {
	openFor := 100 * time.Millisecond
	g := NewGuards(GuardOptions{Breaker: BreakerSettings{Failures: 3, OpenFor: openFor}})
	ch := to("webhook:down", slices.Repeat([]error{Retryable(errors.New("503"), 0)}, 3)...)
	wrapped := g.Wrap(ch)

	for range 3 {
		require.Error(t, send(t, wrapped))
	}
	require.Equal(t, "open", g.State("webhook:down"))

	err := send(t, wrapped)
	require.ErrorIs(t, err, ErrCircuitOpen)
	require.True(t, IsRetryable(err))
	require.Greater(t, RetryAfterOf(err), time.Duration(0))
	require.LessOrEqual(t, RetryAfterOf(err), openFor)
	require.EqualValues(t, 3, ch.calls.Load(), "an open breaker does not call the channel")

	// gobreaker takes no clock: wait on the wall clock for the short open time.
	require.Eventually(t, func() bool { return g.State("webhook:down") == "half-open" },
		2*time.Second, time.Millisecond)
	require.NoError(t, send(t, wrapped))
	require.Equal(t, "closed", g.State("webhook:down"))
	require.EqualValues(t, 4, ch.calls.Load())
}

func TestGuardBreakerHalfOpen(t *testing.T) {
	var changes transitions
	g := NewGuards(GuardOptions{OnStateChange: changes.record,
		Breaker: BreakerSettings{Failures: 1, OpenFor: time.Millisecond}})
	release, probing := make(chan struct{}), make(chan struct{})
	ch := to("smtp:mx:25")
	ch.fn = func(_ context.Context, call int) error {
		switch call {
		case 1, 2:
			return errors.New("connection refused")
		case 3:
			close(probing)
			<-release
		}
		return nil
	}
	wrapped := g.Wrap(ch)
	halfOpen := func() bool { return g.State("smtp:mx:25") == "half-open" }

	require.Error(t, send(t, wrapped))
	require.Eventually(t, halfOpen, 2*time.Second, time.Millisecond)
	require.Error(t, send(t, wrapped), "a failed probe")
	require.Eventually(t, halfOpen, 2*time.Second, time.Millisecond)

	probe := make(chan error)
	go func() { probe <- send(t, wrapped) }()
	<-probing
	err := send(t, wrapped)
	require.ErrorIs(t, err, ErrCircuitOpen, "one probe at a time")
	require.Greater(t, RetryAfterOf(err), time.Duration(0))
	close(release)

	require.NoError(t, <-probe)
	require.EqualValues(t, 3, ch.calls.Load())
	require.Equal(t, []string{"closed>open", "open>half-open", "half-open>open",
		"open>half-open", "half-open>closed"}, changes.got, "a failed probe opens it again")
}

func TestGuardBreakerCountsOnlyRetryable(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		ends      string // how the caller's context ends during the send, if it does
		wantState string
	}{
		{"retryable opens", Retryable(errors.New("503"), 0), "", "open"},
		{"unclassified opens", errors.New("connection reset"), "", "open"},
		{"permanent does not", Permanent(errors.New("invalid_auth")), "", "closed"},
		{"cancelled, whatever the error, does not", errors.New("reset"), "cancel", "closed"},
		{"deadline passed in the send opens", context.DeadlineExceeded, "deadline", "open"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGuards(GuardOptions{Breaker: BreakerSettings{Failures: 2, OpenFor: time.Hour}})
			ch := to("webhook:x")
			wrapped := g.Wrap(ch)

			for range 2 {
				timeout := time.Hour
				if tc.ends == "deadline" {
					timeout = time.Millisecond
				}
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				ch.fn = func(ctx context.Context, _ int) error {
					if tc.ends == "cancel" {
						cancel()
					}
					if tc.ends != "" {
						<-ctx.Done() // a target that hangs until the caller gives up
					}
					return tc.err
				}
				require.ErrorIs(t, wrapped.Send(ctx, Notification{Event: &alert.Event{}}), tc.err)
				cancel()
			}

			require.Equal(t, tc.wantState, g.State("webhook:x"))
			require.EqualValues(t, 2, ch.calls.Load())
		})
	}
}

func TestGuardCancelWhileWaiting(t *testing.T) {
	cases := []struct {
		name   string
		limits map[string]Limit
		first  error
	}{
		{"retry-after hold", nil, Retryable(errors.New("429"), time.Hour)},
		{"rate limit", map[string]Limit{"webhook": {Every: time.Hour, Burst: 1}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var waited time.Duration
			g := NewGuards(GuardOptions{
				Limits: tc.limits,
				Sleep: func(ctx context.Context, d time.Duration) error {
					waited = d
					cancel() // the caller gives up while the send waits
					<-ctx.Done()
					return ctx.Err()
				},
			})
			ch := to("webhook:slow", tc.first)
			wrapped := g.Wrap(ch)
			require.ErrorIs(t, send(t, wrapped), tc.first)

			err := wrapped.Send(ctx, Notification{Event: &alert.Event{}})

			require.Greater(t, waited, 30*time.Minute)
			require.ErrorIs(t, err, context.Canceled)
			require.False(t, IsRetryable(err))
			require.EqualValues(t, 1, ch.calls.Load(), "the channel is not called")
			require.Equal(t, "closed", g.State("webhook:slow"))
			require.Greater(t, g.target("webhook:slow").limiter.Tokens(), -0.5, "token given back")
		})
	}
}

func TestGuardWrap(t *testing.T) {
	g := NewGuards(GuardOptions{})
	plain := &stub{name: "plain"}

	cases := []struct {
		name string
		ch   Channel
		want string
	}{
		{"targeter names its target", to("pagerduty:abc"), "pagerduty:abc"},
		{"others use their name", plain, "plain"},
		{"empty target falls back to the name", to(""), "stub"},
		{"wrapping twice keeps one guard", g.Wrap(to("webhook:h")), "webhook:h"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wrapped := g.Wrap(tc.ch)

			require.Equal(t, tc.want, wrapped.(Targeter).Target())
			require.Equal(t, tc.ch.Name(), wrapped.Name())
			require.NoError(t, send(t, wrapped))
		})
	}
	require.Equal(t, "closed", g.State("never-seen"))
}

func TestSecretTarget(t *testing.T) {
	got := SecretTarget("pagerduty", "SECRET-routing-key")

	require.NotContains(t, got, "SECRET")
	require.Regexp(t, `^pagerduty:[0-9a-f]{12}$`, got)
	require.Equal(t, got, SecretTarget("pagerduty", "SECRET-routing-key"))
	require.NotEqual(t, got, SecretTarget("pagerduty", "SECRET-other-key"))
}

func TestGuardConcurrent(t *testing.T) {
	g := NewGuards(GuardOptions{
		Limits:  map[string]Limit{"webhook": {Every: time.Microsecond, Burst: 5}},
		Breaker: BreakerSettings{Failures: 3, OpenFor: time.Millisecond},
	})
	targets := []string{"webhook:a", "webhook:b", "console"}
	flaky := slices.Repeat([]error{nil, nil, nil, Retryable(errors.New("flaky"), time.Microsecond)},
		100)
	stubs := make([]targeted, len(targets))
	for i, target := range targets {
		stubs[i] = to(target, flaky...)
	}

	const workers, sends = 8, 50
	var refused atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range sends {
				k := (w + i) % len(targets)
				err := send(t, g.Wrap(stubs[k]))
				if errors.Is(err, ErrCircuitOpen) {
					refused.Add(1)
				}
				_ = g.State(targets[k]) // read while others send, for the race detector
			}
		})
	}
	wg.Wait()

	var calls int64
	for _, s := range stubs {
		calls += s.calls.Load()
	}
	require.Equal(t, int64(workers*sends), calls+refused.Load(),
		"every send either reached its channel or was refused by the breaker")
}
