package dedup

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alertrouter/alertrouter/internal/natstest"
)

// BenchmarkKVObserve measures one observation against an embedded server
// over loopback: new_keys creates a key each time, existing_key updates
// one key, and new_keys_parallel creates keys from GOMAXPROCS goroutines;
// the no_view variants read each key before writing it, as a store does
// for keys another process wrote last.
func BenchmarkKVObserve(b *testing.B) {
	ctx := context.Background()
	ns := natstest.Server(b)
	k := newKV(b, connect(b, ns), "", nil)
	noView, err := NewKV(ctx, connect(b, ns), KVOptions{ViewSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Uint64 // keeps keys new across runs

	b.Run("new_keys_parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			o := firing("route", "", time.Time{}, defaultPolicy)
			for pb.Next() {
				o.Key = fmt.Sprintf("%032x", next.Add(1))
				if _, err := k.Observe(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	})

	for name, store := range map[string]*KV{"": k, "_no_view": noView} {
		b.Run("new_keys"+name, func(b *testing.B) {
			o := firing("route", "", time.Time{}, defaultPolicy)
			b.ReportAllocs()
			for b.Loop() {
				o.Key = fmt.Sprintf("%032x", next.Add(1))
				if _, err := store.Observe(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("existing_key"+name, func(b *testing.B) {
			o := firing("route", "hot"+name, time.Time{}, defaultPolicy)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := store.Observe(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
