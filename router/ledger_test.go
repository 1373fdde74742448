package router

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLedgers(t *testing.T) {
	js := newJetStream(t)
	kv, err := NewKVLedger(context.Background(), js, "", 1, time.Hour)
	require.NoError(t, err)

	for name, l := range map[string]Ledger{"memory": NewMemoryLedger(), "kv": kv} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			want := []Planned{{Route: "r", Receiver: "a", Reason: "new", Suppressed: 2}}
			builds := 0
			build := func() ([]Planned, error) { builds++; return want, nil }

			got, found, err := l.Plan(ctx, "7-abc", true, build)
			require.NoError(t, err)
			require.Equal(t, want, got)
			require.False(t, found, "a plan just built is not found")
			again, found, err := l.Plan(ctx, "7-abc", false, build)
			require.NoError(t, err)
			require.Equal(t, want, again)
			require.True(t, found)
			require.Equal(t, 1, builds, "a recorded plan is reused, dedup is not asked twice")

			other := func() ([]Planned, error) { return []Planned{}, nil }
			again, found, err = l.Plan(ctx, "7-abc", true, other)
			require.NoError(t, err)
			require.Equal(t, want, again, "a recorded plan wins even when first says otherwise")
			require.True(t, found)

			_, _, err = l.Plan(ctx, "8-abc", false, func() ([]Planned, error) {
				return nil, errors.New("store down")
			})
			require.ErrorContains(t, err, "store down")

			done, err := l.Done(ctx, "7-abc", "a.0")
			require.NoError(t, err)
			require.False(t, done)
			require.NoError(t, l.MarkDone(ctx, "7-abc", "a.0", DeliveryRecord{}))
			require.NoError(t, l.MarkDone(ctx, "7-abc", "a.0", DeliveryRecord{}), "marking twice is fine")
			done, err = l.Done(ctx, "7-abc", "a.0")
			require.NoError(t, err)
			require.True(t, done)
			done, err = l.Done(ctx, "7-abc", "a.1")
			require.NoError(t, err)
			require.False(t, done)
		})
	}
}

func TestKVLedgerSharedAcrossWorkers(t *testing.T) {
	js := newJetStream(t)
	ctx := context.Background()
	a, err := NewKVLedger(ctx, js, "", 1, 0)
	require.NoError(t, err)
	b, err := NewKVLedger(ctx, js, "", 1, 0)
	require.NoError(t, err)

	first := []Planned{{Route: "r", Receiver: "x", Reason: "new"}}
	_, _, err = a.Plan(ctx, "1-aa", true, func() ([]Planned, error) { return first, nil })
	require.NoError(t, err)
	got, found, err := b.Plan(ctx, "1-aa", true, func() ([]Planned, error) {
		return []Planned{}, nil
	})
	require.NoError(t, err)
	require.Equal(t, first, got, "the second worker takes the first worker's plan")
	require.True(t, found)

	require.NoError(t, a.MarkDone(ctx, "1-aa", "x.0", DeliveryRecord{Outcome: OutcomeDelivered, Attempts: 3}))
	done, err := b.Done(ctx, "1-aa", "x.0")
	require.NoError(t, err)
	require.True(t, done)
	recs, err := b.Records(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, recs["1-aa.x.0"].Attempts)
	require.Equal(t, OutcomeDelivered, recs["1-aa.x.0"].Outcome)
}

func TestLedgerIDs(t *testing.T) {
	require.Equal(t, ledgerID(5, "e1"), ledgerID(5, "e1"))
	require.NotEqual(t, ledgerID(5, "e1"), ledgerID(5, "e2"))
	require.NotEqual(t, ledgerID(5, "e1"), ledgerID(6, "e1"))
	require.Regexp(t, `^5-[0-9a-f]{8}$`, ledgerID(5, "any id / with * odd > chars"))
}
