package dedup

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func BenchmarkMemoryObserve(b *testing.B) {
	ctx := context.Background()

	b.Run("hot_key", func(b *testing.B) {
		mem := NewMemory(nil)
		o := firing("route", "hot", time.Now(), defaultPolicy)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := mem.Observe(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	})

	b.Run("distinct_keys", func(b *testing.B) {
		keys := make([]string, 1<<16)
		for i := range keys {
			keys[i] = fmt.Sprintf("%032x", i)
		}
		mem := NewMemory(nil)
		at := time.Now()
		var next atomic.Uint64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			o := firing("route", "", at, defaultPolicy)
			for pb.Next() {
				o.Key = keys[next.Add(1)%uint64(len(keys))]
				if _, err := mem.Observe(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkMemoryLiveKeys reports the heap held per live key with
// 1,000,000 keys of 32 characters on a route of 16.
func BenchmarkMemoryLiveKeys(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()

	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)

		mem := NewMemory(nil)
		o := firing("patient-data-crt", "", time.Now(), defaultPolicy)
		for i := range n {
			o.Key = fmt.Sprintf("%032x", i)
			if _, err := mem.Observe(ctx, o); err != nil {
				b.Fatal(err)
			}
		}

		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/key")
		runtime.KeepAlive(mem)
	}
}
