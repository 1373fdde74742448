// Package kvbucket keeps a JetStream key-value bucket in place under a
// running process. The dedup store and the delivery ledger each open
// their bucket through a Keeper; when an operation on the bucket fails in
// a way that says the bucket may be gone (an operator deleted it, or its
// stream was lost), the Keeper asks the server and, if the bucket is
// indeed missing, creates it again with the configuration it was opened
// with. Without this a worker would retry against a bucket that nobody
// makes, and stall every delivery.
//
// A bucket created again is empty: whatever the process cached about its
// keys is stale, which is what Options.OnCreate is for.
package kvbucket

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultInterval is the least time between two checks of one bucket.
const DefaultInterval = time.Second

// Options tune a Keeper.
type Options struct {
	// Logger gets one error line each time the bucket is created again;
	// nil means slog.Default().
	Logger *slog.Logger
	// Interval is the least time between two checks; 0 means
	// DefaultInterval.
	Interval time.Duration
	// Now is the clock that spaces the checks; nil means time.Now.
	Now func() time.Time
	// OnCreate, when set, is called after the bucket was created again,
	// before any caller retries.
	OnCreate func()
}

// Keeper creates a bucket again when it is deleted. It is safe for
// concurrent use.
type Keeper struct {
	js  jetstream.JetStream
	cfg jetstream.KeyValueConfig
	o   Options

	turn    chan struct{} // holds a token while one caller checks
	checked time.Time     // when the bucket was last checked
	present bool          // whether it was there, or made, at that check
}

// Open creates the bucket described by cfg, or opens it and updates its
// configuration when it exists, and returns it with its Keeper.
func Open(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig,
	o Options) (*Keeper, jetstream.KeyValue, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}

	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	k := &Keeper{js: js, cfg: cfg, o: o, turn: make(chan struct{}, 1)}
	return k, kv, nil
}

// Gone reports whether err, from an operation on a key-value bucket, may
// mean that the bucket does not exist: its stream is not found, or
// nothing answers on the bucket's subjects (a direct get or a write to a
// deleted stream). A JetStream cluster electing a leader can give the
// same errors, so they call for a check, not a conclusion.
func Gone(err error) bool {
	return errors.Is(err, jetstream.ErrBucketNotFound) ||
		errors.Is(err, jetstream.ErrStreamNotFound) ||
		errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrNoResponders)
}

// Recover is given the error of a failed operation on the bucket. When
// the error may mean the bucket is gone, Recover makes sure the bucket
// exists, creating it again if the server says it does not, and reports
// whether it is there now: the operation is then worth one more try. It
// asks the server at most once per interval; callers in between get the
// answer of the last check. One caller checks while the others wait.
func (k *Keeper) Recover(ctx context.Context, err error) bool {
	if !Gone(err) {
		return false
	}
	select {
	case k.turn <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	defer func() { <-k.turn }()

	if !k.checked.IsZero() && k.o.Now().Sub(k.checked) < k.o.Interval {
		return k.present
	}
	k.present = k.ensure(ctx)
	k.checked = k.o.Now()
	return k.present
}

// ensure creates the bucket if the server says it does not exist, and
// reports whether it exists now. On any other answer it leaves the bucket
// alone: the failed operation is retried later, as for any outage.
func (k *Keeper) ensure(ctx context.Context) bool {
	_, err := k.js.KeyValue(ctx, k.cfg.Bucket)
	if err == nil {
		return true
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return false
	}

	// Creating with the same configuration succeeds when another worker
	// made the bucket first.
	if _, err := k.js.CreateKeyValue(ctx, k.cfg); err != nil {
		k.o.Logger.Error("key-value bucket is gone and could not be created again",
			"bucket", k.cfg.Bucket, "err", err)
		return false
	}
	k.o.Logger.Error("key-value bucket was gone; created it again, empty",
		"bucket", k.cfg.Bucket, "holds", k.cfg.Description)
	if k.o.OnCreate != nil {
		k.o.OnCreate()
	}
	return true
}
