package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishWindow bounds the asynchronous publishes awaiting their ack.
const publishWindow = 256

// publisher sends the workload from its own connection, as producers do.
type publisher struct {
	js     jetstream.JetStream
	failed atomic.Int64
	errMu  sync.Mutex
	err    error
}

func newPublisher(nc *nats.Conn) (*publisher, error) {
	p := &publisher{}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(publishWindow),
		jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, _ *nats.Msg,
			err error) {
			p.fail(err)
		}))
	if err != nil {
		return nil, fmt.Errorf("publisher jetstream: %w", err)
	}
	p.js = js
	return p, nil
}

func (p *publisher) fail(err error) {
	p.failed.Add(1)
	p.errMu.Lock()
	defer p.errMu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

// firstErr is the first failed publish, if any.
func (p *publisher) firstErr() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

// workload says what one phase publishes.
type workload struct {
	events, keys, publishers int
	rate                     float64
	subjectPrefix, idPrefix  string
}

// publish sends every event of w, spreading them over the publishers and
// pacing them to w.rate when it is set, and waits for every ack. Each
// event carries the time it was handed to the client.
func (p *publisher) publish(ctx context.Context, w workload, start time.Time) error {
	var wg sync.WaitGroup
	for g := range w.publishers {
		wg.Go(func() {
			for i := g; i < w.events && ctx.Err() == nil; i += w.publishers {
				pace(ctx, w.rate, start, i)
				data := appendEvent(make([]byte, 0, 512), w.idPrefix, i, w.keys, time.Now())
				msg := &nats.Msg{Subject: subject(w.subjectPrefix, i, w.keys), Data: data,
					Header: nats.Header{nats.MsgIdHdr: []string{w.idPrefix + strconv.Itoa(i)}}}
				if _, err := p.js.PublishMsgAsync(msg,
					jetstream.WithStallWait(time.Minute)); err != nil {
					p.fail(err)
				}
			}
		})
	}
	wg.Wait()

	select {
	case <-p.js.PublishAsyncComplete():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := p.firstErr(); err != nil {
		return fmt.Errorf("%d publishes failed, the first: %w", p.failed.Load(), err)
	}
	return nil
}

// pace waits until event i is due at the target rate.
func pace(ctx context.Context, rate float64, start time.Time, i int) {
	if rate <= 0 {
		return
	}
	due := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
	wait := time.Until(due)
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
