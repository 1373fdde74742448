package dedup

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/natstest"
)

// Workers that each keep a view of the keys they wrote, taking turns on a
// few keys in random order, must decide exactly as one store would: every
// stale view is caught by its compare-and-swap.
func TestKVViewsAgreeWithOneStore(t *testing.T) {
	ns := natstest.Server(t)
	c := newClock()
	workers := []*KV{
		newKV(t, connect(t, ns), "views", c.Now),
		newKV(t, connect(t, ns), "views", c.Now),
		newKV(t, connect(t, ns), "views", c.Now),
	}
	noView, err := NewKV(context.Background(), connect(t, ns),
		KVOptions{Bucket: "views", Now: c.Now, ViewSize: -1})
	require.NoError(t, err)
	workers = append(workers, noView)
	want := NewMemory(c.Now)

	rng := rand.New(rand.NewPCG(1, 2))
	statuses := []alert.Status{alert.StatusFiring, alert.StatusFiring, alert.StatusResolved}
	severities := []alert.Severity{alert.SeverityWarning, alert.SeverityHigh,
		alert.SeverityCritical}
	for i := range 400 {
		c.Set(c.Now().Add(time.Duration(rng.IntN(4)) * time.Minute))
		o := Observation{Route: "r", Key: fmt.Sprintf("k%d", rng.IntN(3)),
			Status: statuses[rng.IntN(len(statuses))], At: c.Now(), Policy: defaultPolicy,
			Severity: severities[rng.IntN(len(severities))], EventID: fmt.Sprintf("e%d", i)}
		w := rng.IntN(len(workers))

		expected, err := want.Observe(context.Background(), o)
		require.NoError(t, err)
		got, err := workers[w].Observe(context.Background(), o)
		require.NoError(t, err)
		require.Equal(t, expected, got, "observation %d (%s %s) by worker %d", i, o.Key,
			o.Status, w)
	}
}

// countGets counts the direct reads of any key-value bucket on ns's
// account from now on.
func countGets(t *testing.T, url string) *atomic.Int64 {
	t.Helper()

	nc, err := nats.Connect(url)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	var n atomic.Int64
	_, err = nc.Subscribe("$JS.API.DIRECT.GET.>", func(*nats.Msg) { n.Add(1) })
	require.NoError(t, err)
	require.NoError(t, nc.Flush())
	return &n
}

// The only writer of a key never reads it; a worker whose view went stale
// reads once and decides on what it read.
func TestKVViewSavesReads(t *testing.T) {
	ns := natstest.Server(t)
	c := newClock()
	a := newKV(t, connect(t, ns), "reads", c.Now)
	b := newKV(t, connect(t, ns), "reads", c.Now)
	gets := countGets(t, ns.ClientURL())
	obs := func(event string, status alert.Status) Observation {
		c.Set(c.Now().Add(time.Second))
		return Observation{Route: "r", Key: "k", Status: status, Severity: alert.SeverityHigh,
			At: c.Now(), Policy: defaultPolicy, EventID: event}
	}

	require.Equal(t, notify(channels.ReasonNew, 0), observe(t, a, obs("e1", alert.StatusFiring)))
	for i := range 5 {
		d := observe(t, a, obs(fmt.Sprintf("dup%d", i), alert.StatusFiring))
		require.False(t, d.Notify)
	}
	require.Eventually(t, func() bool { return gets.Load() == 0 }, time.Second,
		10*time.Millisecond)
	require.Zero(t, gets.Load(), "the only writer read the key")

	resolved := observe(t, b, obs("e2", alert.StatusResolved))
	require.Equal(t, notify(channels.ReasonResolved, 5), resolved)
	require.Eventually(t, func() bool { return gets.Load() == 1 }, time.Second,
		10*time.Millisecond, "b guessed the key was new, lost the swap and read it once")

	fired := observe(t, a, obs("e3", alert.StatusFiring))
	require.Equal(t, notify(channels.ReasonNew, 0), fired,
		"a's view still had the key firing; the swap failed and a saw the resolve")
	require.Eventually(t, func() bool { return gets.Load() == 2 }, time.Second,
		10*time.Millisecond)
}

// A view bounded to a few keys forgets some when full and stays correct.
func TestKVViewIsBounded(t *testing.T) {
	c := newClock()
	k, err := NewKV(context.Background(), connect(t, natstest.Server(t)),
		KVOptions{Bucket: "bounded", Now: c.Now, ViewSize: 8})
	require.NoError(t, err)

	for round := range 2 {
		for i := range 40 {
			o := Observation{Route: "r", Key: fmt.Sprintf("k%d", i),
				Status: alert.StatusFiring, Severity: alert.SeverityHigh, At: c.Now(),
				Policy: defaultPolicy, EventID: fmt.Sprintf("e%d-%d", round, i)}
			d := observe(t, k, o)
			require.Equal(t, round == 0, d.Notify, "round %d key %d", round, i)
			require.LessOrEqual(t, len(k.view.seen), 8)
		}
	}
}
