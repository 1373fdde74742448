package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/router"
)

// tick is how often a phase checks for completion and shows progress.
const tick = 100 * time.Millisecond

// measure publishes the workload under prefix and waits until the
// consumer has finished every event. The time runs from the first publish
// to the last finished event; allocations are counted over the phase.
func (m *meter) measure(ctx context.Context, name, prefix string,
	done *finished) (phaseResult, error) {
	pub, err := newPublisher(m.srv.pub.Conn)
	if err != nil {
		return phaseResult{}, err
	}
	w := workload{events: m.cfg.Events, keys: m.cfg.Keys, publishers: m.cfg.Publishers,
		rate: m.cfg.Rate, subjectPrefix: prefix, idPrefix: name + "-"}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	published := make(chan error, 1)
	go func() { published <- pub.publish(pctx, w, start) }()

	err = m.wait(ctx, name, done, start, published)
	runtime.ReadMemStats(&after)
	if err != nil {
		return phaseResult{}, err
	}
	return phaseResult{seconds: time.Duration(done.last.Load() - start.UnixNano()).Seconds(),
		mallocs: after.Mallocs - before.Mallocs}, nil
}

// wait returns once done has counted every event and every publish was
// acked, or with the first publish error, or when progress stalls.
func (m *meter) wait(ctx context.Context, name string, done *finished, start time.Time,
	published <-chan error) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	defer m.progress.end()

	total := int64(m.cfg.Events)
	pubDone := false
	last, lastMove := int64(-1), time.Now()
	for {
		n := done.n.Load()
		m.progress.show(name, n, total, time.Since(start))
		if n >= total && pubDone {
			return nil
		}
		if n != last {
			last, lastMove = n, time.Now()
		} else if time.Since(lastMove) > stallTimeout {
			return fmt.Errorf("stalled at %d of %d events for %s", n, total, stallTimeout)
		}

		select {
		case err := <-published:
			if err != nil {
				return fmt.Errorf("publish: %w", err)
			}
			pubDone, published = true, nil
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitConsumer waits until the router has created its consumer, so that
// the clock does not start before the router is ready.
func waitConsumer(ctx context.Context, js jetstream.JetStream, ran <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, err := js.Consumer(ctx, router.StreamAlerts, benchConsumer)
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return fmt.Errorf("look up consumer %s: %w", benchConsumer, err)
		}
		select {
		case err := <-ran:
			return fmt.Errorf("router stopped before it was ready: %w", err)
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.New("router did not create its consumer within 30s")
}

// settled checks with the server that nothing is left pending or unacked
// (acks travel asynchronously, so it asks a few times).
func settled(ctx context.Context, js jetstream.JetStream) error {
	var info *jetstream.ConsumerInfo
	for range 100 {
		cons, err := js.Consumer(ctx, router.StreamAlerts, benchConsumer)
		if err != nil {
			return fmt.Errorf("look up consumer %s: %w", benchConsumer, err)
		}
		info = cons.CachedInfo()
		if info.NumPending == 0 && info.NumAckPending == 0 {
			return nil
		}
		select {
		case <-time.After(tick):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("consumer %s not settled: %d pending, %d unacked", benchConsumer,
		info.NumPending, info.NumAckPending)
}

// progressLine rewrites one line with a phase's progress; a nil writer
// shows nothing.
type progressLine struct {
	w io.Writer
}

func (p *progressLine) show(name string, n, total int64, took time.Duration) {
	if p.w == nil {
		return
	}
	pct := 100 * float64(n) / float64(max(total, 1))
	rate := float64(n) / max(took.Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\r%-8s %5.1f%%  %d/%d events  %8.0f events/s ", name, pct, n, total,
		rate)
}

func (p *progressLine) end() {
	if p.w != nil {
		fmt.Fprintln(p.w)
	}
}
