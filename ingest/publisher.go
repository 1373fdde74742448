package ingest

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/alert"
)

// Publisher stores one event and returns its sequence in the stream only
// once the store has acknowledged it.
type Publisher interface {
	Publish(ctx context.Context, ev *alert.Event) (seq uint64, err error)
}

// JetStreamPublisher publishes events the way `alertrouter publish` does:
// the event's JSON on ev.Subject(), with ev.ID as the Nats-Msg-Id, waiting
// for the stream's ack. A duplicate id inside the stream's duplicate
// window is not stored again; its ack counts as success.
func JetStreamPublisher(js jetstream.JetStream) Publisher {
	return jsPublisher{js: js}
}

type jsPublisher struct {
	js jetstream.JetStream
}

var _ Publisher = jsPublisher{}

// Publish implements Publisher. Without a deadline on ctx, the JetStream
// context's default timeout applies.
func (p jsPublisher) Publish(ctx context.Context, ev *alert.Event) (uint64, error) {
	data, err := alert.Encode(ev)
	if err != nil {
		return 0, fmt.Errorf("encode event %s: %w", ev.ID, err)
	}

	ack, err := p.js.Publish(ctx, ev.Subject(), data, jetstream.WithMsgID(ev.ID))
	if err != nil {
		return 0, fmt.Errorf("publish event %s to %s: %w", ev.ID, ev.Subject(), err)
	}
	return ack.Sequence, nil
}
