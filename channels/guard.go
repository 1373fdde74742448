package channels

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"
)

// ErrCircuitOpen is returned, wrapped and marked retryable with the time
// left before the breaker lets a probe through, when a target's circuit
// breaker refuses a delivery. The channel is not called.
var ErrCircuitOpen = errors.New("circuit breaker open")

// errNotCounted is what a guarded channel reports to the breaker for an
// outcome that says nothing about the target's health.
var errNotCounted = errors.New("not counted by the breaker")

// Targeter is implemented by channels that can name the far side they send
// to: "slack:C0123", "slack-webhook:<hash>", "pagerduty:<hash>",
// "smtp:host:port", "webhook:host", "console". The part before the first
// colon is the target's kind, which selects its rate limit. A target name
// never holds a secret: tokens, routing keys and webhook URLs appear only
// as a hash, see SecretTarget.
type Targeter interface {
	// Target names the far side; channels with the same target share one
	// rate limit and one circuit breaker.
	Target() string
}

// SecretTarget returns kind, a colon and the first 12 hex digits of the
// SHA-256 of secret: a stable target name that does not reveal the secret.
func SecretTarget(kind, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return kind + ":" + hex.EncodeToString(sum[:])[:12]
}

// Limit is a rate limit: one delivery every Every, with bursts of up to
// Burst. Every of zero or less means no limit; Burst below 1 means 1.
type Limit struct {
	Every time.Duration
	Burst int
}

// DefaultLimits returns the limits used for the target kinds that
// GuardOptions.Limits does not name. They follow the far sides' documented
// limits (see PROTOCOLS.md): Slack about one message a second per channel
// with short bursts, one a second per incoming webhook, PagerDuty about 120
// events a minute per routing key; SMTP servers and webhooks are treated
// gently. Console and unknown kinds are not limited.
func DefaultLimits() map[string]Limit {
	return map[string]Limit{
		"slack":         {Every: time.Second, Burst: 3},
		"slack-webhook": {Every: time.Second, Burst: 1},
		"pagerduty":     {Every: 500 * time.Millisecond, Burst: 10},
		"smtp":          {Every: 100 * time.Millisecond, Burst: 10},
		"webhook":       {Every: 50 * time.Millisecond, Burst: 20},
	}
}

// BreakerSettings configures each target's circuit breaker. Only retryable
// failures (unclassified errors included, see IsRetryable) count towards
// opening it: a permanent error is about one message or the configuration,
// not the target's health, so it neither opens nor closes the breaker, and
// neither does a delivery whose context was cancelled. A context deadline
// that passes during the send counts: the target did not answer in time.
type BreakerSettings struct {
	// Failures is how many consecutive retryable failures open the
	// breaker; 0 means 5.
	Failures int
	// OpenFor is how long the breaker stays open before it lets probes
	// through (half-open); 0 means 30s.
	OpenFor time.Duration
	// Probes is how many deliveries are let through while half-open, and
	// how many must succeed to close it; 0 means 1. One failed probe
	// opens it again.
	Probes int
}

// GuardOptions configures Guards.
type GuardOptions struct {
	// Limits overrides DefaultLimits per target kind ("slack",
	// "slack-webhook", "pagerduty", "smtp", "webhook"); a zero Every
	// removes the limit.
	Limits map[string]Limit
	// Breaker configures the circuit breakers.
	Breaker BreakerSettings
	// Now is the clock for rate limits and Retry-After holds; nil means
	// time.Now. The breakers always use the wall clock, since gobreaker
	// cannot take another.
	Now func() time.Time
	// Sleep waits for d or until ctx ends; nil means a timer. Tests inject
	// one that advances their clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnStateChange, when set, is called when a target's breaker changes
	// state, e.g. to log or count it. It runs under the breaker's lock:
	// it must be quick and must not call back into Guards.
	OnStateChange func(target, from, to string)
}

// Guards is the delivery policy per far-side target: one rate limiter,
// one Retry-After hold and one circuit breaker per target, shared by every
// channel wrapped for that target, whichever receiver it serves. It is
// safe for concurrent use.
type Guards struct {
	limits  map[string]Limit
	breaker BreakerSettings
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	onState func(target, from, to string)

	mu      sync.Mutex
	targets map[string]*target
}

// target is the shared state of one far side.
type target struct {
	name    string
	limiter *rate.Limiter
	breaker *gobreaker.TwoStepCircuitBreaker[struct{}]

	mu        sync.Mutex
	notBefore time.Time // no delivery before this (a Retry-After)
	openUntil time.Time // wall clock; when the open breaker turns half-open
}

// NewGuards returns an empty registry; targets are added as channels
// are wrapped.
func NewGuards(o GuardOptions) *Guards {
	limits := DefaultLimits()
	for kind, l := range o.Limits {
		limits[kind] = l
	}

	b := o.Breaker
	if b.Failures <= 0 {
		b.Failures = 5
	}
	if b.OpenFor <= 0 {
		b.OpenFor = 30 * time.Second
	}
	if b.Probes <= 0 {
		b.Probes = 1
	}

	g := &Guards{limits: limits, breaker: b, now: o.Now, sleep: o.Sleep,
		onState: o.OnStateChange, targets: make(map[string]*target)}
	if g.now == nil {
		g.now = time.Now
	}
	if g.sleep == nil {
		g.sleep = sleep
	}
	return g
}

// Wrap returns a Channel that delivers through ch under its target's
// policy: it waits for any Retry-After hold and for the rate limit (giving
// up when ctx ends), then sends through the circuit breaker. The target is
// ch.Target() when ch is a Targeter, else ch.Name().
func (g *Guards) Wrap(ch Channel) Channel {
	if gc, ok := ch.(*guarded); ok && gc.g == g {
		return gc
	}

	name := ch.Name()
	if t, ok := ch.(Targeter); ok && t.Target() != "" {
		name = t.Target()
	}
	return &guarded{ch: ch, g: g, t: g.target(name)}
}

// State returns the breaker state of target: "closed", "open" or
// "half-open". A target no channel was wrapped for is "closed".
func (g *Guards) State(target string) string {
	g.mu.Lock()
	t, ok := g.targets[target]
	g.mu.Unlock()

	if !ok {
		return gobreaker.StateClosed.String()
	}
	return t.breaker.State().String()
}

// target returns the shared state of name, creating it on first use.
func (g *Guards) target(name string) *target {
	g.mu.Lock()
	defer g.mu.Unlock()

	if t, ok := g.targets[name]; ok {
		return t
	}

	t := &target{name: name, limiter: g.limiterFor(name)}
	openFor := g.breaker.OpenFor
	t.breaker = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        name,
		MaxRequests: uint32(g.breaker.Probes),
		Timeout:     openFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= uint32(g.breaker.Failures)
		},
		IsExcluded: func(err error) bool { return errors.Is(err, errNotCounted) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				t.setOpenUntil(time.Now().Add(openFor))
			}
			if g.onState != nil {
				g.onState(name, from.String(), to.String())
			}
		},
	})
	g.targets[name] = t
	return t
}

// limiterFor returns a limiter for the kind of the target name.
func (g *Guards) limiterFor(name string) *rate.Limiter {
	kind, _, _ := strings.Cut(name, ":")
	l, ok := g.limits[kind]
	if !ok || l.Every <= 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	return rate.NewLimiter(rate.Every(l.Every), max(l.Burst, 1))
}

// guarded is a Channel wrapped by Guards.
type guarded struct {
	ch Channel
	g  *Guards
	t  *target
}

var (
	_ Channel  = (*guarded)(nil)
	_ Targeter = (*guarded)(nil)
)

// Name returns the wrapped channel's name.
func (c *guarded) Name() string { return c.ch.Name() }

// Target returns the name of the target whose policy applies.
func (c *guarded) Target() string { return c.t.name }

// Send asks the breaker, waits for the target's hold and rate limit, sends
// and reports the outcome to the breaker.
func (c *guarded) Send(ctx context.Context, n Notification) error {
	done, err := c.t.breaker.Allow()
	if err != nil {
		return c.t.refused(err, c.g.breaker.OpenFor)
	}
	defer func() {
		if p := recover(); p != nil {
			done(fmt.Errorf("channel panicked: %v", p))
			panic(p)
		}
	}()

	if err := c.wait(ctx); err != nil {
		done(errNotCounted)
		return fmt.Errorf("%s: wait to deliver: %w", c.t.name, err)
	}

	err = c.ch.Send(ctx, n)
	if after := RetryAfterOf(err); after > 0 {
		c.t.holdUntil(c.g.now().Add(after))
	}

	switch {
	case err == nil:
		done(nil)
	case errors.Is(ctx.Err(), context.Canceled) || !IsRetryable(err):
		done(errNotCounted)
	default:
		done(err)
	}
	return err
}

// wait blocks until the target's Retry-After hold has passed and its rate
// limit grants a delivery, or ctx ends. The hold is checked again after the
// rate limit, since another delivery may have set one meanwhile.
func (c *guarded) wait(ctx context.Context) error {
	if err := c.waitHold(ctx); err != nil {
		return err
	}

	now := c.g.now()
	r := c.t.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		if err := c.g.sleep(ctx, d); err != nil {
			r.CancelAt(c.g.now())
			return err
		}
	}

	return c.waitHold(ctx)
}

// waitHold sleeps until the target's hold has passed, however often it
// is extended meanwhile.
func (c *guarded) waitHold(ctx context.Context) error {
	for {
		d := c.t.hold().Sub(c.g.now())
		if d <= 0 {
			return ctx.Err()
		}
		if err := c.g.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// refused turns the breaker's refusal into a retryable ErrCircuitOpen
// that asks to wait until the breaker lets a probe through. While a probe
// is in flight (half-open), it asks for at most a second.
func (t *target) refused(err error, openFor time.Duration) error {
	after := min(openFor, time.Second)
	if errors.Is(err, gobreaker.ErrOpenState) {
		t.mu.Lock()
		after = max(time.Until(t.openUntil), time.Millisecond)
		t.mu.Unlock()
	}
	return Retryable(fmt.Errorf("%s: %w", t.name, ErrCircuitOpen), after)
}

func (t *target) hold() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.notBefore
}

func (t *target) holdUntil(when time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if when.After(t.notBefore) {
		t.notBefore = when
	}
}

func (t *target) setOpenUntil(when time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.openUntil = when
}
