package router

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/alertrouter/alertrouter/channels"
)

// Planned is one notification decided for an event: the serialisable
// part of a channels.Notification, without the event itself.
type Planned struct {
	Route      string          `json:"route"`
	Receiver   string          `json:"receiver"`
	Reason     channels.Reason `json:"reason"`
	Suppressed int             `json:"suppressed,omitempty"`
}

// Ledger remembers, per stored message, the notifications decided for it
// and which deliveries are finished, so that a message redelivered after a
// crash or a lost ack resumes where it stopped: dedup is not asked again
// (it would call the event a duplicate of itself), and receivers that
// already got it are skipped.
type Ledger interface {
	// Plan returns the plan recorded under id or, when there is none,
	// records and returns what build makes; found reports which. Two
	// workers racing on one id both get the plan recorded first. first
	// says the message is delivered for the first time, so that a
	// recorded plan is unlikely: the ledger may then build and record
	// before it looks, and build must be safe to call for a message that
	// turns out to have a plan (dedup answers a repeated event the same
	// way).
	Plan(ctx context.Context, id string, first bool,
		build func() ([]Planned, error)) (plan []Planned, found bool, err error)
	// Done reports whether the named delivery of message id is finished.
	// Only a found plan can have finished deliveries.
	Done(ctx context.Context, id, delivery string) (bool, error)
	// MarkDone records the named delivery as finished: delivered, or
	// given up on and dead-lettered.
	MarkDone(ctx context.Context, id, delivery string, rec DeliveryRecord) error
	// Forget drops what is recorded for id once its message is acked.
	Forget(ctx context.Context, id string)
}

// DeliveryRecord says how one delivery finished.
type DeliveryRecord struct {
	// Outcome is "delivered" or "dead_lettered".
	Outcome string `json:"outcome"`
	// Attempts counts the tries, retries included.
	Attempts int       `json:"attempts"`
	At       time.Time `json:"at"`
}

// The outcomes of a finished delivery.
const (
	OutcomeDelivered    = "delivered"
	OutcomeDeadLettered = "dead_lettered"
)

// ledgerID names a stored message: its stream sequence, which every
// redelivery shares, and a short hash of the event id, so that a stream
// that was recreated and reuses sequence numbers cannot match old records.
func ledgerID(streamSeq uint64, eventID string) string {
	sum := sha256.Sum256([]byte(eventID))
	return strconv.FormatUint(streamSeq, 10) + "-" + hex.EncodeToString(sum[:4])
}

// deliveryName names one channel of one receiver within a message. The
// prefix tells first deliveries from fallbacks.
func deliveryName(prefix, receiver string, channel int) string {
	return prefix + receiver + "." + strconv.Itoa(channel)
}

// MemoryLedger keeps records in the process. It is enough for one worker:
// redeliveries within the process resume, but a restart forgets.
type MemoryLedger struct {
	mu      sync.Mutex
	entries map[string]*ledgerEntry
}

type ledgerEntry struct {
	plan    []Planned
	planned bool
	done    map[string]bool
}

// NewMemoryLedger returns an empty in-process ledger.
func NewMemoryLedger() *MemoryLedger {
	return &MemoryLedger{entries: make(map[string]*ledgerEntry)}
}

// Plan implements Ledger.
func (l *MemoryLedger) Plan(_ context.Context, id string, _ bool,
	build func() ([]Planned, error)) ([]Planned, bool, error) {
	if plan, ok := l.recorded(id); ok {
		return plan, true, nil
	}

	// build runs unlocked, so that workers do not wait on each other's
	// dedup; a plan recorded meanwhile wins.
	plan, err := build()
	if err != nil {
		return nil, false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[id]
	switch {
	case !ok:
		e = &ledgerEntry{done: make(map[string]bool)}
		l.entries[id] = e
	case e.planned:
		return e.plan, true, nil
	}
	e.plan, e.planned = plan, true
	return plan, false, nil
}

func (l *MemoryLedger) recorded(id string) ([]Planned, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()

	e, ok := l.entries[id]
	if !ok || !e.planned {
		return nil, false
	}
	return e.plan, true
}

// Done implements Ledger.
func (l *MemoryLedger) Done(_ context.Context, id, delivery string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()

	e, ok := l.entries[id]
	return ok && e.done[delivery], nil
}

// MarkDone implements Ledger.
func (l *MemoryLedger) MarkDone(_ context.Context, id, delivery string, _ DeliveryRecord) error {
	l.mu.Lock()
	defer l.mu.Unlock()

	e, ok := l.entries[id]
	if !ok {
		e = &ledgerEntry{done: make(map[string]bool)}
		l.entries[id] = e
	}
	e.done[delivery] = true
	return nil
}

// Forget implements Ledger.
func (l *MemoryLedger) Forget(_ context.Context, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, id)
}
