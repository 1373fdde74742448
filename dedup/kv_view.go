package dedup

import "sync"

// kvSeen is a key's value and revision as a KV store last wrote or read
// it: nil value for a key without a live entry.
type kvSeen struct {
	val *kvValue
	rev uint64
}

// kvView remembers, for a bounded number of keys, what the store last
// wrote or read, so that the next observation can write without reading.
// It is a guess, never the truth: every write made on it is a
// compare-and-swap. Callers hold the key's lock around get and put.
type kvView struct {
	mu    sync.Mutex
	size  int
	seen  map[string]*kvSeen
	guess kvSeen
}

// newKVView returns a view of at most size keys; size < 0 turns it off.
func newKVView(size int) *kvView {
	return &kvView{size: size, seen: make(map[string]*kvSeen)}
}

// get returns what was last seen of key or, for a key not in the view,
// the guess that it has no entry. With the view off it returns nil: read.
func (v *kvView) get(key string) *kvSeen {
	if v.size < 0 {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()

	if s, ok := v.seen[key]; ok {
		return s
	}
	return &v.guess
}

// put remembers s for key. A full view first forgets about an eighth of
// its keys, whichever the map yields first.
func (v *kvView) put(key string, s *kvSeen) {
	if v.size < 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()

	if _, ok := v.seen[key]; !ok && len(v.seen) >= v.size {
		evict := max(v.size/8, 1)
		for k := range v.seen {
			delete(v.seen, k)
			if evict--; evict == 0 {
				break
			}
		}
	}
	v.seen[key] = s
}

// drop forgets key.
func (v *kvView) drop(key string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.seen, key)
}

// reset forgets every key, for a bucket that was created again empty.
func (v *kvView) reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	clear(v.seen)
}
