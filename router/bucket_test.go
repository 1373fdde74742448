package router

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/dedup"
)

// TestWorkerCreatesDeletedStateBucketsAgain deletes the KV state buckets
// under a running worker: the next events are delivered, each once, and
// duplicates are still suppressed, on buckets created again with one
// error line each.
func TestWorkerCreatesDeletedStateBucketsAgain(t *testing.T) {
	tests := []struct {
		name    string
		buckets []string
	}{
		{"dedup", []string{dedup.DefaultKVBucket}},
		{"deliveries", []string{DefaultLedgerBucket}},
		{"both", []string{dedup.DefaultKVBucket, DefaultLedgerBucket}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			js := newJetStream(t)
			var logs syncBuffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			store, err := dedup.NewKV(ctx, js, dedup.KVOptions{Logger: log})
			require.NoError(t, err)
			ledger, err := NewKVLedger(ctx, js, "", 1, 0, LedgerLogger(log))
			require.NoError(t, err)
			h := startOn(t, js, newRecorder(), func(o *Options) {
				o.Store, o.Ledger = store, ledger
			})
			ev := `{"source":"ci/gates","name":"cve","severity":"critical","dedup_key":"k%d"}`
			h.publish(t, sprintf(ev, 1))
			h.waitDone(t, 1)

			for _, b := range tt.buckets {
				require.NoError(t, js.DeleteKeyValue(ctx, b))
			}
			h.publish(t, sprintf(ev, 2))
			h.waitDone(t, 2)
			h.publish(t, sprintf(ev, 2))
			h.publish(t, sprintf(ev, 3))
			h.waitDone(t, 4)

			var keys []string
			for _, n := range h.rec.got("pager") {
				keys = append(keys, n.Key)
			}
			require.Equal(t, []string{"k1", "k2", "k3"}, keys, "each alert once, the repeat suppressed")
			requireNothingPending(t, js)
			for _, b := range tt.buckets {
				_, err := js.KeyValue(ctx, b)
				require.NoError(t, err, "bucket %s is back", b)
				require.Equal(t, 1, strings.Count(logs.String(), "bucket="+b+" "), logs.String())
			}
			require.Equal(t, len(tt.buckets), strings.Count(logs.String(), "level=ERROR"),
				logs.String())
		})
	}
}

// TestKVLedgerCreatesDeletedBucketAgain covers each ledger operation on a
// bucket deleted under it, reads included: a redelivered message reads
// its plan first, and that read stalled before.
func TestKVLedgerCreatesDeletedBucketAgain(t *testing.T) {
	ctx := context.Background()
	js := newJetStream(t)
	plan := []Planned{{Route: "r", Receiver: "a", Reason: "new"}}
	build := func() ([]Planned, error) { return plan, nil }
	// gone opens a ledger, which has not checked its bucket yet, and
	// deletes the bucket under it.
	gone := func() *KVLedger {
		t.Helper()
		l, err := NewKVLedger(ctx, js, "", 1, time.Hour, LedgerLogger(slogDiscard()))
		require.NoError(t, err)
		require.NoError(t, js.DeleteKeyValue(ctx, DefaultLedgerBucket))
		return l
	}

	got, found, err := gone().Plan(ctx, "1-a", false, build)
	require.NoError(t, err, "read plan")
	require.Equal(t, plan, got)
	require.False(t, found)

	done, err := gone().Done(ctx, "1-a", "a.0")
	require.NoError(t, err, "read delivery record")
	require.False(t, done)

	_, _, err = gone().Plan(ctx, "2-a", true, build)
	require.NoError(t, err, "record plan")

	l := gone()
	require.NoError(t, l.MarkDone(ctx, "2-a", "a.0", DeliveryRecord{}), "record delivery")
	done, err = l.Done(ctx, "2-a", "a.0")
	require.NoError(t, err)
	require.True(t, done)
}
