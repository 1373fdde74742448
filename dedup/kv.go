package dedup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/internal/kvbucket"
)

// ErrContention is returned by KV.Observe when other workers kept changing
// a key for every attempt to write it.
var ErrContention = errors.New("dedup kv: too much contention on one key")

var _ Store = (*KV)(nil)

const (
	// DefaultKVBucket is the bucket a KV store uses when none is named.
	DefaultKVBucket = "alertrouter_dedup"
	// DefaultKVMaxAge bounds the life of any key in the bucket. It is
	// longer than the default state TTL of seven days.
	DefaultKVMaxAge = 8 * 24 * time.Hour

	// kvAttempts bounds the read-decide-write loop of one observation.
	kvAttempts = 50
	// kvBackoff and kvBackoffMax bound the random wait of a writer that
	// lost a compare-and-swap before it reads again: up to kvBackoff after
	// the first loss, doubling per loss up to kvBackoffMax.
	kvBackoff    = time.Millisecond
	kvBackoffMax = 250 * time.Millisecond
	// kvMarkerTTL is how long the server keeps the marker it leaves when a
	// key's TTL runs out.
	kvMarkerTTL = time.Minute
	// kvKeyBytes is how much of the SHA-256 of a composite key names it.
	kvKeyBytes = 16
	// DefaultKVViewSize is how many keys a KV store remembers as it last
	// wrote them, unless configured otherwise.
	DefaultKVViewSize = 10_000
	// kvOperationHeader marks a key-value delete or purge entry.
	kvOperationHeader = "KV-Operation"
)

// KVOptions configures a KV store.
type KVOptions struct {
	// Bucket names the key-value bucket; empty means DefaultKVBucket.
	Bucket string
	// Replicas is the bucket's replica count; 0 means 1. Use 3 in a
	// cluster.
	Replicas int
	// MaxAge is the bucket-wide ceiling on any key's life; 0 means
	// DefaultKVMaxAge. It should exceed every route's state TTL.
	MaxAge time.Duration
	// Now is the clock for observations without a time and for key TTLs;
	// nil means time.Now.
	Now func() time.Time
	// ViewSize bounds how many keys the store remembers as it last wrote
	// or read them, to write without reading first; 0 means
	// DefaultKVViewSize, a negative value turns the view off.
	ViewSize int
	// Logger gets an error line when the bucket, deleted under the store,
	// is created again; nil means slog.Default().
	Logger *slog.Logger
}

// KV is a Store on a JetStream key-value bucket, so that several router
// workers share one dedup view. Each (route, key) is one bucket key whose
// value is the JSON State; writes are compare-and-swap on the key's
// revision, so concurrent workers never both notify a first firing.
// Within one process the observations of a key wait for each other, so
// that retries happen only between processes. Every write carries the
// state's remaining life as a per-key TTL, so the server drops forgotten
// keys itself. It is safe for concurrent use.
//
// A store keeps a local view of the keys it last wrote or read (see
// KVOptions.ViewSize) and decides on that view without a read: one round
// trip per observation while this process is the key's only writer, which
// is the common case in an alert storm. A key it has not seen is taken to
// be new. A wrong guess costs nothing but time: the write is a
// compare-and-swap on the revision the guess holds, so it fails when
// another process wrote, deleted or expired the key since, and the store
// then reads the key and decides again.
//
// When the bucket is deleted under a running store, the next observation
// that fails for it creates the bucket again, empty, with the same
// configuration, forgets the view, and tries once more (see kvbucket).
// What the bucket held is lost: alerts it knew are new again.
//
// The bucket must be local to js: KV publishes its writes to the bucket's
// own subjects and does not follow mirrors or other domains.
type KV struct {
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	stream jetstream.Stream
	bucket *kvbucket.Keeper
	prefix string
	now    func() time.Time
	locks  *keyLocks
	view   *kvView
}

// NewKV creates the bucket described by o, or opens and updates it when it
// exists, with per-key TTLs enabled (nats-server 2.11 or later).
func NewKV(ctx context.Context, js jetstream.JetStream, o KVOptions) (*KV, error) {
	o = o.withDefaults()
	k := &KV{js: js, prefix: "$KV." + o.Bucket + ".", now: o.Now, locks: newKeyLocks(),
		view: newKVView(o.ViewSize)}

	// The handles name the bucket and its stream: they serve a bucket
	// created again as well.
	var err error
	k.bucket, k.kv, err = kvbucket.Open(ctx, js, jetstream.KeyValueConfig{
		Bucket:         o.Bucket,
		Description:    "alertrouter dedup state per route and key",
		History:        1,
		TTL:            o.MaxAge,
		Replicas:       o.Replicas,
		LimitMarkerTTL: kvMarkerTTL,
	}, kvbucket.Options{Logger: o.Logger, OnCreate: k.view.reset})
	if err != nil {
		return nil, fmt.Errorf("dedup kv: open bucket %q: %w", o.Bucket, err)
	}

	k.stream, err = js.Stream(ctx, "KV_"+o.Bucket)
	if err != nil {
		return nil, fmt.Errorf("dedup kv: open stream of bucket %q: %w", o.Bucket, err)
	}
	return k, nil
}

func (o KVOptions) withDefaults() KVOptions {
	if o.Bucket == "" {
		o.Bucket = DefaultKVBucket
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultKVMaxAge
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ViewSize == 0 {
		o.ViewSize = DefaultKVViewSize
	}
	return o
}

// Observe decides on o against the shared state of its key and writes the
// next state back, retrying when another worker changed the key in
// between, and once when the bucket was gone and has been created again.
// It fails when the bucket cannot be reached, ctx is done, a stored state
// cannot be decoded, or the key stays contended (ErrContention).
func (k *KV) Observe(ctx context.Context, o Observation) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("dedup kv observe route %q: %w", o.Route, err)
	}
	if o.At.IsZero() {
		o.At = k.now()
	}

	key := kvKey(o.Route, o.Key)
	if err := k.locks.lock(ctx, key); err != nil {
		return Decision{}, fmt.Errorf("dedup kv observe route %q: %w", o.Route, err)
	}
	defer k.locks.unlock(key)

	guess := k.view.get(key)
	recovered := false
	for attempt := 1; attempt <= kvAttempts; attempt++ {
		d, err := k.try(ctx, key, o, guess)
		if err == nil {
			return d, nil
		}
		k.view.drop(key)
		if !errors.Is(err, errConflict) {
			if recovered || !k.bucket.Recover(ctx, err) {
				return Decision{}, fmt.Errorf("dedup kv observe route %q: %w", o.Route, err)
			}
			recovered, guess = true, nil
			continue
		}

		// The first conflict may only mean the guess was stale: read
		// and decide again at once. Later ones are other writers.
		guess = nil
		if attempt == 1 {
			continue
		}
		if err := backoff(ctx, attempt-1); err != nil {
			return Decision{}, fmt.Errorf("dedup kv observe route %q: %w", o.Route, err)
		}
	}
	return Decision{}, fmt.Errorf("dedup kv observe route %q after %d attempts: %w",
		o.Route, kvAttempts, ErrContention)
}

// errConflict means another worker wrote the key since it was read.
var errConflict = errors.New("key changed concurrently")

// try is one decide-write round on the key's value as guessed from the
// view or, without a guess, as read from the bucket. It returns
// errConflict when the key is not at the revision the decision was made
// on.
func (k *KV) try(ctx context.Context, key string, o Observation, guess *kvSeen) (Decision,
	error) {
	cur := guess
	if cur == nil {
		val, rev, err := k.read(ctx, key)
		if err != nil {
			return Decision{}, err
		}
		cur = &kvSeen{val: val, rev: rev}
		k.view.put(key, cur)
	}
	if d, ok := cur.val.repeat(o.EventID); ok {
		// The decision was written once; it stands whatever came since.
		return d, nil
	}

	next, d := Decide(cur.val.state(), o)
	recent := cur.val.remember(o.EventID, d)
	var err error
	switch {
	case next == nil && cur.val == nil && guess != nil:
		// Nothing to write, so nothing would catch a wrong guess.
		return k.try(ctx, key, o, nil)
	case next == nil && cur.val == nil:
		return d, nil
	case next == nil && len(recent) == 0:
		err = conflictOr(k.kv.Delete(ctx, key, jetstream.LastRevision(cur.rev)), "delete", key)
		k.view.drop(key)
	case next == nil:
		// Forgotten, but the decisions are kept a while for redeliveries.
		gone := &kvValue{State: State{LastSeen: o.At}, Gone: true, Recent: recent}
		err = k.write(ctx, key, gone, o.At.Add(tombstoneTTL), cur.rev)
	default:
		err = k.write(ctx, key, &kvValue{State: *next, Recent: recent},
			next.ExpiresAt(o.Policy), cur.rev)
	}

	if err != nil {
		return Decision{}, err
	}
	return d, nil
}

// tombstoneTTL is how long a forgotten key keeps its recent decisions, so
// that an event redelivered after a crash still gets the same answer.
const tombstoneTTL = 24 * time.Hour

// maxRecent bounds the decisions kept per key.
const maxRecent = 16

// kvValue is what the bucket holds per key: the state, and the latest
// decisions by event, to answer redeliveries the same way.
type kvValue struct {
	State
	// Gone marks a key that was forgotten (resolved): State is not live.
	Gone   bool             `json:"gone,omitempty"`
	Recent []recentDecision `json:"recent,omitempty"`
}

type recentDecision struct {
	Event    string   `json:"event"`
	Decision Decision `json:"decision"`
}

// state is the live state, or nil.
func (v *kvValue) state() *State {
	if v == nil || v.Gone {
		return nil
	}
	return &v.State
}

// repeat returns the decision already given to the event, if any.
func (v *kvValue) repeat(event string) (Decision, bool) {
	if v == nil || event == "" {
		return Decision{}, false
	}
	for _, r := range v.Recent {
		if r.Event == event {
			return r.Decision, true
		}
	}
	return Decision{}, false
}

// remember returns the recent decisions with d added for event.
func (v *kvValue) remember(event string, d Decision) []recentDecision {
	var recent []recentDecision
	if v != nil {
		recent = v.Recent
	}
	if event == "" {
		return recent
	}
	if len(recent) >= maxRecent {
		recent = recent[len(recent)-maxRecent+1:]
	}
	return append(append([]recentDecision(nil), recent...), recentDecision{event, d})
}

// read returns the key's value and revision: nil and revision 0 when the
// key was never written or its entries are gone; nil and the marker's
// revision when its latest entry is a delete, purge or expiry marker. A
// state that is no longer live is returned as it is; Decide treats it as
// absent, and its revision still guards the write that replaces it.
func (k *KV) read(ctx context.Context, key string) (*kvValue, uint64, error) {
	m, err := k.stream.GetLastMsgForSubject(ctx, k.prefix+key)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("get key %s: %w", key, err)
	}
	if m.Header.Get(kvOperationHeader) != "" ||
		m.Header.Get(jetstream.MarkerReasonHeader) != "" {
		return nil, m.Sequence, nil
	}

	var v kvValue
	if err := json.Unmarshal(m.Data, &v); err != nil {
		return nil, 0, fmt.Errorf("decode state of key %s: %w", key, err)
	}
	return &v, m.Sequence, nil
}

// write stores v under key if the key's latest entry is still at revision
// rev (0: the key has no entry), living until expires, and remembers it
// in the view.
func (k *KV) write(ctx context.Context, key string, v *kvValue, expires time.Time,
	rev uint64) error {
	value, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode state of key %s: %w", key, err)
	}
	ttl := keyTTL(expires, k.now())

	// KeyValue.Update cannot carry a TTL, so publish the write as it
	// would, with the TTL header added.
	msg := &nats.Msg{Subject: k.prefix + key, Header: nats.Header{}, Data: value}
	ack, err := k.js.PublishMsg(ctx, msg,
		jetstream.WithExpectLastSequencePerSubject(rev), jetstream.WithMsgTTL(ttl))
	if err != nil {
		return conflictOr(err, "write", key)
	}
	k.view.put(key, &kvSeen{val: v, rev: ack.Sequence})
	return nil
}

// conflictOr maps a failed compare-and-swap to errConflict and wraps any
// other error.
func conflictOr(err error, op, key string) error {
	if err == nil {
		return nil
	}

	var apiErr *jetstream.APIError
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) ||
		errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return errConflict
	}
	return fmt.Errorf("%s key %s: %w", op, key, err)
}

// keyTTL is the time from now until expires, rounded up to whole seconds
// and at least one second, as JetStream message TTLs require.
func keyTTL(expires, now time.Time) time.Duration {
	d := expires.Sub(now)
	if d <= time.Second {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}

// backoff waits a random moment, growing with the attempt, so that workers
// contending for one key take turns.
func backoff(ctx context.Context, attempt int) error {
	limit := kvBackoffMax
	if attempt < 9 {
		limit = min(kvBackoff<<(attempt-1), kvBackoffMax)
	}

	t := time.NewTimer(rand.N(limit))
	defer t.Stop()

	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// kvKey names the bucket key of (route, key): hex of the SHA-256 of the
// composite key, cut to 128 bits, so any route and key give a valid
// subject token.
func kvKey(route, key string) string {
	var buf [keyBuf]byte
	sum := sha256.Sum256(compositeKey(buf[:0], route, key))
	return hex.EncodeToString(sum[:kvKeyBytes])
}
