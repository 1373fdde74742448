package dedup

import (
	"context"
	"sync"
)

// keyLocks serialises the observations of one key inside a process, so
// that a storm of one alert costs compare-and-swap retries only between
// processes, not between the goroutines of each. Waiting honours the
// context. A key's lock is dropped when no one holds or waits for it.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	ch   chan struct{} // holds a token while the key is locked
	refs int           // holders and waiters
}

func newKeyLocks() *keyLocks {
	return &keyLocks{locks: make(map[string]*keyLock)}
}

// lock takes key's lock, or fails with ctx's error. On success the caller
// must call unlock with the same key.
func (l *keyLocks) lock(ctx context.Context, key string) error {
	l.mu.Lock()
	kl, ok := l.locks[key]
	if !ok {
		kl = &keyLock{ch: make(chan struct{}, 1)}
		l.locks[key] = kl
	}
	kl.refs++
	l.mu.Unlock()

	select {
	case kl.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		l.release(key, kl)
		return ctx.Err()
	}
}

// unlock releases key's lock taken by lock.
func (l *keyLocks) unlock(key string) {
	l.mu.Lock()
	kl := l.locks[key]
	l.mu.Unlock()

	<-kl.ch
	l.release(key, kl)
}

func (l *keyLocks) release(key string, kl *keyLock) {
	l.mu.Lock()
	defer l.mu.Unlock()

	kl.refs--
	if kl.refs == 0 {
		delete(l.locks, key)
	}
}

// len returns the number of keys locked or waited for.
func (l *keyLocks) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.locks)
}
