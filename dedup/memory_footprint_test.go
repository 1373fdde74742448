package dedup

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
)

// footprintKeys is the load the memory target names: 1,000,000 live keys
// in under 300 MB.
const footprintKeys = 1_000_000

// footprintRoutes are route names as long as those of real rules files.
var footprintRoutes = []string{"db-critical", "payments-page", "infra-warning", "k8s-nodes"}

// BenchmarkMemoryFootprint fills a Memory with 1,000,000 live keys, spread
// over four routes, and reports the heap the store holds. One iteration
// takes a few seconds, so run exactly one:
//
//	go test -run X -bench Footprint -benchtime 1x ./dedup/
//
// The keys are what the router passes to Observe, alert.Event.Key:
// "fingerprint" gives the 32-hex-digit hash of source, name and labels,
// "dedup_key" a producer's dedup_key of about 80 bytes. The metrics, in
// units of 10^6 bytes, after a forced GC:
//
//	MB/1M-keys        growth of HeapAlloc: the live objects of the store
//	B/key             the same per key
//	inuse-MB/1M-keys  growth of HeapInuse: spans, fragmentation included
//	swept-MB          HeapAlloc still held once every key expired and
//	                  Sweep forgot it
//	key-B             mean length of the composite key (route, NUL, key)
func BenchmarkMemoryFootprint(b *testing.B) {
	keys := []struct {
		name string
		key  func(ev *alert.Event, i int) string
	}{
		{"fingerprint", fingerprintKey},
		{"dedup_key", producerDedupKey},
	}
	for _, k := range keys {
		b.Run(k.name, func(b *testing.B) {
			for range b.N {
				measureFootprint(b, k.key)
			}
		})
	}
}

// fingerprintKey returns the key of an event without a dedup_key: the
// fingerprint of its labels, made distinct by an instance label.
func fingerprintKey(ev *alert.Event, i int) string {
	ev.DedupKey = ""
	ev.Labels["instance"] = instance(i)
	return ev.Key()
}

// producerDedupKey returns a producer's dedup_key built, as producers do,
// from source, name and labels.
func producerDedupKey(ev *alert.Event, i int) string {
	ev.DedupKey = fmt.Sprintf("%s/%s/region=%s,instance=%s", ev.Source, ev.Name,
		ev.Labels["region"], instance(i))
	return ev.Key()
}

// instance returns a host:port distinct for every i below 2^24.
func instance(i int) string {
	return fmt.Sprintf("10.%d.%d.%d:9187", i>>16&255, i>>8&255, i&255)
}

func measureFootprint(b *testing.B, key func(ev *alert.Event, i int) string) {
	ctx := context.Background()
	c := newClock()
	ev := alert.Event{Source: "postgres-exporter", Name: "ReplicationLagHigh",
		Labels: map[string]string{"env": "prod", "region": "eu-west-1"}}

	base := heapAfterGC()
	mem := NewMemory(c.Now)
	o := firing("", "", t0, defaultPolicy)
	keyBytes := 0
	for i := range footprintKeys {
		o.Route = footprintRoutes[i%len(footprintRoutes)]
		o.Key = key(&ev, i)
		keyBytes += len(o.Route) + 1 + len(o.Key)
		if _, err := mem.Observe(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	if n := mem.Len(); n != footprintKeys {
		b.Fatalf("store holds %d keys, want %d", n, footprintKeys)
	}
	full := heapAfterGC()

	c.Set(t0.Add(defaultPolicy.StateTTL + time.Nanosecond))
	if n := mem.Sweep(); n != footprintKeys {
		b.Fatalf("sweep forgot %d keys, want %d", n, footprintKeys)
	}
	swept := heapAfterGC()
	runtime.KeepAlive(mem)

	alloc := float64(full.HeapAlloc) - float64(base.HeapAlloc)
	b.ReportMetric(alloc/1e6, "MB/1M-keys")
	b.ReportMetric(alloc/footprintKeys, "B/key")
	b.ReportMetric((float64(full.HeapInuse)-float64(base.HeapInuse))/1e6, "inuse-MB/1M-keys")
	b.ReportMetric((float64(swept.HeapAlloc)-float64(base.HeapAlloc))/1e6, "swept-MB")
	b.ReportMetric(float64(keyBytes)/footprintKeys, "key-B")
}

// heapAfterGC collects garbage and returns the heap statistics after it.
func heapAfterGC() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// TestMemoryStaysFlatUnderChurn observes a steady stream of new keys, none
// seen twice, far longer than they live, and never calls Sweep: the lazy
// sweep alone must keep the store near the number of live keys.
func TestMemoryStaysFlatUnderChurn(t *testing.T) {
	const perSecond, seconds = 10, 3600
	p := Policy{Window: time.Minute}
	live := perSecond * int(p.Window/time.Second)
	c := newClock()
	mem := NewMemory(c.Now)

	most := 0
	for s := range seconds {
		at := t0.Add(time.Duration(s) * time.Second)
		c.Set(at)
		for i := range perSecond {
			observe(t, mem, firing("r", fmt.Sprintf("k-%d-%d", s, i), at, p))
		}
		most = max(most, mem.Len())
	}

	require.GreaterOrEqual(t, mem.Len(), live, "live keys must be kept")
	require.LessOrEqual(t, most, 3*live, "expired keys must be swept while traffic flows")

	c.Set(c.Now().Add(p.Window + time.Nanosecond))
	require.Equal(t, mem.Len(), mem.Sweep())
	require.Zero(t, mem.Len())
}

// TestMemorySweepGivesBackSpace fills a store, lets every key expire and
// sweeps: the heap must fall back near where it was, not keep the maps
// sized for the keys that are gone.
func TestMemorySweepGivesBackSpace(t *testing.T) {
	const n = 100_000
	c := newClock()

	base := heapAfterGC()
	mem := NewMemory(c.Now)
	for i := range n {
		observe(t, mem, firing("db-critical", fingerprintOf(i), t0, defaultPolicy))
	}
	full := heapAfterGC()

	c.Set(t0.Add(defaultPolicy.StateTTL + time.Nanosecond))
	require.Equal(t, n, mem.Sweep())
	swept := heapAfterGC()
	runtime.KeepAlive(mem)

	held := float64(full.HeapAlloc) - float64(base.HeapAlloc)
	left := float64(swept.HeapAlloc) - float64(base.HeapAlloc)
	require.Greater(t, held, float64(n*32), "the keys must have taken space")
	require.Less(t, left, held/20, "swept store holds %.0f of %.0f bytes", left, held)
}

// fingerprintOf returns a distinct key as long as a fingerprint.
func fingerprintOf(i int) string { return fmt.Sprintf("%032x", i) }

// TestEntryFitsSmallAllocation keeps entry in the 32-byte size class the
// footprint figures count on.
func TestEntryFitsSmallAllocation(t *testing.T) {
	require.EqualValues(t, 32, unsafe.Sizeof(entry{}))
}

// TestDecideIgnoresFirstAt guards Memory, which does not keep FirstAt: no
// decision and no other field of the next state may depend on it.
func TestDecideIgnoresFirstAt(t *testing.T) {
	p := defaultPolicy
	notified := State{LastSeen: t0, LastNotified: t0, Severity: warn, Notified: true,
		Suppressed: 3}
	tests := []struct {
		name string
		prev State
		at   time.Duration
		sev  alert.Severity
		st   alert.Status
	}{
		{"duplicate", notified, time.Minute, warn, alert.StatusFiring},
		{"escalated", notified, time.Minute, high, alert.StatusFiring},
		{"repeat", State{LastSeen: t0.Add(25 * time.Minute), LastNotified: t0,
			Severity: warn, Notified: true}, 31 * time.Minute, warn, alert.StatusFiring},
		{"new after quiet gap", notified, time.Hour, warn, alert.StatusFiring},
		{"not notified", State{LastSeen: t0}, time.Minute, warn, alert.StatusFiring},
		{"resolved", notified, time.Hour, warn, alert.StatusResolved},
		{"expired", notified, 48 * time.Hour, warn, alert.StatusFiring},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Observation{Route: "r", Key: "k", Status: tt.st, Severity: tt.sev,
				At: t0.Add(tt.at), Policy: p}
			with := tt.prev
			with.FirstAt = t0.Add(-time.Hour)

			want, wantKeep, wantD := decide(tt.prev, true, o)
			got, gotKeep, gotD := decide(with, true, o)

			require.Equal(t, wantD, gotD)
			require.Equal(t, wantKeep, gotKeep)
			got.FirstAt, want.FirstAt = time.Time{}, time.Time{}
			require.Equal(t, want, got)
		})
	}
}
