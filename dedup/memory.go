package dedup

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/alertrouter/alertrouter/alert"
)

// Store decides on observations and remembers the state behind them.
type Store interface {
	// Observe records one event and returns what to do with it.
	Observe(ctx context.Context, o Observation) (Decision, error)
}

var _ Store = (*Memory)(nil)

const (
	// shardCount spreads keys over locks so that router workers seldom
	// wait on each other. A power of two.
	shardCount = 32
	// sweepInterval is how often, at most, a shard with traffic is
	// cleared of expired keys even if it is small.
	sweepInterval = time.Minute
	// sweepMinOps is the least number of observations between two sweeps
	// of a shard; with the shard's size added, it keeps sweeping
	// amortised O(1) per observation.
	sweepMinOps = 256
	// keyBuf is the stack space for a composite key; longer keys spill to
	// the heap.
	keyBuf = 128
	// shrinkMinPeak is the least peak size at which a sweep moves a
	// shard's keys to a smaller map; below it the space is not worth it.
	shrinkMinPeak = 1024
)

// Memory is a Store for one process. It is safe for concurrent use.
// Expired keys are swept lazily by Observe, each shard at least once a
// minute while it has traffic and at most once per as many observations
// as it holds keys; Sweep clears them all at once.
type Memory struct {
	now    func() time.Time
	shards [shardCount]shard
}

type shard struct {
	mu        sync.Mutex
	keys      map[string]*entry
	peak      int // most keys held since keys was made
	ops       int
	nextSweep int64
	_         [64]byte // keeps neighbouring shards' locks off one cache line
}

// entry is a State in 32 bytes: times as Unix nanoseconds. It leaves out
// FirstAt, which no decision reads and Memory never shows, to fit a
// 32-byte allocation instead of a 48-byte one.
type entry struct {
	lastSeen     int64
	lastNotified int64
	expires      int64
	suppressed   int32
	severity     int8
	notified     bool
}

// NewMemory returns an empty in-memory store. now is the clock used when
// an observation has no time and for sweeping; nil means time.Now.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}

	m := &Memory{now: now}
	for i := range m.shards {
		m.shards[i].keys = make(map[string]*entry)
	}
	return m
}

// Observe decides on o and records the key's next state. Its only error
// is a done context.
func (m *Memory) Observe(ctx context.Context, o Observation) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("dedup observe route %q: %w", o.Route, err)
	}

	now := m.now()
	if o.At.IsZero() {
		o.At = now
	}

	var buf [keyBuf]byte
	k := compositeKey(buf[:0], o.Route, o.Key)
	sh := &m.shards[shardOf(k)]

	sh.mu.Lock()
	d := sh.observe(k, o)
	sh.maybeSweep(now.UnixNano())
	sh.mu.Unlock()
	return d, nil
}

// Len returns the number of keys held, including expired ones not yet
// swept.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		n += len(sh.keys)
		sh.mu.Unlock()
	}
	return n
}

// Sweep forgets every key expired at the store's clock and returns how
// many it forgot.
func (m *Memory) Sweep() int {
	now := m.now().UnixNano()

	n := 0
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		n += sh.sweep(now)
		sh.mu.Unlock()
	}
	return n
}

func (sh *shard) observe(k []byte, o Observation) Decision {
	e, has := sh.keys[string(k)]

	var prev State
	if has {
		prev = e.state()
	}

	next, keep, d := decide(prev, has, o)
	switch {
	case !keep && has:
		delete(sh.keys, string(k))
	case keep && has:
		e.set(&next, o.Policy)
	case keep:
		e = new(entry)
		e.set(&next, o.Policy)
		sh.keys[string(k)] = e
		sh.peak = max(sh.peak, len(sh.keys))
	}
	return d
}

func (sh *shard) maybeSweep(now int64) {
	sh.ops++
	if sh.ops < len(sh.keys)+sweepMinOps && now < sh.nextSweep {
		return
	}
	sh.sweep(now)
}

func (sh *shard) sweep(now int64) int {
	n := 0
	for k, e := range sh.keys {
		if now > e.expires {
			delete(sh.keys, k)
			n++
		}
	}

	sh.ops = 0
	sh.nextSweep = now + int64(sweepInterval)
	sh.shrink()
	return n
}

// shrink moves the keys to a map of their size once they have fallen
// under a quarter of their peak: a Go map keeps the space of deleted keys,
// so without it a burst of keys would hold its memory, and slow every
// sweep, for as long as the process runs. Moving a key copies neither its
// string nor its entry, and the copies are paid for by the deletions
// before them.
func (sh *shard) shrink() {
	if sh.peak < shrinkMinPeak || len(sh.keys) >= sh.peak/4 {
		return
	}

	keys := make(map[string]*entry, len(sh.keys))
	for k, e := range sh.keys {
		keys[k] = e
	}
	sh.keys = keys
	sh.peak = len(keys)
}

func (e *entry) state() State {
	return State{
		LastSeen:     fromNanos(e.lastSeen),
		LastNotified: fromNanos(e.lastNotified),
		Severity:     alert.Severity(e.severity),
		Notified:     e.notified,
		Suppressed:   int(e.suppressed),
	}
}

func (e *entry) set(s *State, p Policy) {
	e.lastSeen = toNanos(s.LastSeen)
	e.lastNotified = toNanos(s.LastNotified)
	e.expires = toNanos(s.ExpiresAt(p))
	e.suppressed = int32(min(s.Suppressed, math.MaxInt32))
	e.severity = int8(s.Severity)
	e.notified = s.Notified
}

// compositeKey appends route, a NUL and key to b. Route names never hold
// a NUL, so the same key on two routes gives two composite keys.
func compositeKey(b []byte, route, key string) []byte {
	b = append(b, route...)
	b = append(b, 0)
	return append(b, key...)
}

// shardOf hashes k with 32-bit FNV-1a.
func shardOf(k []byte) int {
	h := uint32(2166136261)
	for _, c := range k {
		h ^= uint32(c)
		h *= 16777619
	}
	return int(h % shardCount)
}

func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
