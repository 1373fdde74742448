package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Names of the audit stream.
const (
	// StreamName is the JetStream stream that holds the audit trail.
	StreamName = "ALERTS_AUDIT"
	// SubjectPrefix starts every record's subject; the last token is the
	// record's kind.
	SubjectPrefix = "alerts_audit."
	// DefaultRetention is how long records are kept unless told otherwise:
	// a little over a year, so that a yearly review finds the whole year.
	DefaultRetention = 400 * 24 * time.Hour
)

// Subject returns the subject records of kind are published on.
func Subject(kind string) string { return SubjectPrefix + kind }

// EnsureStream creates the audit stream when it is missing, keeping
// records for maxAge (DefaultRetention when zero) with the given
// replicas. An existing stream keeps its settings except its age limit,
// which is set to maxAge, so that changing the retention takes effect.
func EnsureStream(ctx context.Context, js jetstream.JetStream, maxAge time.Duration,
	replicas int) error {
	if maxAge <= 0 {
		maxAge = DefaultRetention
	}

	s, err := js.Stream(ctx, StreamName)
	switch {
	case err == nil:
		return setMaxAge(ctx, js, s, maxAge)
	case !errors.Is(err, jetstream.ErrStreamNotFound):
		return fmt.Errorf("look up stream %s: %w", StreamName, err)
	}

	_, err = js.CreateStream(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "audit trail of alertrouter: every event's life, every rules reload",
		Subjects:    []string{SubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		MaxAge:      maxAge,
		Replicas:    max(replicas, 1),
	})
	if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return fmt.Errorf("create stream %s: %w", StreamName, err)
	}
	return nil
}

func setMaxAge(ctx context.Context, js jetstream.JetStream, s jetstream.Stream,
	maxAge time.Duration) error {
	cfg := s.CachedInfo().Config
	if cfg.MaxAge == maxAge {
		return nil
	}

	cfg.MaxAge = maxAge
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("set retention of stream %s to %s: %w", StreamName, maxAge, err)
	}
	return nil
}
