package router

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Names of the JetStream resources the router reads and writes.
const (
	// StreamAlerts holds published events, subjects alerts.>.
	StreamAlerts = "ALERTS"
	// SubjectAlerts is the subject filter of StreamAlerts.
	SubjectAlerts = "alerts.>"
	// StreamDeadLetter holds events and notifications the router gave up on.
	StreamDeadLetter = "ALERTS_DEADLETTER"
	// SubjectDeadLetterPrefix starts every dead-letter subject; the last
	// token is the reason (bad_json, invalid, too_large, delivery).
	SubjectDeadLetterPrefix = "alerts_deadletter."
	// DefaultConsumer is the durable consumer name shared by all workers.
	DefaultConsumer = "alertrouter"
)

// duplicateWindow is how long JetStream remembers a Nats-Msg-Id, so that a
// publisher's retry within it is stored once.
const duplicateWindow = 2 * time.Minute

// EnsureStreams creates the alert and dead-letter streams when they are
// missing, with the given replicas (3 on a cluster), and leaves existing
// ones as their operator configured them.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, replicas int) error {
	configs := []jetstream.StreamConfig{
		{
			Name:        StreamAlerts,
			Description: "alert events published to alertrouter",
			Subjects:    []string{SubjectAlerts},
			Storage:     jetstream.FileStorage,
			Duplicates:  duplicateWindow,
			MaxAge:      7 * 24 * time.Hour,
			Replicas:    max(replicas, 1),
		},
		{
			Name:        StreamDeadLetter,
			Description: "events and notifications alertrouter gave up on",
			Subjects:    []string{SubjectDeadLetterPrefix + ">"},
			Storage:     jetstream.FileStorage,
			MaxAge:      30 * 24 * time.Hour,
			Replicas:    max(replicas, 1),
		},
	}
	for _, cfg := range configs {
		if err := ensureStream(ctx, js, cfg); err != nil {
			return err
		}
	}
	return nil
}

func ensureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) error {
	_, err := js.Stream(ctx, cfg.Name)
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("look up stream %s: %w", cfg.Name, err)
	}

	_, err = js.CreateStream(ctx, cfg)
	if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return fmt.Errorf("create stream %s: %w", cfg.Name, err)
	}
	return nil
}
