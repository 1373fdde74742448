package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alertrouter/alertrouter/channels"
)

// errInterrupted means shutdown cut deliveries short: nothing is recorded
// as failed, and the message is left for redelivery.
var errInterrupted = errors.New("deliveries interrupted by shutdown")

// fallbackPrefix marks deliveries made on behalf of a failed receiver.
const fallbackPrefix = "fallback."

// delivery is the outcome of one notification on one channel.
type delivery struct {
	n        channels.Notification
	name     string
	channel  string
	attempts int
	err      error
}

// deliverAll sends every planned notification on every channel of its
// receiver at once and waits for all of them. When the plan was found
// recorded (the message is resuming), deliveries the ledger has as done
// are skipped; a plan just recorded has none. A receiver whose delivery failed for good is
// dead-lettered and its fallback receivers are tried. The error is
// errInterrupted when shutdown cut deliveries short, and otherwise
// non-nil only when a failure could not be recorded.
func (r *Router) deliverAll(ctx context.Context, set *ruleSet, id string, resumed bool,
	plan []channels.Notification) error {
	failed, err := r.fanOut(ctx, set, id, "", resumed, plan)
	if err != nil {
		return err
	}

	var fallback []channels.Notification
	for _, d := range failed {
		if rcv := set.rules.Receivers[d.n.Receiver]; rcv != nil {
			for _, fb := range rcv.Fallback {
				n := d.n
				n.Receiver = fb
				fallback = append(fallback, n)
			}
		}
		if err := r.giveUp(ctx, set, id, d); err != nil {
			return err
		}
	}

	// Fallback receivers get one round; their own failures are
	// dead-lettered but do not cascade further.
	failed, err = r.fanOut(ctx, set, id, fallbackPrefix, resumed, fallback)
	if err != nil {
		return err
	}
	for _, d := range failed {
		if err := r.giveUp(ctx, set, id, d); err != nil {
			return err
		}
	}
	return nil
}

// giveUp dead-letters a failed delivery and records it as done.
func (r *Router) giveUp(ctx context.Context, set *ruleSet, id string, d delivery) error {
	dl := DeadLetterRecord{Event: d.n.Event, Route: d.n.Route, Receiver: d.n.Receiver,
		Channel: d.channel, Reason: string(d.n.Reason), Error: d.err.Error(),
		Attempts: d.attempts, FailedAt: r.now().UTC()}
	if rcv := set.rules.Receivers[d.n.Receiver]; rcv != nil {
		dl.Fallbacks = rcv.Fallback
	}
	if err := r.publishDeadLetter(ctx, dl); err != nil {
		return err
	}
	return r.opts.Ledger.MarkDone(ctx, id, d.name, DeliveryRecord{
		Outcome: OutcomeDeadLettered, Attempts: d.attempts, At: r.now().UTC()})
}

// fanOut delivers concurrently and returns the deliveries that failed for
// good. A lone delivery, the common case, runs on the caller's goroutine.
// Shutdown cutting any delivery short gives errInterrupted.
func (r *Router) fanOut(ctx context.Context, set *ruleSet, id, prefix string, resumed bool,
	plan []channels.Notification) ([]delivery, error) {
	if len(plan) == 1 {
		if chs := set.receivers[plan[0].Receiver]; len(chs) == 1 {
			return r.deliverLone(ctx, id, deliveryName(prefix, plan[0].Receiver, 0), resumed,
				chs[0], plan[0])
		}
	}

	var (
		mu     sync.Mutex
		failed []delivery
		errs   []error
		wg     sync.WaitGroup
	)
	for _, n := range plan {
		chs, ok := set.receivers[n.Receiver]
		if !ok {
			// A replay or fallback naming a receiver the rules no longer
			// have: recorded as a failure, never dropped.
			mu.Lock()
			failed = append(failed, delivery{n: n, name: deliveryName(prefix, n.Receiver, 0),
				channel: "none", err: fmt.Errorf("receiver %s is not in the rules", n.Receiver)})
			mu.Unlock()
			continue
		}
		for i, ch := range chs {
			name := deliveryName(prefix, n.Receiver, i)
			wg.Go(func() {
				d, err := r.deliverOnce(ctx, id, name, resumed, ch, n)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else if d.err != nil {
					failed = append(failed, d)
				}
			})
		}
	}
	wg.Wait()

	if ctx.Err() != nil {
		return nil, errInterrupted
	}
	return failed, errors.Join(errs...)
}

// deliverLone is fanOut for a single delivery, without goroutine or lock.
func (r *Router) deliverLone(ctx context.Context, id, name string, resumed bool,
	ch channels.Channel, n channels.Notification) ([]delivery, error) {
	d, err := r.deliverOnce(ctx, id, name, resumed, ch, n)
	switch {
	case ctx.Err() != nil:
		return nil, errInterrupted
	case err != nil || d.err == nil:
		return nil, err
	}
	return []delivery{d}, nil
}

// deliverOnce delivers unless the message is resumed and the ledger says
// the delivery is done, and records a success. The returned error is about
// the ledger; the delivery's own failure is in delivery.err.
func (r *Router) deliverOnce(ctx context.Context, id, name string, resumed bool,
	ch channels.Channel, n channels.Notification) (delivery, error) {
	d := delivery{n: n, name: name, channel: ch.Name()}
	if resumed {
		done, err := r.opts.Ledger.Done(ctx, id, name)
		if err != nil || done {
			return d, err
		}
	}

	d.attempts, d.err = r.send(ctx, ch, n)
	if d.err != nil {
		return d, nil
	}
	return d, r.recordSent(ctx, id, name, DeliveryRecord{
		Outcome: OutcomeDelivered, Attempts: d.attempts, At: r.now().UTC()})
}

// recordSent records a delivery the far side accepted. It tries for a
// while before giving up, since giving up means the message is redelivered
// and the notification sent a second time; a ledger that is briefly away
// (a NATS node failing over) is worth waiting for.
func (r *Router) recordSent(ctx context.Context, id, name string, rec DeliveryRecord) error {
	const tries, pause = 20, 250 * time.Millisecond

	var err error
	for range tries {
		if err = r.opts.Ledger.MarkDone(ctx, id, name, rec); err == nil {
			return nil
		}
		r.log.Warn("could not record a sent delivery, retrying", "stream_msg", id,
			"delivery", name, "err", err)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return err
		}
	}
	return err
}

func (r *Router) send(ctx context.Context, ch channels.Channel,
	n channels.Notification) (int, error) {
	// Built only when something is logged: most deliveries log nothing.
	log := func() *slog.Logger {
		return r.log.With("event_id", n.Event.ID, "receiver", n.Receiver, "channel", ch.Name())
	}
	policy := r.opts.Retry
	policy.OnRetry = func(attempt int, err error, wait time.Duration) {
		log().Warn("delivery failed, retrying", "attempt", attempt, "wait", wait, "err", err)
		r.obs.Retrying(n, ch.Name(), attempt, wait, err)
	}

	start := time.Now()
	attempts, err := policy.Deliver(ctx, ch, n)
	took := time.Since(start)
	if ctx.Err() != nil && err != nil {
		log().Warn("delivery interrupted by shutdown", "attempts", attempts, "err", err)
		return attempts, err
	}
	r.obs.Delivered(n, ch.Name(), attempts, took, err)

	switch {
	case err != nil:
		log().Error("delivery failed for good", "attempts", attempts, "err", err)
	case r.log.Enabled(ctx, slog.LevelDebug):
		log().Debug("delivered", "attempts", attempts, "took", took)
	}
	return attempts, err
}
