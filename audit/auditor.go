package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/redact"
	"github.com/alertrouter/alertrouter/rules"
)

// DefaultMaxPending is how many records may wait for their ack from
// JetStream before a new record waits for room.
const DefaultMaxPending = 1024

// unroutedRoute is the route name the router reports for events that
// matched no route (router.UnroutedRoute); unrouted records use it too, so
// that filtering by route finds their suppressions as well.
const unroutedRoute = "(unrouted)"

// Options configure an Auditor.
type Options struct {
	// Logger receives records that could not be stored, at Error. Nil
	// discards.
	Logger *slog.Logger
	// Worker names this process in every record, e.g. host:pid.
	Worker string
	// MaxPending bounds the records waiting for their ack; zero means
	// DefaultMaxPending. When full, recording waits up to 200ms for room
	// and then drops the record with an error log.
	MaxPending int
	// Now is the clock of record times; nil means time.Now.
	Now func() time.Time
}

// Auditor appends a record to the audit stream for everything the router
// reports. It implements the router's Observer. Records are published
// asynchronously so that delivery does not wait for the audit stream;
// Flush waits for their acks.
type Auditor struct {
	js     jetstream.JetStream
	log    *slog.Logger
	worker string
	now    func() time.Time
	red    *redact.Redactor
}

// New returns an Auditor publishing over nc. It has its own JetStream
// context, so that Flush waits for audit records only.
func New(nc *nats.Conn, o Options) (*Auditor, error) {
	a := &Auditor{log: o.Logger, worker: o.Worker, now: o.Now, red: redact.New(nil, nil)}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}

	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(o.MaxPending),
		jetstream.WithPublishAsyncErrHandler(a.ackFailed))
	if err != nil {
		return nil, fmt.Errorf("audit jetstream: %w", err)
	}
	a.js = js
	return a, nil
}

// Received records a valid event, or its replay from a dead letter.
func (a *Auditor) Received(ev *alert.Event, raw []byte, replayOf string) {
	r := eventRecord(KindReceived, ev)
	r.Subject = ev.Subject()
	sum := sha256.Sum256(raw)
	r.PayloadSHA256 = hex.EncodeToString(sum[:])
	if replayOf != "" {
		r.Kind = KindReplayed
		r.Reason = "dead letter " + replayOf
	}
	a.record(r)
}

// Rejected records a message that is not a valid event.
func (a *Auditor) Rejected(subject string, err error) {
	a.record(Record{Kind: KindRejected, Subject: subject, Outcome: OutcomeRejected,
		Reason: alert.RejectReason(err), Error: errorText(a.red, err)})
}

// Routed records the routes an event matched, or that it matched none.
func (a *Auditor) Routed(ev *alert.Event, res rules.Result) {
	r := eventRecord(KindRouted, ev)
	for _, rt := range res.Routes {
		r.Routes = append(r.Routes, rt.Name)
	}
	if res.Unrouted {
		r.Kind = KindUnrouted
		r.Route = unroutedRoute
	}
	a.record(r)
}

// Suppressed records an event dedup held back on route.
func (a *Auditor) Suppressed(ev *alert.Event, route string, d dedup.Decision) {
	r := eventRecord(KindSuppressed, ev)
	r.Route, r.Outcome, r.Reason = route, OutcomeSuppressed, d.SuppressReason
	a.record(r)
}

// Retrying records a failed delivery attempt that another one follows.
func (a *Auditor) Retrying(n channels.Notification, channel string, attempt int,
	_ time.Duration, err error) {
	r := notificationRecord(KindAttempt, n, channel)
	r.Attempt, r.Outcome, r.Error = attempt, OutcomeRetry, errorText(a.red, err)
	a.record(r)
}

// Delivered records a finished delivery on one channel: delivered, or
// failed for good when err is set.
func (a *Auditor) Delivered(n channels.Notification, channel string, attempts int,
	_ time.Duration, err error) {
	r := notificationRecord(KindDelivered, n, channel)
	r.Attempt, r.Outcome = attempts, OutcomeDelivered
	if err != nil {
		r.Kind, r.Outcome, r.Error = KindFailed, OutcomeFailed, errorText(a.red, err)
	}
	a.record(r)
}

// DeadLettered records that something was written to the dead-letter
// stream. The router reports only the reason here; the event is named by
// the rejected or failed record made just before.
func (a *Auditor) DeadLettered(reason string) {
	a.record(Record{Kind: KindDeadLettered, Outcome: OutcomeDeadLettered, Reason: reason})
}

// Done makes no record: an event's work is recorded by the calls before.
func (a *Auditor) Done(*alert.Event) {}

// RulesReloaded records a load of the rules file: rs in force (err nil),
// or the file refused with err (rs nil when it did not even parse).
// trigger says what asked for it (start, SIGHUP, file change).
func (a *Auditor) RulesReloaded(file string, rs *rules.Rules, trigger string, err error) {
	r := Record{Kind: KindRulesReloaded, Trigger: trigger, Outcome: OutcomeSuccess,
		RulesFile: file}
	if rs != nil {
		r.RulesHash = rs.Hash
	}
	if err != nil {
		r.Outcome, r.Error = OutcomeFailure, errorText(a.red, err)
	}
	a.record(r)
}

// Flush waits until every record published so far is stored or has
// failed, or ctx ends.
func (a *Auditor) Flush(ctx context.Context) error {
	select {
	case <-a.js.PublishAsyncComplete():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("audit flush: %d records still waiting: %w",
			a.js.PublishAsyncPending(), ctx.Err())
	}
}

// Close flushes and releases the publisher; call it at shutdown, before
// the connection closes.
func (a *Auditor) Close(ctx context.Context) error {
	err := a.Flush(ctx)
	a.js.CleanupPublisher()
	return err
}

func eventRecord(kind string, ev *alert.Event) Record {
	return Record{Kind: kind, EventID: ev.ID, Key: ev.Key(), Source: ev.Source,
		Name: ev.Name, Severity: ev.Severity.String(), Status: string(ev.Status)}
}

func notificationRecord(kind string, n channels.Notification, channel string) Record {
	r := Record{Kind: kind, Key: n.Key}
	if n.Event != nil {
		r = eventRecord(kind, n.Event)
	}
	r.Route, r.Receiver, r.Channel, r.Reason = n.Route, n.Receiver, channel, string(n.Reason)
	return r
}

// record stamps r and publishes it without waiting for the ack.
func (a *Auditor) record(r Record) {
	r.V, r.Time, r.Worker = Version, a.now().UTC(), a.worker
	data, err := json.Marshal(r)
	if err != nil {
		a.lost(r.Kind, r.EventID, fmt.Errorf("encode: %w", err))
		return
	}
	if _, err := a.js.PublishAsync(Subject(r.Kind), data); err != nil {
		a.lost(r.Kind, r.EventID, err)
	}
}

// ackFailed logs a record JetStream did not store. It names the record by
// kind and event id only, never by its content.
func (a *Auditor) ackFailed(_ jetstream.JetStream, msg *nats.Msg, err error) {
	var id struct {
		Kind    string `json:"kind"`
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(msg.Data, &id)
	a.lost(id.Kind, id.EventID, err)
}

func (a *Auditor) lost(kind, eventID string, err error) {
	a.log.Error("audit record lost", "kind", kind, "event_id", eventID, "err", err)
}
