package dedup

import (
	"context"
	"fmt"
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
