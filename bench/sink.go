package bench

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

// sink is the channel of every receiver: it counts notifications and
// records, for each, the time from publish to delivery.
type sink struct {
	now     func() time.Time
	count   atomic.Int64
	latency []int64 // nanoseconds, the first len(latency) notifications
}

var _ channels.Channel = (*sink)(nil)

func newSink(capacity int, now func() time.Time) *sink {
	return &sink{now: now, latency: make([]int64, capacity)}
}

// Name returns "sink".
func (s *sink) Name() string { return "sink" }

// Send records the notification's arrival.
func (s *sink) Send(_ context.Context, n channels.Notification) error {
	at := s.now().UnixNano()
	i := s.count.Add(1) - 1
	sent, err := strconv.ParseInt(n.Event.Annotations[SentAnnotation], 10, 64)
	if err == nil && i < int64(len(s.latency)) {
		s.latency[i] = at - sent
	}
	return nil
}

// samples returns the recorded latencies.
func (s *sink) samples() []int64 {
	return s.latency[:min(s.count.Load(), int64(len(s.latency)))]
}

// factory builds the sink for every receiver.
func (s *sink) factory() router.ChannelFactory {
	return func(*rules.Receiver) ([]channels.Channel, error) {
		return []channels.Channel{s}, nil
	}
}

// finished counts events the consumer is done with and remembers when
// the last one finished.
type finished struct {
	router.NopObserver
	now  func() time.Time
	n    atomic.Int64
	last atomic.Int64 // Unix nanoseconds
}

// Done counts an event the router acked.
func (f *finished) Done(*alert.Event) { f.add() }

func (f *finished) add() {
	at := f.now().UnixNano()
	for {
		last := f.last.Load()
		if at <= last || f.last.CompareAndSwap(last, at) {
			break
		}
	}
	f.n.Add(1)
}
