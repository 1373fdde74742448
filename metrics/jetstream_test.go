package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/metrics"
)

func TestJetStreamConsumer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	js := natstest.Start(t)
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "ALERTS",
		Subjects: []string{"alerts.>"}})
	require.NoError(t, err)
	cons, err := js.CreateOrUpdateConsumer(ctx, "ALERTS", jetstream.ConsumerConfig{
		Durable: "alertrouter", AckPolicy: jetstream.AckExplicitPolicy})
	require.NoError(t, err)
	for range 3 {
		_, err := js.Publish(ctx, "alerts.ci.high", []byte("{}"))
		require.NoError(t, err)
	}

	batch, err := cons.FetchNoWait(1)
	require.NoError(t, err)
	for msg := range batch.Messages() {
		require.NotNil(t, msg, "one message fetched and left unacked")
	}
	require.NoError(t, batch.Error())

	t.Run("present", func(t *testing.T) {
		info := metrics.JetStreamConsumer(js, "ALERTS", "alertrouter")
		pending, ackPending, redelivered, err := info(ctx)
		require.NoError(t, err)
		require.Equal(t, []uint64{2, 1, 0}, []uint64{pending, ackPending, redelivered})

		m := metrics.New(metrics.Options{Consumer: info})
		require.Equal(t, 2.0, value(t, m.Registry(),
			"alertrouter_consumer_pending_messages", labels{}))
		require.Equal(t, 1.0, value(t, m.Registry(),
			"alertrouter_consumer_ack_pending_messages", labels{}))
	})
	t.Run("absent", func(t *testing.T) {
		info := metrics.JetStreamConsumer(js, "ALERTS", "missing")
		_, _, _, err := info(ctx)
		require.ErrorIs(t, err, jetstream.ErrConsumerNotFound)
		require.ErrorContains(t, err, "consumer missing on ALERTS")
	})
}
