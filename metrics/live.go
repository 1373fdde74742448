package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// liveCollector reads the consumer backlog and the NATS connection state
// at scrape time, so that the values are never stale.
type liveCollector struct {
	consumer  ConsumerInfoFunc
	connected func() bool
	timeout   time.Duration

	pending     *prometheus.Desc
	ackPending  *prometheus.Desc
	redelivered *prometheus.Desc
	natsUp      *prometheus.Desc
}

func newLiveCollector(consumer ConsumerInfoFunc, connected func() bool,
	timeout time.Duration) *liveCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, nil, nil)
	}
	return &liveCollector{consumer: consumer, connected: connected, timeout: timeout,
		pending: desc("consumer_pending_messages",
			"Messages in the stream not yet delivered to the router's consumer."),
		ackPending: desc("consumer_ack_pending_messages",
			"Messages delivered to the router and not yet acked."),
		redelivered: desc("consumer_redelivered_messages",
			"Messages delivered more than once and not yet acked."),
		natsUp: desc("nats_connected", "1 when the NATS connection is up, else 0."),
	}
}

// Describe sends the descriptors of every metric the collector may emit.
func (c *liveCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.ackPending
	ch <- c.redelivered
	ch <- c.natsUp
}

// Collect emits nats_connected when a Connected func is set, and the
// consumer gauges when a Consumer func is set and answers in time. A
// failing Consumer call leaves its samples out rather than failing the
// whole scrape: the gap itself is the signal.
func (c *liveCollector) Collect(ch chan<- prometheus.Metric) {
	if c.connected != nil {
		up := 0.0
		if c.connected() {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(c.natsUp, prometheus.GaugeValue, up)
	}

	if c.consumer == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	pending, ackPending, redelivered, err := c.consumer(ctx)
	if err != nil {
		return
	}

	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(c.ackPending, prometheus.GaugeValue,
		float64(ackPending))
	ch <- prometheus.MustNewConstMetric(c.redelivered, prometheus.GaugeValue,
		float64(redelivered))
}

// JetStreamConsumer returns a ConsumerInfoFunc that asks JetStream for
// the info of the durable consumer on stream.
func JetStreamConsumer(js jetstream.JetStream, stream, consumer string) ConsumerInfoFunc {
	return func(ctx context.Context) (uint64, uint64, uint64, error) {
		cons, err := js.Consumer(ctx, stream, consumer)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("consumer %s on %s: %w", consumer, stream, err)
		}

		info := cons.CachedInfo()
		return info.NumPending, uint64(max(info.NumAckPending, 0)),
			uint64(max(info.NumRedelivered, 0)), nil
	}
}
