package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/internal/kvbucket"
)

// Defaults of the JetStream key-value ledger.
const (
	DefaultLedgerBucket = "alertrouter_deliveries"
	// DefaultLedgerTTL is how long records are kept: longer than any
	// message can wait for redelivery.
	DefaultLedgerTTL = 24 * time.Hour
)

// KVLedger keeps records in a JetStream key-value bucket, shared by every
// worker, so that a message redelivered to another worker after a crash
// resumes there. Every record is written once, with Create, and expires
// with a per-key TTL.
//
// When the bucket is deleted under a running ledger, the next operation
// that fails for it creates the bucket again, empty, with the same
// configuration, and tries once more (see kvbucket). The records it held
// are lost: a message redelivered then may notify a receiver again.
type KVLedger struct {
	kv     jetstream.KeyValue
	bucket *kvbucket.Keeper
	ttl    time.Duration
}

// KVLedgerOption tunes NewKVLedger.
type KVLedgerOption func(*ledgerOptions)

type ledgerOptions struct {
	log *slog.Logger
}

// LedgerLogger sends the error line of a bucket created again to log
// rather than to slog.Default().
func LedgerLogger(log *slog.Logger) KVLedgerOption {
	return func(o *ledgerOptions) { o.log = log }
}

// NewKVLedger creates or opens the bucket. replicas is the bucket's
// replication factor (3 on a cluster); ttl 0 means DefaultLedgerTTL.
func NewKVLedger(ctx context.Context, js jetstream.JetStream, bucket string, replicas int,
	ttl time.Duration, opts ...KVLedgerOption) (*KVLedger, error) {
	if bucket == "" {
		bucket = DefaultLedgerBucket
	}
	if ttl <= 0 {
		ttl = DefaultLedgerTTL
	}
	var lo ledgerOptions
	for _, opt := range opts {
		opt(&lo)
	}

	l := &KVLedger{ttl: ttl}
	var err error
	l.bucket, l.kv, err = kvbucket.Open(ctx, js, jetstream.KeyValueConfig{
		Bucket:         bucket,
		Description:    "alertrouter delivery records",
		History:        1,
		TTL:            2 * ttl,
		Storage:        jetstream.FileStorage,
		Replicas:       max(replicas, 1),
		LimitMarkerTTL: time.Second,
	}, kvbucket.Options{Logger: lo.log})
	if err != nil {
		return nil, fmt.Errorf("delivery ledger bucket %s: %w", bucket, err)
	}
	return l, nil
}

// Plan implements Ledger. For a message's first delivery it records
// without reading first, one round trip instead of two; a plan that turns
// out to be there already wins over the one just built.
func (l *KVLedger) Plan(ctx context.Context, id string, first bool,
	build func() ([]Planned, error)) ([]Planned, bool, error) {
	if !first {
		if plan, ok, err := l.readPlan(ctx, id); err != nil || ok {
			return plan, ok, err
		}
	}

	plan, err := build()
	if err != nil {
		return nil, false, err
	}
	data, err := json.Marshal(plan)
	if err != nil {
		return nil, false, fmt.Errorf("encode plan %s: %w", id, err)
	}
	err = l.create(ctx, "p."+id, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		plan, ok, err := l.readPlan(ctx, id)
		if err == nil && !ok {
			err = fmt.Errorf("read plan %s: recorded, then gone", id)
		}
		return plan, ok, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("record plan %s: %w", id, err)
	}
	return plan, false, nil
}

func (l *KVLedger) readPlan(ctx context.Context, id string) ([]Planned, bool, error) {
	e, err := l.get(ctx, "p."+id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read plan %s: %w", id, err)
	}
	var plan []Planned
	if err := json.Unmarshal(e.Value(), &plan); err != nil {
		return nil, false, fmt.Errorf("decode plan %s: %w", id, err)
	}
	return plan, true, nil
}

// Done implements Ledger.
func (l *KVLedger) Done(ctx context.Context, id, delivery string) (bool, error) {
	_, err := l.get(ctx, "d."+id+"."+delivery)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read delivery record %s/%s: %w", id, delivery, err)
	}
	return true, nil
}

// MarkDone implements Ledger.
func (l *KVLedger) MarkDone(ctx context.Context, id, delivery string,
	rec DeliveryRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode delivery record %s/%s: %w", id, delivery, err)
	}
	err = l.create(ctx, "d."+id+"."+delivery, data)
	if err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return fmt.Errorf("record delivery %s/%s: %w", id, delivery, err)
	}
	return nil
}

// get reads key, once more if the bucket was gone and is back.
func (l *KVLedger) get(ctx context.Context, key string) (jetstream.KeyValueEntry, error) {
	e, err := l.kv.Get(ctx, key)
	if err != nil && l.bucket.Recover(ctx, err) {
		e, err = l.kv.Get(ctx, key)
	}
	return e, err
}

// create writes key if it has no value, with the record TTL, once more if
// the bucket was gone and is back.
func (l *KVLedger) create(ctx context.Context, key string, data []byte) error {
	_, err := l.kv.Create(ctx, key, data, jetstream.KeyTTL(l.ttl))
	if err != nil && l.bucket.Recover(ctx, err) {
		_, err = l.kv.Create(ctx, key, data, jetstream.KeyTTL(l.ttl))
	}
	return err
}

// Records returns every finished delivery still kept, keyed by
// "<message>.<delivery>", for inspection and tests.
func (l *KVLedger) Records(ctx context.Context) (map[string]DeliveryRecord, error) {
	keys, err := l.kv.ListKeysFiltered(ctx, "d.>")
	if err != nil {
		return nil, fmt.Errorf("list delivery records: %w", err)
	}
	out := make(map[string]DeliveryRecord)
	for k := range keys.Keys() {
		e, err := l.kv.Get(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("read delivery record %s: %w", k, err)
		}
		var rec DeliveryRecord
		if err := json.Unmarshal(e.Value(), &rec); err != nil {
			return nil, fmt.Errorf("decode delivery record %s: %w", k, err)
		}
		out[strings.TrimPrefix(k, "d.")] = rec
	}
	return out, nil
}

// Forget implements Ledger. Records stay until their TTL, so that a
// message whose ack was lost is still recognised when it comes back.
func (l *KVLedger) Forget(context.Context, string) {}
