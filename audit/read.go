package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// readBatch is how many records one fetch asks for.
const readBatch = 256

// Filter selects records; empty fields select everything.
type Filter struct {
	// EventID, Key and Receiver must equal the record's field.
	EventID, Key string
	// Route must equal the record's Route or one of its Routes.
	Route    string
	Receiver string
	// Outcome must be one of Outcomes() and equal the record's.
	Outcome string
	// Kind must be one of Kinds(); the stream is filtered by subject.
	Kind string
	// Since and Until bound the time the stream stored the record.
	Since, Until time.Time
	// Limit stops after this many records (0: no limit).
	Limit int
}

// Read returns the records that match f, oldest first. It reads the
// stream from Since (or the beginning) up to the last record stored when
// it was called, and does not wait for more. Records it cannot decode are
// skipped. Without the audit stream, it returns ErrNoStream.
func Read(ctx context.Context, js jetstream.JetStream, f Filter) ([]Record, error) {
	subject := SubjectPrefix + ">"
	if f.Kind != "" {
		if !slices.Contains(Kinds(), f.Kind) {
			return nil, fmt.Errorf("kind %q: want one of %s", f.Kind,
				strings.Join(Kinds(), ", "))
		}
		subject = Subject(f.Kind)
	}
	if f.Outcome != "" && !slices.Contains(Outcomes(), f.Outcome) {
		return nil, fmt.Errorf("outcome %q: want one of %s", f.Outcome,
			strings.Join(Outcomes(), ", "))
	}

	s, err := js.Stream(ctx, StreamName)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, ErrNoStream
	}
	if err != nil {
		return nil, fmt.Errorf("audit stream %s: %w", StreamName, err)
	}
	last := s.CachedInfo().State.LastSeq
	if last == 0 {
		return nil, nil
	}

	cons, err := readConsumer(ctx, s, subject, f.Since)
	if err != nil {
		return nil, fmt.Errorf("read audit stream: %w", err)
	}
	defer deleteConsumer(ctx, s, cons)
	r := reader{f: f, last: last}
	return r.run(ctx, cons)
}

// readInactive is how long the server keeps a reader's consumer after its
// last fetch, should the reader die before it deletes the consumer.
const readInactive = 30 * time.Second

// readConsumer makes the ephemeral consumer one Read fetches with: not
// acknowledged, in memory, from since (or the beginning) on subject.
func readConsumer(ctx context.Context, s jetstream.Stream, subject string,
	since time.Time) (jetstream.Consumer, error) {
	cfg := jetstream.ConsumerConfig{FilterSubject: subject,
		AckPolicy: jetstream.AckNonePolicy, MemoryStorage: true, Replicas: 1,
		InactiveThreshold: readInactive}
	if !since.IsZero() {
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
	}
	return s.CreateConsumer(ctx, cfg)
}

// deleteConsumer deletes a Read's consumer once it is done, even when ctx
// ended, so that no audit command leaves one on the stream; one it cannot
// delete goes after readInactive.
func deleteConsumer(ctx context.Context, s jetstream.Stream, cons jetstream.Consumer) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = s.DeleteConsumer(ctx, cons.CachedInfo().Name)
}

// reader collects matching records until the end of the stream as it was.
type reader struct {
	f    Filter
	last uint64
	out  []Record
	done bool
}

func (r *reader) run(ctx context.Context, cons jetstream.Consumer) ([]Record, error) {
	for !r.done {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read audit stream: %w", err)
		}
		batch, err := cons.FetchNoWait(readBatch)
		if err != nil {
			return nil, fmt.Errorf("read audit stream: %w", err)
		}

		n := 0
		for msg := range batch.Messages() {
			n++
			r.take(msg)
		}
		if err := batch.Error(); err != nil {
			return nil, fmt.Errorf("read audit stream: %w", err)
		}
		if n == 0 {
			r.done = true
		}
	}
	return r.out, nil
}

// take looks at one message; once done, it ignores the rest of the batch.
func (r *reader) take(msg jetstream.Msg) {
	if r.done {
		return
	}
	meta, err := msg.Metadata()
	if err != nil {
		return
	}
	if !r.f.Until.IsZero() && meta.Timestamp.After(r.f.Until) {
		r.done = true
		return
	}
	if meta.Sequence.Stream >= r.last || meta.NumPending == 0 {
		r.done = true
	}
	// The server starts at Since, but counts time in int64 nanoseconds: a
	// Since past 2262 wraps around and starts at the beginning.
	if meta.Timestamp.Before(r.f.Since) {
		return
	}

	var rec Record
	if json.Unmarshal(msg.Data(), &rec) != nil || !r.f.matches(&rec) {
		return
	}
	r.out = append(r.out, rec)
	if r.f.Limit > 0 && len(r.out) >= r.f.Limit {
		r.done = true
	}
}

// matches applies the filters the stream cannot.
func (f *Filter) matches(r *Record) bool {
	eq := func(want, got string) bool { return want == "" || want == got }
	route := f.Route == "" || r.Route == f.Route || slices.Contains(r.Routes, f.Route)
	return route && eq(f.EventID, r.EventID) && eq(f.Key, r.Key) &&
		eq(f.Receiver, r.Receiver) && eq(f.Outcome, r.Outcome) && eq(f.Kind, r.Kind)
}
