package dedup

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/natstest"
)

// connect opens a connection of its own, as a separate worker would.
func connect(tb testing.TB, ns *server.Server) jetstream.JetStream {
	tb.Helper()
	return natstest.JetStream(tb, natstest.Connect(tb, ns))
}

func newKV(tb testing.TB, js jetstream.JetStream, bucket string, now func() time.Time) *KV {
	tb.Helper()

	k, err := NewKV(context.Background(), js, KVOptions{Bucket: bucket, Now: now})
	require.NoError(tb, err)
	return k
}

// kvLen counts the keys of k's bucket that hold a value.
func kvLen(t *testing.T, k *KV) int {
	t.Helper()

	l, err := k.kv.ListKeys(context.Background())
	require.NoError(t, err)

	// The lister stops itself once it has listed every key.
	n := 0
	for range l.Keys() {
		n++
	}
	return n
}

func TestKVTimelines(t *testing.T) {
	js := connect(t, natstest.Server(t))

	for i, tl := range timelines {
		t.Run(tl.name, func(t *testing.T) {
			c := newClock()
			k := newKV(t, js, fmt.Sprintf("timeline_%d", i), c.Now)
			runTimeline(t, tl, k, c, func() int { return kvLen(t, k) })
		})
	}
}

func TestKVConcurrentWorkersNotifyOnce(t *testing.T) {
	const goroutines, each = 8, 100
	ns := natstest.Server(t)

	cases := []struct {
		name    string
		workers int
	}{
		{"two workers of four goroutines", 2},
		{"eight workers of one goroutine", 8},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bucket := fmt.Sprintf("concurrent_%d", i)
			workers := make([]*KV, tc.workers)
			for w := range workers {
				workers[w] = newKV(t, connect(t, ns), bucket, newClock().Now)
			}

			notified, failed := storm(t, workers, goroutines, each)

			require.Zero(t, failed)
			require.Equal(t, 1, notified)
			end := Observation{Route: "r", Key: "k", Status: alert.StatusResolved, At: t0,
				Policy: defaultPolicy}
			require.Equal(t, notify(channels.ReasonResolved, goroutines*each-1),
				observe(t, workers[len(workers)-1], end))
		})
	}
}

// storm fires one key from goroutines spread over workers and counts the
// notifications and the errors.
func storm(t *testing.T, workers []*KV, goroutines, each int) (notified, failed int) {
	t.Helper()

	var n, f atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		k := workers[g%len(workers)]
		wg.Go(func() {
			for range each {
				d, err := k.Observe(context.Background(), firing("r", "k", t0, defaultPolicy))
				if err != nil {
					t.Log(err)
					f.Add(1)
					continue
				}
				if d.Notify {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return int(n.Load()), int(f.Load())
}

func TestKVConcurrentResolveNotifiesOnce(t *testing.T) {
	const workers = 8
	ns := natstest.Server(t)
	stores := make([]*KV, workers)
	for w := range stores {
		stores[w] = newKV(t, connect(t, ns), "", newClock().Now)
	}
	require.Equal(t, notify(channels.ReasonNew, 0),
		observe(t, stores[0], firing("r", "k", t0, defaultPolicy)))

	end := Observation{Route: "r", Key: "k", Status: alert.StatusResolved, At: t0.Add(mn),
		Policy: defaultPolicy}
	decisions := make([]Decision, workers)
	var wg sync.WaitGroup
	for w, k := range stores {
		wg.Go(func() { decisions[w] = observe(t, k, end) })
	}
	wg.Wait()

	resolvedOnce := 0
	for _, d := range decisions {
		if d.Notify {
			resolvedOnce++
			require.Equal(t, notify(channels.ReasonResolved, 0), d)
			continue
		}
		require.Equal(t, notNotified, d)
	}
	require.Equal(t, 1, resolvedOnce)
}

func TestKVWorkersShareResolveAndForget(t *testing.T) {
	ns := natstest.Server(t)
	a := newKV(t, connect(t, ns), "shared", newClock().Now)
	b := newKV(t, connect(t, ns), "shared", newClock().Now)
	end := func(at time.Duration) Observation {
		return Observation{Route: "r", Key: "k", Status: alert.StatusResolved, At: t0.Add(at),
			Policy: defaultPolicy}
	}

	steps := []struct {
		name string
		on   *KV
		o    Observation
		want Decision
	}{
		{"a fires first", a, firing("r", "k", t0, defaultPolicy), notify(channels.ReasonNew, 0)},
		{"b sees a duplicate", b, firing("r", "k", t0.Add(mn), defaultPolicy), dup(1)},
		{"b resolves", b, end(2 * mn), notify(channels.ReasonResolved, 1)},
		{"a finds it forgotten", a, end(3 * mn), notNotified},
		{"a fires anew", a, firing("r", "k", t0.Add(4*mn), defaultPolicy),
			notify(channels.ReasonNew, 0)},
		{"b sees the new duplicate", b, firing("r", "k", t0.Add(5*mn), defaultPolicy), dup(1)},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			require.Equal(t, st.want, observe(t, st.on, st.o))
		})
	}
}

func TestKVWritesCarryKeyTTL(t *testing.T) {
	js := connect(t, natstest.Server(t))
	c := newClock()
	k := newKV(t, js, "ttl", c.Now)
	stream, err := js.Stream(context.Background(), "KV_ttl")
	require.NoError(t, err)
	subject := "$KV.ttl." + kvKey("r", "k")

	steps := []struct {
		name    string
		at      time.Duration
		want    Decision
		wantTTL string
	}{
		{"create", 0, notify(channels.ReasonNew, 0), "24h0m0s"},
		{"update", 90 * time.Second, dup(1), "24h1m30s"},
		{"expired state replaced", 25 * hr, notify(channels.ReasonNew, 0), "49h0m0s"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			d := observe(t, k, firing("r", "k", t0.Add(st.at), defaultPolicy))
			require.Equal(t, st.want, d)

			msg, err := stream.GetLastMsgForSubject(context.Background(), subject)
			require.NoError(t, err)
			require.Equal(t, st.wantTTL, msg.Header.Get("Nats-TTL"))
		})
	}
}

func TestKVKeyExpiresOnServer(t *testing.T) {
	k := newKV(t, connect(t, natstest.Server(t)), "", nil)
	p := Policy{Window: time.Second}
	o := Observation{Route: "r", Key: "k", Status: alert.StatusFiring,
		Severity: alert.SeverityWarning, Policy: p}

	require.Equal(t, notify(channels.ReasonNew, 0), observe(t, k, o))

	require.Eventually(t, func() bool {
		_, err := k.kv.Get(context.Background(), kvKey("r", "k"))
		return err != nil
	}, 5*time.Second, 50*time.Millisecond, "key did not expire")
	_, err := k.kv.Get(context.Background(), kvKey("r", "k"))
	require.ErrorIs(t, err, jetstream.ErrKeyNotFound)

	require.Equal(t, notify(channels.ReasonNew, 0), observe(t, k, o))
}

func TestKVOddKeys(t *testing.T) {
	k := newKV(t, connect(t, natstest.Server(t)), "", newClock().Now)

	cases := []struct{ name, route, key string }{
		{"subject wildcards and spaces", "r", "a b/c.*>"},
		{"dotted route", "route.with dots", "k"},
		{"empty route and key", "", ""},
		{"unicode", "rota", "alerta-ção-⚠"},
		{"long key", "r", strings.Repeat("x", 4096)},
		{"nul in key", "r", "a\x00b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := firing(tc.route, tc.key, t0, defaultPolicy)
			require.Equal(t, notify(channels.ReasonNew, 0), observe(t, k, o))
			require.Equal(t, dup(1), observe(t, k, o))
		})
	}
}

func TestKVErrors(t *testing.T) {
	ns := natstest.Server(t)
	k := newKV(t, connect(t, ns), "", newClock().Now)
	_, err := k.kv.Put(context.Background(), kvKey("r", "garbage"), []byte("{not json"))
	require.NoError(t, err)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	cases := []struct {
		name    string
		ctx     context.Context
		key     string
		wantIs  error
		wantMsg string
	}{
		{"cancelled context", cancelled, "k", context.Canceled, "route \"r\""},
		{"undecodable state", context.Background(), "garbage", nil, "decode state"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.Observe(tc.ctx, firing("r", tc.key, t0, defaultPolicy))
			require.Error(t, err)
			require.ErrorContains(t, err, tc.wantMsg)
			if tc.wantIs != nil {
				require.ErrorIs(t, err, tc.wantIs)
			}
		})
	}
}

func TestKVCancelledWhileWaiting(t *testing.T) {
	ns := natstest.Server(t)
	k := newKV(t, connect(t, ns), "", newClock().Now)
	ns.Shutdown()
	ns.WaitForShutdown()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := k.Observe(ctx, firing("r", "k", t0, defaultPolicy))
	require.Error(t, err)
	require.ErrorContains(t, err, "dedup kv observe route \"r\"")
}

func TestNewKVBucket(t *testing.T) {
	js := connect(t, natstest.Server(t))

	cases := []struct {
		name       string
		opts       KVOptions
		wantBucket string
		wantMaxAge time.Duration
		wantErr    string
	}{
		{"defaults", KVOptions{}, DefaultKVBucket, DefaultKVMaxAge, ""},
		{"custom", KVOptions{Bucket: "custom", MaxAge: 48 * hr}, "custom", 48 * hr, ""},
		{"reopened with new max age", KVOptions{Bucket: "custom", MaxAge: 72 * hr}, "custom",
			72 * hr, ""},
		{"invalid bucket name", KVOptions{Bucket: "a.b"}, "", 0, `open bucket "a.b"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKV(context.Background(), js, tc.opts)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)

			st, err := k.kv.Status(context.Background())
			require.NoError(t, err)
			require.Equal(t, tc.wantBucket, st.Bucket())
			require.Equal(t, tc.wantMaxAge, st.TTL())
			require.Equal(t, int64(1), st.History())
			require.Equal(t, kvMarkerTTL, st.LimitMarkerTTL())
		})
	}
}

func TestKeyTTL(t *testing.T) {
	cases := []struct {
		name  string
		until time.Duration
		want  time.Duration
	}{
		{"already past", -5 * time.Second, time.Second},
		{"now", 0, time.Second},
		{"under a second", 300 * time.Millisecond, time.Second},
		{"whole seconds", 2 * time.Second, 2 * time.Second},
		{"rounded up", 2*time.Second + time.Nanosecond, 3 * time.Second},
		{"a week", 7 * 24 * hr, 7 * 24 * hr},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, keyTTL(t0.Add(tc.until), t0))
		})
	}
}

func TestKVKeyNames(t *testing.T) {
	pairs := [][2]string{{"r", "k"}, {"r", "k "}, {"s", "k"}, {"r\x00", "k"}, {"", "r\x00k"},
		{"a", "b.c"}, {"a.b", "c"}}

	seen := map[string]bool{}
	for _, p := range pairs {
		t.Run(fmt.Sprintf("%q", p), func(t *testing.T) {
			name := kvKey(p[0], p[1])
			require.Regexp(t, "^[0-9a-f]{32}$", name)
			require.Equal(t, name, kvKey(p[0], p[1]), "stable")
			require.False(t, seen[name], "collides with an earlier pair")
			seen[name] = true
		})
	}
}
