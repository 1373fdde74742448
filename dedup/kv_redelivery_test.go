package dedup

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/natstest"
)

// A worker that decided and then died must get the same answer when its
// event comes back, from any worker, or the event would be suppressed as a
// duplicate of itself.
func TestKVAnswersARedeliveredEventTheSameWay(t *testing.T) {
	js := connect(t, natstest.Server(t))
	c := newClock()
	a := newKV(t, js, "redelivery", c.Now)
	b := newKV(t, js, "redelivery", c.Now)
	ctx := context.Background()
	obs := func(event string, status alert.Status) Observation {
		return Observation{Route: "r", Key: "k", Status: status, Severity: alert.SeverityHigh,
			At: c.Now(), Policy: defaultPolicy, EventID: event}
	}

	first, err := a.Observe(ctx, obs("e1", alert.StatusFiring))
	require.NoError(t, err)
	require.Equal(t, notify(channels.ReasonNew, 0), first)

	again, err := b.Observe(ctx, obs("e1", alert.StatusFiring))
	require.NoError(t, err)
	require.Equal(t, first, again, "the same event gets the same decision")

	c.Set(c.Now().Add(time.Second))
	dup, err := b.Observe(ctx, obs("e2", alert.StatusFiring))
	require.NoError(t, err)
	require.False(t, dup.Notify, "a different event is still a duplicate")

	resolved, err := a.Observe(ctx, obs("e3", alert.StatusResolved))
	require.NoError(t, err)
	require.Equal(t, notify(channels.ReasonResolved, 1), resolved)
	replayed, err := b.Observe(ctx, obs("e3", alert.StatusResolved))
	require.NoError(t, err)
	require.Equal(t, resolved, replayed, "a resolved event keeps its answer after the key is gone")

	other, err := b.Observe(ctx, obs("e4", alert.StatusResolved))
	require.NoError(t, err)
	require.False(t, other.Notify, "while another resolved is still sent once")
	fresh, err := b.Observe(ctx, obs("e5", alert.StatusFiring))
	require.NoError(t, err)
	require.Equal(t, notify(channels.ReasonNew, 0), fresh, "and a new firing starts over")
}
