package dedup

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

func firing(route, key string, at time.Time, p Policy) Observation {
	return Observation{Route: route, Key: key, Status: alert.StatusFiring,
		Severity: alert.SeverityWarning, At: at, Policy: p}
}

func observe(t *testing.T, s Store, o Observation) Decision {
	t.Helper()
	d, err := s.Observe(context.Background(), o)
	require.NoError(t, err)
	return d
}

func TestMemoryConcurrentSameKeyNotifiesOnce(t *testing.T) {
	const workers, each = 8, 1000
	mem := NewMemory(newClock().Now)

	var mu sync.Mutex
	notified := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				d, err := mem.Observe(context.Background(), firing("r", "k", t0, defaultPolicy))
				if err != nil || !d.Notify {
					continue
				}
				mu.Lock()
				notified++
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	require.Equal(t, 1, notified)
	end := Observation{Route: "r", Key: "k", Status: alert.StatusResolved, At: t0,
		Policy: defaultPolicy}
	require.Equal(t, notify(channels.ReasonResolved, workers*each-1), observe(t, mem, end))
}

func TestMemoryConcurrentDistinctKeys(t *testing.T) {
	const workers, each = 8, 500
	mem := NewMemory(newClock().Now)

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				key := fmt.Sprintf("k-%d-%d", w, i)
				d, err := mem.Observe(context.Background(), firing("r", key, t0, defaultPolicy))
				if err == nil && d.Reason != channels.ReasonNew {
					err = fmt.Errorf("key %s: reason %q, want new", key, d.Reason)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)

	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, workers*each, mem.Len())
}

// fill observes n distinct firing keys at t0.
func fill(t *testing.T, mem *Memory, n int, p Policy) {
	t.Helper()
	for i := range n {
		observe(t, mem, firing("r", fmt.Sprintf("old-%d", i), t0, p))
	}
	require.Equal(t, n, mem.Len())
}

func TestMemorySweep(t *testing.T) {
	const n = 10000
	short := Policy{Window: time.Second}
	long := Policy{Window: time.Minute, StateTTL: time.Hour}

	t.Run("explicit sweep keeps live keys and drops expired ones", func(t *testing.T) {
		c := newClock()
		mem := NewMemory(c.Now)
		fill(t, mem, n, long)

		c.Set(t0.Add(time.Hour))
		require.Zero(t, mem.Sweep())
		require.Equal(t, n, mem.Len())

		c.Set(t0.Add(time.Hour + time.Nanosecond))
		require.Equal(t, n, mem.Sweep())
		require.Zero(t, mem.Len())
	})

	t.Run("lazy sweep once the interval has passed", func(t *testing.T) {
		c := newClock()
		mem := NewMemory(c.Now)
		fill(t, mem, n, long)

		later := t0.Add(2 * time.Hour)
		c.Set(later)
		for i := range 1000 {
			observe(t, mem, firing("r", fmt.Sprintf("new-%d", i), later, long))
		}
		require.Equal(t, 1000, mem.Len())
	})

	t.Run("lazy sweep after enough observations", func(t *testing.T) {
		c := newClock()
		mem := NewMemory(c.Now)
		fill(t, mem, n, short)

		later := t0.Add(2 * time.Second)
		c.Set(later)
		gone := Observation{Route: "r", Status: alert.StatusResolved, At: later, Policy: short}
		for i := range 50000 {
			gone.Key = fmt.Sprintf("unknown-%d", i)
			require.Equal(t, notNotified, observe(t, mem, gone))
			if i == 0 {
				require.Equal(t, n, mem.Len(), "one observation must not sweep everything")
			}
		}
		require.Zero(t, mem.Len())
	})

	t.Run("observing an expired key forgets it", func(t *testing.T) {
		c := newClock()
		mem := NewMemory(c.Now)
		fill(t, mem, 1, long)

		at := t0.Add(2 * time.Hour)
		gone := Observation{Route: "r", Key: "old-0", Status: alert.StatusResolved, At: at,
			Policy: long}
		require.Equal(t, notNotified, observe(t, mem, gone))
		require.Zero(t, mem.Len())
	})
}

func TestMemoryObserveUsesClockWhenAtIsZero(t *testing.T) {
	c := newClock()
	mem := NewMemory(c.Now)

	require.Equal(t, notify(channels.ReasonNew, 0), observe(t, mem, firing("r", "k", time.Time{},
		defaultPolicy)))

	c.Set(t0.Add(5 * time.Minute))
	require.Equal(t, dup(1), observe(t, mem, firing("r", "k", time.Time{}, defaultPolicy)))

	c.Set(t0.Add(20 * time.Minute))
	require.Equal(t, notify(channels.ReasonNew, 1), observe(t, mem, firing("r", "k", time.Time{},
		defaultPolicy)))
}

func TestMemoryObserveCancelledContext(t *testing.T) {
	mem := NewMemory(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := mem.Observe(ctx, firing("r", "k", t0, defaultPolicy))
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, mem.Len())
}

func TestMemoryLongKeys(t *testing.T) {
	mem := NewMemory(newClock().Now)
	key := string(make([]byte, 4*keyBuf))

	require.True(t, observe(t, mem, firing("r", key, t0, defaultPolicy)).Notify)
	require.Equal(t, dup(1), observe(t, mem, firing("r", key, t0, defaultPolicy)))
	require.Equal(t, 1, mem.Len())
}

func TestDecideDoesNotModifyPrev(t *testing.T) {
	prev, _ := Decide(nil, firing("r", "k", t0, defaultPolicy))
	before := *prev

	next, d := Decide(prev, firing("r", "k", t0.Add(time.Minute), defaultPolicy))

	require.Equal(t, dup(1), d)
	require.Equal(t, before, *prev)
	require.Equal(t, 1, next.Suppressed)
	require.Equal(t, t0.Add(time.Minute), next.LastSeen)
}

func TestStateSurvivesJSON(t *testing.T) {
	s, _ := Decide(nil, firing("r", "k", t0, defaultPolicy))
	s, _ = Decide(s, firing("r", "k", t0.Add(time.Minute), defaultPolicy))

	raw, err := json.Marshal(s)
	require.NoError(t, err)
	var back State
	require.NoError(t, json.Unmarshal(raw, &back))

	require.True(t, back.LastSeen.Equal(s.LastSeen))
	o := firing("r", "k", t0.Add(2*time.Minute), defaultPolicy)
	o.Severity = alert.SeverityCritical
	_, want := Decide(s, o)
	_, got := Decide(&back, o)
	require.Equal(t, notify(channels.ReasonEscalated, 1), got)
	require.Equal(t, want, got)
}

func TestStateExpiresAt(t *testing.T) {
	p := Policy{Window: time.Minute, StateTTL: time.Hour}
	tests := []struct {
		name  string
		state State
		p     Policy
		want  time.Time
	}{
		{"notified lives for the state TTL", State{LastSeen: t0, Notified: true}, p,
			t0.Add(time.Hour)},
		{"not notified lives for the window", State{LastSeen: t0}, p, t0.Add(time.Minute)},
		{"window longer than the TTL wins", State{LastSeen: t0, Notified: true},
			Policy{Window: 2 * time.Hour, StateTTL: time.Hour}, t0.Add(2 * time.Hour)},
		{"negative durations count as zero", State{LastSeen: t0, Notified: true},
			Policy{Window: -time.Hour}, t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.state.ExpiresAt(tt.p))
			require.True(t, tt.state.Live(tt.want, tt.p))
			require.False(t, tt.state.Live(tt.want.Add(time.Nanosecond), tt.p))
		})
	}
}

func TestDecisionOutcome(t *testing.T) {
	require.Equal(t, OutcomeNotify, notify(channels.ReasonNew, 0).Outcome())
	require.Equal(t, OutcomeSuppress, dup(1).Outcome())
	require.Equal(t, OutcomeSuppress, notNotified.Outcome())
}
