package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/config"
	"github.com/alertrouter/alertrouter/router"
)

// Names of what the run creates besides the router's own streams.
const (
	baselineStream  = "BENCH_BASELINE"
	baselinePrefix  = "bench.baseline."
	benchConsumer   = "alertrouter-bench"
	baselineDurable = "bench-baseline"
	dedupBucket     = "alertrouter_bench_dedup"
	ledgerBucket    = "alertrouter_bench_ledger"
)

// servers is the router's connection (with the embedded server, if any)
// and the publishers' own connection.
type servers struct {
	conn     *config.Conn
	js       jetstream.JetStream
	pub      *config.Conn
	external bool
	// owned is set once an external server was found free of everything
	// the run creates: only then does close delete those names.
	owned   bool
	tempDir string
}

// connect starts the embedded server or reaches the external one. An
// external server that already has any stream or bucket the run would
// create is refused and left untouched: the run would feed generated
// events to a real deployment's workers, and its clean-up would delete
// that deployment's streams.
func connect(ctx context.Context, cfg Config) (*servers, error) {
	s := &servers{external: cfg.NATS.URL != ""}
	nc := cfg.NATS
	nc.Name = "alertrouter-bench"
	if !s.external {
		nc = config.NATS{Listen: "127.0.0.1:0", DataDir: cfg.DataDir, Name: nc.Name}
	}
	if !s.external && nc.DataDir == "" {
		dir, err := os.MkdirTemp("", "alertrouter-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench data folder: %w", err)
		}
		s.tempDir, nc.DataDir = dir, dir
	}

	conn, err := nc.Connect(slog.New(slog.DiscardHandler))
	if err != nil {
		s.close(ctx)
		return nil, err
	}
	s.conn = conn
	if s.js, err = jetstream.New(conn.Conn); err != nil {
		s.close(ctx)
		return nil, fmt.Errorf("jetstream: %w", err)
	}

	// The publishers' connection: to the same server, with the same
	// credentials when it is external.
	pub := nc
	pub.Name = "alertrouter-bench-pub"
	if !s.external {
		pub = config.NATS{URL: conn.ConnectedUrl(), Name: pub.Name}
	}
	if s.pub, err = pub.Connect(slog.New(slog.DiscardHandler)); err != nil {
		s.close(ctx)
		return nil, fmt.Errorf("publisher connection: %w", err)
	}

	if s.external {
		if err := refuseDeployment(ctx, s.js); err != nil {
			s.close(ctx)
			return nil, err
		}
		s.owned = true
	}
	return s, nil
}

func refuseDeployment(ctx context.Context, js jetstream.JetStream) error {
	streams := []string{router.StreamAlerts, router.StreamDeadLetter, baselineStream,
		"KV_" + dedupBucket, "KV_" + ledgerBucket}
	for _, name := range streams {
		_, err := js.Stream(ctx, name)
		switch {
		case err == nil && name != router.StreamAlerts && name != router.StreamDeadLetter:
			return fmt.Errorf("stream %s already exists on this NATS: an earlier bench run "+
				"that was killed left it; delete it (with the nats CLI: nats stream rm %s) "+
				"and run again", name, name)
		case err == nil:
			return fmt.Errorf("stream %s already exists on this NATS: bench publishes "+
				"generated events to %s and deletes what it created when it ends, so "+
				"point it at a NATS without an alertrouter deployment", name,
				router.SubjectAlerts)
		case !errors.Is(err, jetstream.ErrStreamNotFound):
			return fmt.Errorf("look up stream %s: %w", name, err)
		}
	}
	return nil
}

// close removes what the run created on an external server it was allowed
// to use, then closes the connections, stops an embedded server and
// removes its folder.
func (s *servers) close(ctx context.Context) {
	if s.owned {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		for _, name := range []string{router.StreamAlerts, router.StreamDeadLetter,
			baselineStream} {
			_ = s.js.DeleteStream(ctx, name)
		}
		for _, name := range []string{dedupBucket, ledgerBucket} {
			_ = s.js.DeleteKeyValue(ctx, name)
		}
	}
	if s.pub != nil {
		s.pub.Close()
	}
	if s.conn != nil {
		s.conn.Close()
	}
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}
