package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/config"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/metrics"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// runFlags are the worker's settings.
type runFlags struct {
	nats         natsFlags
	rulesPath    string
	workers      int
	consumer     string
	drainTimeout time.Duration
	maxSize      int
	state        string
	ackWait      time.Duration
	retry        channels.RetryPolicy
	policy       policyFlags
	http         httpFlags
	watch        bool
	audit        auditRunFlags
}

func (a *app) runCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run --rules FILE",
		Short: "Run the worker: consume events, route, dedup and deliver",
		Long: "Run the worker. It consumes stream ALERTS (subjects alerts.>) with a durable\n" +
			"pull consumer, routes every event by the rules file and delivers notifications.\n" +
			"Without --nats-url it starts an embedded NATS server with JetStream, listening\n" +
			"on --nats-listen and storing its data in --data. SIGINT or SIGTERM drains\n" +
			"in-flight work before exit. SIGHUP reloads the rules file; a file that fails\n" +
			"validation is refused whole and the previous rules keep routing. --http serves\n" +
			"/healthz, /readyz and /metrics.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := a.logger()
			if err != nil {
				return err
			}
			if err := f.validate(a.sources); err != nil {
				return err
			}
			return a.runWorker(cmd.Context(), &f, log)
		},
	}
	f.register(cmd)
	return cmd
}

func (f *runFlags) register(cmd *cobra.Command) {
	f.nats.register(cmd, "")
	fl := cmd.Flags()
	fl.StringVar(&f.rulesPath, "rules", "", "rules file (required)")
	fl.StringVar(&f.nats.cfg.Listen, "nats-listen", config.DefaultNATSListen,
		"listen address of the embedded NATS server (without --nats-url)")
	fl.StringVar(&f.nats.cfg.DataDir, "data", "alertrouter-data",
		"JetStream data folder of the embedded NATS server")
	fl.IntVar(&f.workers, "workers", 8, "events processed at once")
	fl.StringVar(&f.consumer, "consumer", router.DefaultConsumer,
		"durable consumer name, shared by all workers")
	fl.DurationVar(&f.drainTimeout, "drain-timeout", 30*time.Second,
		"how long in-flight deliveries may run after SIGTERM")
	fl.DurationVar(&f.ackWait, "ack-wait", 30*time.Second, "how long NATS waits for an ack "+
		"before redelivering, at least 1s (a worker killed mid-event is retried after this)")
	fl.IntVar(&f.retry.MaxAttempts, "retry-attempts", channels.DefaultRetryPolicy.MaxAttempts,
		"delivery attempts per channel before giving up (the first included)")
	fl.DurationVar(&f.retry.InitialInterval, "retry-initial-interval",
		channels.DefaultRetryPolicy.InitialInterval, "first wait between attempts; it doubles")
	fl.DurationVar(&f.retry.MaxInterval, "retry-max-interval",
		channels.DefaultRetryPolicy.MaxInterval, "longest wait between attempts")
	maxEventSizeFlag(fl, &f.maxSize)
	fl.StringVar(&f.state, "state", "kv", "where dedup state and delivery records live: kv "+
		"(JetStream key-value buckets shared by all workers) or memory (this process only)")
	fl.IntVar(&f.nats.replicas, "replicas", 1, "replicas of the streams and key-value "+
		"buckets the worker creates (3 on a cluster)")
	fl.BoolVar(&f.watch, "watch", true, "reload the rules file when it changes on disk "+
		"(editor saves, config-map symlink swaps)")
	f.policy.register(cmd)
	f.http.register(cmd)
	f.audit.register(cmd)
}

// maxEventSizeFlag defines --max-event-size, which run and publish share:
// given the same value, publish refuses what the worker would dead-letter
// as too large.
func maxEventSizeFlag(fl *pflag.FlagSet, p *int) {
	fl.IntVar(p, "max-event-size", alert.DefaultMaxSize, "largest accepted event in bytes, "+
		"as stored (with its id and defaults); give run and publish the same")
}

// minAckWait is the shortest --ack-wait: the worker tells JetStream every
// third of it that a slow event is still being worked on.
const minAckWait = time.Second

// validate refuses settings that cannot work, naming every setting at
// fault where it was set, with its value, before anything starts.
func (f *runFlags) validate(src sources) error {
	f.nats.cfg.URL = strings.TrimSpace(f.nats.cfg.URL)
	if f.rulesPath == "" {
		return errRulesRequired
	}
	errs := []error{
		src.atLeast("--workers", f.workers, 1),
		src.atLeast("--max-event-size", f.maxSize, 1),
		src.atLeast("--retry-attempts", f.retry.MaxAttempts, 1),
		src.replicas(f.nats.replicas),
		src.longEnough("--ack-wait", f.ackWait, minAckWait),
		src.positive("--drain-timeout", f.drainTimeout),
		src.positive("--retry-initial-interval", f.retry.InitialInterval),
		src.positive("--retry-max-interval", f.retry.MaxInterval),
		f.policy.validate(src),
		checkConsumer(src, f.consumer),
		checkListen(src, f.http.addr),
		f.http.checkToken(src),
	}
	if f.state != "kv" && f.state != "memory" {
		errs = append(errs, src.bad("--state", strconv.Quote(f.state), "want kv or memory"))
	}
	if f.retry.MaxInterval > 0 && f.retry.MaxInterval < f.retry.InitialInterval {
		errs = append(errs, src.bad("--retry-max-interval", f.retry.MaxInterval,
			"want at least %s (%s)", src.name("--retry-initial-interval"),
			f.retry.InitialInterval))
	}
	if f.audit.enabled {
		errs = append(errs, src.positive("--audit-retention", f.audit.retention))
	}
	return errors.Join(errs...)
}

// maxConsumerName is the longest durable consumer name nats-server takes
// (its JSMaxNameLen).
const maxConsumerName = 255

// checkConsumer refuses a --consumer that JetStream would refuse as a
// durable name: nats-server (isValidAssetName) takes no '.', '*', '>', '/',
// '\', space, tab, CR, LF or FF in one, nats.go the same but FF, and the
// server at most 255 bytes.
func checkConsumer(src sources, name string) error {
	switch {
	case name == "":
		return src.bad("--consumer", `""`, "want a name, such as %s", router.DefaultConsumer)
	case len(name) > maxConsumerName:
		return src.bad("--consumer", strconv.Quote(name), "is %d bytes: want at most %d",
			len(name), maxConsumerName)
	case strings.ContainsAny(name, " \t\r\n\f.*>/\\"):
		return src.bad("--consumer", strconv.Quote(name), "a JetStream consumer name "+
			"cannot hold '.', '*', '>', '/', '\\' or white space (space, tab, CR, LF, FF)")
	}
	return nil
}

// checkListen refuses an --http address that cannot be listened on, such
// as one without a port, before the worker connects or warns about it.
// Empty turns the listener off.
func checkListen(src sources, addr string) error {
	if addr == "" {
		return nil
	}
	if _, err := net.ResolveTCPAddr("tcp", addr); err != nil {
		return src.bad("--http", strconv.Quote(addr), "want HOST:PORT such as "+
			"127.0.0.1:9095, or empty to turn it off (%v)", err)
	}
	return nil
}

// runWorker connects, builds the router and its HTTP side, and runs until
// ctx ends.
func (a *app) runWorker(ctx context.Context, f *runFlags, log *slog.Logger) error {
	rs, err := rules.Load(f.rulesPath, rules.Options{})
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	conn, err := a.connect(f.nats.cfg, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	js, err := jetstream.New(conn.Conn)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}

	m := metrics.New(metrics.Options{Version: version, Connected: conn.IsConnected,
		Consumer: metrics.JetStreamConsumer(js, router.StreamAlerts, f.consumer)})
	m.SetRules(rs)
	aud, err := f.audit.start(ctx, conn.Conn, js, f.nats.replicas, log)
	if err != nil {
		return err
	}
	defer stopAuditor(ctx, aud, log)
	r, err := f.newRouter(ctx, js, rs, m, observer(m, aud, rs), a, log)
	if err != nil {
		return err
	}

	if err := router.EnsureStreams(ctx, js, f.nats.replicas); err != nil {
		return err
	}
	routes, err := a.endpoints(conn, js, f, r, m, log)
	if err != nil {
		return err
	}
	stopHTTP, err := f.http.serve(ctx, log, routes)
	if err != nil {
		return err
	}
	defer stopHTTP()

	rl := &reloader{path: f.rulesPath, router: r, log: log, done: reloaded(m, aud)}
	go rl.onSIGHUP(ctx)
	if f.watch {
		go rl.onFileChange(ctx)
	}

	err = r.Run(ctx)
	log.Info("stopped")
	return err
}

func (f *runFlags) newRouter(ctx context.Context, js jetstream.JetStream, rs *rules.Rules,
	m *metrics.Metrics, obs router.Observer, a *app, log *slog.Logger) (*router.Router, error) {
	guards, err := f.policy.guards(a.sources, log, m.BreakerChanged)
	if err != nil {
		return nil, err
	}
	ledger, store, err := newState(ctx, js, f.state, f.nats.replicas, log)
	if err != nil {
		return nil, err
	}
	return router.New(router.Options{
		JetStream:    js,
		Ledger:       ledger,
		Store:        store,
		Rules:        rs,
		Channels:     router.Adapters(router.AdapterOptions{Console: a.stdout}),
		Consumer:     f.consumer,
		Workers:      f.workers,
		DrainTimeout: f.drainTimeout,
		AckWait:      f.ackWait,
		Retry:        f.retry,
		Guards:       guards,
		Replicas:     f.nats.replicas,
		Decoder:      alert.Decoder{MaxSize: f.maxSize},
		Observer:     obs,
		Logger:       log,
	})
}

// newState picks where delivery records and dedup state live; log gets
// the line a key-value bucket writes when it is made again.
func newState(ctx context.Context, js jetstream.JetStream, state string,
	replicas int, log *slog.Logger) (router.Ledger, dedup.Store, error) {
	if state == "memory" {
		return router.NewMemoryLedger(), dedup.NewMemory(nil), nil
	}
	ledger, err := router.NewKVLedger(ctx, js, "", replicas, 0, router.LedgerLogger(log))
	if err != nil {
		return nil, nil, err
	}
	store, err := dedup.NewKV(ctx, js, dedup.KVOptions{Replicas: replicas, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	return ledger, store, nil
}
