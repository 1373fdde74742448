package dedup

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// defaultPolicy is the timing most timelines use.
var defaultPolicy = Policy{
	Window:   10 * time.Minute,
	Repeat:   30 * time.Minute,
	StateTTL: 24 * time.Hour,
}

// anyLen marks a step whose key count is not checked.
const anyLen = -1

// step is one event of a timeline and what dedup must answer.
type step struct {
	at       time.Duration
	route    string
	status   alert.Status
	severity alert.Severity
	want     Decision
	wantLen  int
}

func fire(at time.Duration, sev alert.Severity, want Decision) step {
	return step{at: at, route: "r", status: alert.StatusFiring, severity: sev, want: want,
		wantLen: anyLen}
}

func resolved(at time.Duration, want Decision) step {
	return step{at: at, route: "r", status: alert.StatusResolved, severity: alert.SeverityInfo,
		want: want, wantLen: anyLen}
}

func (s step) on(route string) step { s.route = route; return s }
func (s step) keys(n int) step      { s.wantLen = n; return s }

func notify(r channels.Reason, suppressed int) Decision {
	return Decision{Notify: true, Reason: r, Suppressed: suppressed}
}

func dup(n int) Decision { return Decision{SuppressReason: SuppressDuplicate, Suppressed: n} }

var notNotified = Decision{SuppressReason: SuppressNotNotified}

const (
	warn = alert.SeverityWarning
	high = alert.SeverityHigh
	crit = alert.SeverityCritical
	mn   = time.Minute
	hr   = time.Hour
)

type timeline struct {
	name   string
	policy *Policy
	steps  []step
}

var timelines = []timeline{
	{name: "first firing notifies", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)).keys(1),
	}},
	{name: "duplicates are counted and the repeat carries and resets the count", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)),
		fire(8*mn, warn, dup(1)),
		fire(16*mn, warn, dup(2)),
		fire(24*mn, warn, dup(3)),
		fire(30*mn, warn, notify(channels.ReasonRepeat, 3)),
		fire(38*mn, warn, dup(1)),
		fire(46*mn, warn, dup(2)).keys(1),
	}},
	{name: "repeat is due exactly at the interval", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)),
		fire(10*mn, warn, dup(1)),
		fire(20*mn, warn, dup(2)),
		fire(30*mn-time.Nanosecond, warn, dup(3)),
		fire(30*mn, warn, notify(channels.ReasonRepeat, 3)),
	}},
	{name: "severity rise breaks through and a drop does not", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)),
		fire(1*mn, warn, dup(1)),
		fire(2*mn, crit, notify(channels.ReasonEscalated, 1)),
		fire(3*mn, warn, dup(1)),
		fire(4*mn, high, dup(2)),
		fire(5*mn, crit, dup(3)),
	}},
	{name: "each rise escalates again", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)),
		fire(1*mn, high, notify(channels.ReasonEscalated, 0)),
		fire(2*mn, crit, notify(channels.ReasonEscalated, 0)),
	}},
	{name: "resolved notifies once with the count", steps: []step{
		fire(0, crit, notify(channels.ReasonNew, 0)),
		fire(1*mn, crit, dup(1)),
		fire(2*mn, crit, dup(2)),
		resolved(3*mn, notify(channels.ReasonResolved, 2)).keys(0),
		resolved(4*mn, notNotified).keys(0),
	}},
	{name: "resolved without a firing is suppressed", steps: []step{
		resolved(0, notNotified).keys(0),
	}},
	{name: "resolved after the window but within the state TTL notifies", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)),
		fire(1*mn, warn, dup(1)),
		resolved(5*hr, notify(channels.ReasonResolved, 1)).keys(0),
	}},
	{name: "resolved after the state TTL is suppressed and the key is gone", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)).keys(1),
		resolved(24*hr+1*mn, notNotified).keys(0),
	}},
	{name: "firing after resolved is new", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)),
		resolved(1*mn, notify(channels.ReasonResolved, 0)),
		fire(2*mn, warn, notify(channels.ReasonNew, 0)).keys(1),
	}},
	{name: "quiet gap longer than the window is new and carries the count", steps: []step{
		fire(0, crit, notify(channels.ReasonNew, 0)),
		fire(5*mn, crit, dup(1)),
		fire(15*mn+time.Nanosecond, warn, notify(channels.ReasonNew, 1)),
		fire(16*mn, warn, dup(1)),
		fire(17*mn, high, notify(channels.ReasonEscalated, 1)),
	}},
	{name: "gap equal to the window is still a duplicate", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)),
		fire(10*mn, warn, dup(1)),
		fire(20*mn, warn, dup(2)),
	}},
	{name: "quiet gap past the state TTL starts from zero", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)),
		fire(1*mn, warn, dup(1)),
		fire(26*hr, warn, notify(channels.ReasonNew, 0)),
	}},
	{name: "keys are scoped per route", steps: []step{
		fire(0, warn, notify(channels.ReasonNew, 0)).on("a").keys(1),
		fire(1*mn, warn, notify(channels.ReasonNew, 0)).on("b").keys(2),
		fire(2*mn, warn, dup(1)).on("a"),
		resolved(3*mn, notify(channels.ReasonResolved, 0)).on("b").keys(1),
		fire(4*mn, warn, dup(2)).on("a"),
		resolved(5*mn, notNotified).on("b").keys(1),
	}},
	{name: "out of order firing is a duplicate", steps: []step{
		fire(10*mn, warn, notify(channels.ReasonNew, 0)),
		fire(5*mn, warn, dup(1)),
		fire(19*mn, warn, dup(2)),
	}},
	{name: "empty status counts as firing", steps: []step{
		{at: 0, route: "r", severity: warn, want: notify(channels.ReasonNew, 0), wantLen: 1},
	}},
	{name: "window zero makes every firing new", policy: &Policy{Repeat: hr, StateTTL: hr},
		steps: []step{
			fire(0, warn, notify(channels.ReasonNew, 0)),
			fire(0, warn, notify(channels.ReasonNew, 0)),
			fire(1*mn, warn, notify(channels.ReasonNew, 0)),
			resolved(2*mn, notify(channels.ReasonResolved, 0)).keys(0),
		}},
	{name: "repeat zero never reminds", policy: &Policy{Window: 10 * mn, StateTTL: hr},
		steps: []step{
			fire(0, warn, notify(channels.ReasonNew, 0)),
			fire(10*mn, warn, dup(1)),
			fire(20*mn, warn, dup(2)),
			fire(30*mn, warn, dup(3)),
			fire(40*mn, warn, dup(4)),
			fire(55*mn, warn, notify(channels.ReasonNew, 4)),
			fire(60*mn, crit, notify(channels.ReasonEscalated, 0)),
		}},
	{name: "state TTL zero keeps the key for the window only", policy: &Policy{Window: 10 * mn},
		steps: []step{
			fire(0, warn, notify(channels.ReasonNew, 0)),
			resolved(11*mn, notNotified).keys(0),
		}},
}

// clock is a settable time source for tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// pureStore runs Decide on a map, as a shared store would.
type pureStore struct{ states map[string]*State }

func (p *pureStore) Observe(_ context.Context, o Observation) (Decision, error) {
	k := o.Route + "\x00" + o.Key
	next, d := Decide(p.states[k], o)
	if next == nil {
		delete(p.states, k)
	} else {
		p.states[k] = next
	}
	return d, nil
}

func TestTimelines(t *testing.T) {
	for _, tl := range timelines {
		t.Run(tl.name, func(t *testing.T) {
			t.Run("memory", func(t *testing.T) {
				c := newClock()
				mem := NewMemory(c.Now)
				runTimeline(t, tl, mem, c, mem.Len)
			})
			t.Run("decide", func(t *testing.T) {
				p := &pureStore{states: map[string]*State{}}
				runTimeline(t, tl, p, newClock(), func() int { return len(p.states) })
			})
		})
	}
}

func runTimeline(t *testing.T, tl timeline, s Store, c *clock, length func() int) {
	t.Helper()

	policy := defaultPolicy
	if tl.policy != nil {
		policy = *tl.policy
	}

	for i, st := range tl.steps {
		at := t0.Add(st.at)
		c.Set(at)
		o := Observation{Route: st.route, Key: "k", Status: st.status, Severity: st.severity,
			At: at, Policy: policy}

		d, err := s.Observe(context.Background(), o)
		require.NoError(t, err)
		require.Equal(t, st.want, d, "step %d at +%s", i, st.at)
		if st.wantLen != anyLen {
			require.Equal(t, st.wantLen, length(), "keys after step %d", i)
		}
	}
}
