package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/config"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

func (a *app) runCmd() *cobra.Command {
	var (
		nf           natsFlags
		rulesPath    string
		workers      int
		consumer     string
		drainTimeout time.Duration
		maxSize      int
		state        string
		ackWait      time.Duration
		retry        channels.RetryPolicy
		policy       policyFlags
	)
	cmd := &cobra.Command{
		Use:   "run --rules FILE",
		Short: "Run the worker: consume events, route, dedup and deliver",
		Long: "Run the worker. It consumes stream ALERTS (subjects alerts.>) with a durable\n" +
			"pull consumer, routes every event by the rules file and delivers notifications.\n" +
			"Without --nats-url it starts an embedded NATS server with JetStream, listening\n" +
			"on --nats-listen and storing its data in --data. SIGINT or SIGTERM drains\n" +
			"in-flight work before exit. SIGHUP reloads the rules file; a file that fails\n" +
			"validation is refused whole and the previous rules keep routing.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := a.logger()
			if err != nil {
				return err
			}
			if rulesPath == "" {
				return errRulesRequired
			}
			if workers < 1 {
				return fmt.Errorf("--workers %d: want at least 1", workers)
			}
			if maxSize < 1 {
				return fmt.Errorf("--max-event-size %d: want a positive number of bytes", maxSize)
			}
			nf.cfg.URL = strings.TrimSpace(nf.cfg.URL)
			rs, err := rules.Load(rulesPath, rules.Options{})
			if err != nil {
				return fmt.Errorf("load rules: %w", err)
			}

			conn, err := nf.cfg.Connect(log)
			if err != nil {
				return err
			}
			defer conn.Close()
			js, err := jetstream.New(conn.Conn)
			if err != nil {
				return fmt.Errorf("jetstream: %w", err)
			}

			guards, err := policy.guards(log)
			if err != nil {
				return err
			}
			ledger, store, err := newState(cmd.Context(), js, state, nf.replicas)
			if err != nil {
				return err
			}
			r, err := router.New(router.Options{
				JetStream:    js,
				Ledger:       ledger,
				Store:        store,
				Rules:        rs,
				Channels:     router.Adapters(router.AdapterOptions{Console: a.stdout}),
				Consumer:     consumer,
				Workers:      workers,
				DrainTimeout: drainTimeout,
				AckWait:      ackWait,
				Retry:        retry,
				Guards:       guards,
				Replicas:     nf.replicas,
				Decoder:      alert.Decoder{MaxSize: maxSize},
				Logger:       log,
			})
			if err != nil {
				return err
			}
			rl := &reloader{path: rulesPath, router: r, log: log}
			go rl.onSIGHUP(cmd.Context())

			err = r.Run(cmd.Context())
			log.Info("stopped")
			return err
		},
	}
	nf.register(cmd, "")
	fl := cmd.Flags()
	fl.StringVar(&rulesPath, "rules", "", "rules file (required)")
	fl.StringVar(&nf.cfg.Listen, "nats-listen", config.DefaultNATSListen,
		"listen address of the embedded NATS server (without --nats-url)")
	fl.StringVar(&nf.cfg.DataDir, "data", "alertrouter-data",
		"JetStream data folder of the embedded NATS server")
	fl.IntVar(&workers, "workers", 8, "events processed at once")
	fl.StringVar(&consumer, "consumer", router.DefaultConsumer,
		"durable consumer name, shared by all workers")
	fl.DurationVar(&drainTimeout, "drain-timeout", 30*time.Second,
		"how long in-flight deliveries may run after SIGTERM")
	fl.DurationVar(&ackWait, "ack-wait", 30*time.Second, "how long NATS waits for an ack "+
		"before redelivering (a worker killed mid-event is retried after this)")
	fl.IntVar(&retry.MaxAttempts, "retry-attempts", channels.DefaultRetryPolicy.MaxAttempts,
		"delivery attempts per channel before giving up (the first included)")
	fl.DurationVar(&retry.InitialInterval, "retry-initial-interval",
		channels.DefaultRetryPolicy.InitialInterval, "first wait between attempts; it doubles")
	fl.DurationVar(&retry.MaxInterval, "retry-max-interval",
		channels.DefaultRetryPolicy.MaxInterval, "longest wait between attempts")
	fl.IntVar(&maxSize, "max-event-size", alert.DefaultMaxSize, "largest accepted event in bytes")
	fl.StringVar(&state, "state", "kv", "where dedup state and delivery records live: kv "+
		"(JetStream key-value buckets shared by all workers) or memory (this process only)")
	fl.IntVar(&nf.replicas, "replicas", 1, "replicas of the streams and key-value buckets "+
		"the worker creates (3 on a cluster)")
	policy.register(cmd)
	return cmd
}

// newState picks where delivery records and dedup state live.
func newState(ctx context.Context, js jetstream.JetStream, state string,
	replicas int) (router.Ledger, dedup.Store, error) {
	switch state {
	case "memory":
		return router.NewMemoryLedger(), dedup.NewMemory(nil), nil
	case "kv":
		ledger, err := router.NewKVLedger(ctx, js, "", replicas, 0)
		if err != nil {
			return nil, nil, err
		}
		store, err := dedup.NewKV(ctx, js, dedup.KVOptions{Replicas: replicas})
		if err != nil {
			return nil, nil, err
		}
		return ledger, store, nil
	}
	return nil, nil, fmt.Errorf("--state %q: want kv or memory", state)
}
