package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/rules"
)

// UnroutedRoute is the route name under which events that matched no
// route are deduplicated and reported.
const UnroutedRoute = "(unrouted)"

// Headers on dead-letter messages.
const (
	HeaderReason  = "Alertrouter-Reason"
	HeaderError   = "Alertrouter-Error"
	HeaderSubject = "Alertrouter-Subject"
)

// retryLater is how long a message waits before redelivery when the
// router could not record what happened to it.
const retryLater = 5 * time.Second

// handle processes one message to the end: ack, term or nak.
func (r *Router) handle(ctx context.Context, msg jetstream.Msg) {
	stop := r.keepAlive(msg)
	defer stop()

	seq, first := position(msg)
	r.open.add(seq)
	dec := r.opts.Decoder
	dec.NewID = func() string { return messageID(msg, seq) }
	ev, err := dec.Decode(msg.Data())
	if err != nil {
		if r.reject(ctx, msg, seq, err) {
			r.open.remove(seq)
		}
		return
	}
	id := ledgerID(seq, ev.ID)
	r.obs.Received(ev, msg.Data(), msg.Headers().Get(HeaderReplay))
	// Built only when something is logged: most events log nothing.
	log := func() *slog.Logger {
		return r.log.With("event_id", ev.ID, "key", ev.Key(), "stream_msg", id)
	}

	set := r.set.Load()
	res := set.rules.Route(ev)
	r.obs.Routed(ev, res)

	plan, found, err := r.opts.Ledger.Plan(ctx, id, first, func() ([]Planned, error) {
		if rcv := msg.Headers().Get(HeaderReplayReceiver); rcv != "" {
			return []Planned{{Route: msg.Headers().Get(HeaderReplayRoute), Receiver: rcv,
				Reason: channels.ReasonReplay}}, nil
		}
		return r.plan(ctx, set.rules, ev, res, id)
	})
	if err != nil {
		log().Error("could not decide notifications, will retry", "err", err)
		_ = msg.NakWithDelay(retryLater)
		return
	}

	err = r.deliverAll(ctx, set, id, found, notifications(set, ev, plan))
	switch {
	case errors.Is(err, errInterrupted):
		log().Warn("shutdown interrupted deliveries; the message is left for redelivery")
		_ = msg.Nak()
		return
	case err != nil:
		log().Error("could not record a delivery, will retry", "err", err)
		_ = msg.NakWithDelay(retryLater)
		return
	}
	if err := msg.Ack(); err != nil {
		log().Warn("ack failed", "err", err)
	}
	r.open.remove(seq)
	r.opts.Ledger.Forget(ctx, id)
	r.obs.Done(ev)
}

// position returns the message's sequence in the stream, shared by all
// its redeliveries, and whether this is its first delivery; 0 and false
// for a message without JetStream metadata.
func position(msg jetstream.Msg) (seq uint64, first bool) {
	meta, err := msg.Metadata()
	if err != nil {
		return 0, false
	}
	return meta.Sequence.Stream, meta.NumDelivered <= 1
}

// messageID names an event published without an id, the same way on
// every redelivery: its Nats-Msg-Id if the publisher set one, else the
// stream and sequence it is stored at.
func messageID(msg jetstream.Msg, seq uint64) string {
	if id := msg.Headers().Get(nats.MsgIdHdr); id != "" {
		return id
	}
	return StreamAlerts + "-" + strconv.FormatUint(seq, 10)
}

// notifications builds one notification per planned receiver. A receiver
// marked redact gets the event with personal data masked, made once per
// event and shared by every such receiver; the others get ev as it is.
// The key is always the original event's.
func notifications(set *ruleSet, ev *alert.Event, plan []Planned) []channels.Notification {
	key := ev.Key()
	var redacted *alert.Event
	out := make([]channels.Notification, len(plan))
	for i, p := range plan {
		text := ev
		if set.redacts(p.Receiver) {
			if redacted == nil {
				redacted = set.redactor.Event(ev)
			}
			text = redacted
		}
		out[i] = channels.Notification{Event: text, Route: p.Route, Receiver: p.Receiver,
			Key: key, Reason: p.Reason, Suppressed: p.Suppressed}
	}
	return out
}

// keepAlive tells JetStream the message is being worked on, so that slow
// deliveries (retries, Retry-After waits) are not redelivered elsewhere.
// It uses a timer, not a goroutine per message: most messages finish long
// before the first tick.
func (r *Router) keepAlive(msg jetstream.Msg) func() {
	every := r.opts.AckWait / 3
	var (
		mu      sync.Mutex
		stopped bool
		t       *time.Timer
	)
	t = time.AfterFunc(every, func() {
		_ = msg.InProgress()
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			t.Reset(every)
		}
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
	}
}

// reject dead-letters a message that is not a valid event and terminates
// it, so it is never redelivered. If the dead letter cannot be stored,
// the message is left for redelivery instead: nothing is lost unrecorded.
// It reports whether the message was terminated.
func (r *Router) reject(ctx context.Context, msg jetstream.Msg, seq uint64,
	decodeErr error) bool {
	reason := alert.RejectReason(decodeErr)
	// The error may quote the event's text, so the copy that is logged and
	// shown by `deadletter list` is masked; the stored body stays whole,
	// for replay.
	masked := r.set.Load().redactor.String(decodeErr.Error())
	out := nats.NewMsg(SubjectDeadLetterPrefix + reason)
	out.Data = msg.Data()
	out.Header.Set(HeaderReason, reason)
	out.Header.Set(HeaderError, masked)
	out.Header.Set(HeaderSubject, msg.Subject())

	if _, err := r.opts.JetStream.PublishMsg(ctx, out); err != nil {
		r.log.Error("dead letter publish failed, will retry", "subject", msg.Subject(),
			"stream_seq", seq, "reason", reason, "err", err)
		_ = msg.NakWithDelay(retryLater)
		return false
	}
	r.log.Warn("event rejected", "subject", msg.Subject(), "stream_seq", seq,
		"reason", reason, "err", masked)
	r.obs.Rejected(msg.Subject(), decodeErr)
	r.obs.DeadLettered(reason)
	_ = msg.TermWithReason(reason)
	return true
}

// plan asks dedup about every matched route and returns one notification
// per receiver to notify, in delivery order. A receiver reached through
// several routes is notified once, on behalf of the first.
func (r *Router) plan(ctx context.Context, rs *rules.Rules, ev *alert.Event,
	res rules.Result, id string) ([]Planned, error) {
	type scope struct {
		name      string
		receivers []string
		policy    dedup.Policy
	}
	var scopes []scope
	for _, rt := range res.Routes {
		scopes = append(scopes, scope{rt.Name, rt.Receivers,
			dedup.Policy{Window: rt.DedupWindow, Repeat: rt.RepeatInterval,
				StateTTL: rs.Defaults.StateTTL}})
	}
	if res.Unrouted {
		d := rs.Defaults
		scopes = append(scopes, scope{UnroutedRoute, rs.Unrouted,
			dedup.Policy{Window: d.DedupWindow, Repeat: d.RepeatInterval, StateTTL: d.StateTTL}})
	}

	seen := make(map[string]bool)
	plan := []Planned{}
	for _, s := range scopes {
		d, err := r.store.Observe(ctx, dedup.Observation{Route: s.name, Key: ev.Key(),
			Status: ev.Status, Severity: ev.Severity, At: r.now(), Policy: s.policy,
			EventID: id})
		if err != nil {
			return nil, fmt.Errorf("dedup route %s: %w", s.name, err)
		}
		if !d.Notify {
			r.obs.Suppressed(ev, s.name, d)
			continue
		}
		for _, rcv := range s.receivers {
			if seen[rcv] {
				continue
			}
			seen[rcv] = true
			plan = append(plan, Planned{Route: s.name, Receiver: rcv, Reason: d.Reason,
				Suppressed: d.Suppressed})
		}
	}
	return plan, nil
}

func (r *Router) publishDeadLetter(ctx context.Context, dl DeadLetterRecord) error {
	out := nats.NewMsg(SubjectDeadLetterPrefix + "delivery")
	data, err := json.Marshal(dl)
	if err != nil {
		return fmt.Errorf("encode dead letter: %w", err)
	}
	out.Data = data
	out.Header.Set(HeaderReason, "delivery")
	out.Header.Set(HeaderError, dl.Error)
	_, err = r.opts.JetStream.PublishMsg(ctx, out)
	if err != nil {
		return fmt.Errorf("publish dead letter for %s/%s: %w", dl.Receiver, dl.Channel, err)
	}
	r.obs.DeadLettered("delivery")
	return nil
}
