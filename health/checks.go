package health

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/rules"
)

// Names of the ready-made checks, the keys of the readiness response.
const (
	CheckNATS     = "nats"
	CheckStream   = "stream"
	CheckConsumer = "consumer"
	CheckRules    = "rules"
	CheckState    = "state"
)

// NATSConn is what NATSConnected needs of a connection; *nats.Conn and
// config.Conn provide it.
type NATSConn interface {
	IsConnected() bool
	Status() nats.Status
}

// NATSConnected passes while nc is connected. Its error says
// "reconnecting" while the client tries to get back, else "disconnected"
// with the connection's state when it is not the plain disconnected one
// (closed, draining, connecting).
func NATSConnected(nc NATSConn) Check {
	return Check{Name: CheckNATS, Run: func(context.Context) error {
		if nc.IsConnected() {
			return nil
		}

		switch st := nc.Status(); st {
		case nats.RECONNECTING:
			return errors.New("reconnecting")
		case nats.DISCONNECTED:
			return errors.New("disconnected")
		default:
			return fmt.Errorf("disconnected (%s)", strings.ToLower(st.String()))
		}
	}}
}

// StreamPresent passes when the JetStream stream exists.
func StreamPresent(js jetstream.JetStream, stream string) Check {
	return Check{Name: CheckStream, Run: func(ctx context.Context) error {
		_, err := js.Stream(ctx, stream)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("stream %s not found: %w", stream, err)
		}
		if err != nil {
			return fmt.Errorf("stream %s: %w", stream, err)
		}
		return nil
	}}
}

// ConsumerPresent passes when the durable consumer exists on stream.
func ConsumerPresent(js jetstream.JetStream, stream, consumer string) Check {
	return Check{Name: CheckConsumer, Run: func(ctx context.Context) error {
		_, err := js.Consumer(ctx, stream, consumer)
		notFound := errors.Is(err, jetstream.ErrConsumerNotFound) ||
			errors.Is(err, jetstream.ErrStreamNotFound)
		if notFound {
			return fmt.Errorf("consumer %s not found: %w", consumer, err)
		}
		if err != nil {
			return fmt.Errorf("consumer %s: %w", consumer, err)
		}
		return nil
	}}
}

// BucketsPresent passes when every named JetStream key-value bucket
// exists: the shared dedup state and delivery records. A bucket deleted
// under the router is created again by the next event that needs it,
// empty; until then the router is not ready.
func BucketsPresent(js jetstream.JetStream, buckets ...string) Check {
	return Check{Name: CheckState, Run: func(ctx context.Context) error {
		var errs []error
		for _, b := range buckets {
			_, err := js.KeyValue(ctx, b)
			switch {
			case errors.Is(err, jetstream.ErrBucketNotFound):
				errs = append(errs, fmt.Errorf("bucket %s not found", b))
			case err != nil:
				errs = append(errs, fmt.Errorf("bucket %s: %w", b, err))
			}
		}
		return joinErrors(errs)
	}}
}

// joinErrors is errors.Join on one line, for a readiness response.
func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = err.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}

// RulesLoaded passes when get returns rules. A reload that fails keeps
// the old rules in force, so it does not make the router unready.
func RulesLoaded(get func() *rules.Rules) Check {
	return Check{Name: CheckRules, Run: func(context.Context) error {
		if get() == nil {
			return errors.New("no rules loaded")
		}
		return nil
	}}
}
