package dedup

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestKeyLocksSerialiseOneKey(t *testing.T) {
	const goroutines, each = 8, 200
	l := newKeyLocks()

	counter := 0 // guarded by key "k" alone; the race detector checks it
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				require.NoError(t, l.lock(context.Background(), "k"))
				counter++
				l.unlock("k")
			}
		})
	}
	wg.Wait()

	require.Equal(t, goroutines*each, counter)
	require.Zero(t, l.len(), "locks are dropped when unused")
}

func TestKeyLocks(t *testing.T) {
	cases := []struct {
		name    string
		other   string
		wantErr error
	}{
		{"other key is free", "j", nil},
		{"same key waits until the context ends", "k", context.DeadlineExceeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newKeyLocks()
			require.NoError(t, l.lock(context.Background(), "k"))

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			err := l.lock(ctx, tc.other)
			require.ErrorIs(t, err, tc.wantErr)
			if err == nil {
				l.unlock(tc.other)
			}

			l.unlock("k")
			require.Zero(t, l.len())
		})
	}
}
