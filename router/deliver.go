package router

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/alertrouter/alertrouter/channels"
)

// delivery is the outcome of one notification on one channel.
type delivery struct {
	n        channels.Notification
	channel  string
	attempts int
	err      error
}

// deliverAll sends every planned notification on every channel of its
// receiver at once and waits for all of them. A receiver whose delivery
// failed for good is dead-lettered and its fallback receivers are tried.
// The error is non-nil only when a failure could not be recorded.
func (r *Router) deliverAll(ctx context.Context, set *ruleSet,
	plan []channels.Notification) error {
	failed := r.fanOut(ctx, set, plan)

	var fallback []channels.Notification
	var errs []error
	for _, d := range failed {
		rcv := set.rules.Receivers[d.n.Receiver]
		dl := deadLetter{Event: d.n.Event, Route: d.n.Route, Receiver: d.n.Receiver,
			Channel: d.channel, Reason: string(d.n.Reason), Error: d.err.Error(),
			Attempts: d.attempts, FailedAt: r.now().UTC()}
		if rcv != nil {
			dl.Fallbacks = rcv.Fallback
			for _, fb := range rcv.Fallback {
				n := d.n
				n.Receiver = fb
				fallback = append(fallback, n)
			}
		}
		errs = append(errs, r.publishDeadLetter(ctx, dl))
	}

	// Fallback receivers get one try each; their own failures are
	// dead-lettered but do not cascade further.
	for _, d := range r.fanOut(ctx, set, fallback) {
		errs = append(errs, r.publishDeadLetter(ctx, deadLetter{Event: d.n.Event,
			Route: d.n.Route, Receiver: d.n.Receiver, Channel: d.channel,
			Reason: string(d.n.Reason), Error: d.err.Error(), Attempts: d.attempts,
			FailedAt: r.now().UTC()}))
	}
	return errors.Join(errs...)
}

// fanOut delivers concurrently and returns the deliveries that failed.
func (r *Router) fanOut(ctx context.Context, set *ruleSet,
	plan []channels.Notification) []delivery {
	var (
		mu     sync.Mutex
		failed []delivery
		wg     sync.WaitGroup
	)
	for _, n := range plan {
		for _, ch := range set.receivers[n.Receiver] {
			wg.Go(func() {
				d := r.deliverOne(ctx, ch, n)
				if d.err != nil {
					mu.Lock()
					failed = append(failed, d)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return failed
}

func (r *Router) deliverOne(ctx context.Context, ch channels.Channel,
	n channels.Notification) delivery {
	log := r.log.With("event_id", n.Event.ID, "receiver", n.Receiver, "channel", ch.Name())
	policy := r.opts.Retry
	policy.OnRetry = func(attempt int, err error, wait time.Duration) {
		log.Warn("delivery failed, retrying", "attempt", attempt, "wait", wait, "err", err)
	}

	start := time.Now()
	attempts, err := policy.Deliver(ctx, ch, n)
	took := time.Since(start)
	r.obs.Delivered(n, ch.Name(), attempts, took, err)

	if err != nil {
		log.Error("delivery failed for good", "attempts", attempts, "err", err)
	} else {
		log.Debug("delivered", "attempts", attempts, "took", took)
	}
	return delivery{n: n, channel: ch.Name(), attempts: attempts, err: err}
}
