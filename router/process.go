package router

import (
	"context"
	"encoding/json"
	"fmt"
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

	ev, err := r.opts.Decoder.Decode(msg.Data())
	if err != nil {
		r.reject(ctx, msg, err)
		return
	}
	log := r.log.With("event_id", ev.ID, "key", ev.Key())

	set := r.set.Load()
	res := set.rules.Route(ev)
	r.obs.Routed(ev, res)

	plan, err := r.plan(ctx, set.rules, ev, res)
	if err != nil {
		log.Error("dedup failed, will retry", "err", err)
		_ = msg.NakWithDelay(retryLater)
		return
	}

	if err := r.deliverAll(ctx, set, plan); err != nil {
		log.Error("could not record failed delivery, will retry", "err", err)
		_ = msg.NakWithDelay(retryLater)
		return
	}
	if err := msg.Ack(); err != nil {
		log.Warn("ack failed", "err", err)
	}
	r.obs.Done(ev)
}

// keepAlive tells JetStream the message is being worked on, so that slow
// deliveries (retries, Retry-After waits) are not redelivered elsewhere.
func (r *Router) keepAlive(msg jetstream.Msg) func() {
	t := time.NewTicker(r.opts.AckWait / 3)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-t.C:
				_ = msg.InProgress()
			case <-done:
				return
			}
		}
	}()
	return func() {
		t.Stop()
		close(done)
	}
}

// reject dead-letters a message that is not a valid event and terminates
// it, so it is never redelivered. If the dead letter cannot be stored,
// the message is left for redelivery instead: nothing is lost unrecorded.
func (r *Router) reject(ctx context.Context, msg jetstream.Msg, decodeErr error) {
	reason := alert.RejectReason(decodeErr)
	out := nats.NewMsg(SubjectDeadLetterPrefix + reason)
	out.Data = msg.Data()
	out.Header.Set(HeaderReason, reason)
	out.Header.Set(HeaderError, decodeErr.Error())
	out.Header.Set(HeaderSubject, msg.Subject())

	if _, err := r.opts.JetStream.PublishMsg(ctx, out); err != nil {
		r.log.Error("dead letter publish failed, will retry", "subject", msg.Subject(),
			"reason", reason, "err", err)
		_ = msg.NakWithDelay(retryLater)
		return
	}
	r.log.Warn("event rejected", "subject", msg.Subject(), "reason", reason, "err", decodeErr)
	r.obs.Rejected(msg.Subject(), decodeErr)
	_ = msg.TermWithReason(reason)
}

// plan asks dedup about every matched route and returns one notification
// per receiver to notify, in delivery order. A receiver reached through
// several routes is notified once, on behalf of the first.
//
// TODO(delivery): dedup records a notification as sent when it is
// planned, so a message redelivered after a crash or a nak is suppressed
// on the redelivery; per-receiver delivery records are needed to retry
// only the receivers that did not get it.
func (r *Router) plan(ctx context.Context, rs *rules.Rules, ev *alert.Event,
	res rules.Result) ([]channels.Notification, error) {
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
	var plan []channels.Notification
	for _, s := range scopes {
		d, err := r.store.Observe(ctx, dedup.Observation{Route: s.name, Key: ev.Key(),
			Status: ev.Status, Severity: ev.Severity, At: r.now(), Policy: s.policy})
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
			plan = append(plan, channels.Notification{Event: ev, Route: s.name, Receiver: rcv,
				Key: ev.Key(), Reason: d.Reason, Suppressed: d.Suppressed})
		}
	}
	return plan, nil
}

// deadLetter is the record published when a notification is given up on.
type deadLetter struct {
	Event     *alert.Event `json:"event"`
	Route     string       `json:"route"`
	Receiver  string       `json:"receiver"`
	Channel   string       `json:"channel"`
	Reason    string       `json:"reason"`
	Error     string       `json:"error"`
	Attempts  int          `json:"attempts"`
	FailedAt  time.Time    `json:"failed_at"`
	Fallbacks []string     `json:"fallbacks,omitempty"`
}

func (r *Router) publishDeadLetter(ctx context.Context, dl deadLetter) error {
	data, err := json.Marshal(dl)
	if err != nil {
		return fmt.Errorf("encode dead letter: %w", err)
	}
	_, err = r.opts.JetStream.Publish(ctx, SubjectDeadLetterPrefix+"delivery", data)
	if err != nil {
		return fmt.Errorf("publish dead letter for %s/%s: %w", dl.Receiver, dl.Channel, err)
	}
	return nil
}
