package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

// stallTimeout ends a run whose consumer made no progress for this long.
const stallTimeout = time.Minute

// Run measures the baseline and then the router on the same workload and
// returns the report. progress, when not nil, gets a one-line progress
// display that rewrites itself.
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rs, err := buildRules(cfg.Routes)
	if err != nil {
		return nil, err
	}
	srv, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer srv.close(ctx)

	rep := newReport(cfg, srv.external)
	m := &meter{srv: srv, cfg: cfg, progress: &progressLine{w: progress}}
	base, err := m.baseline(ctx)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	rep.Baseline = Baseline{Seconds: base.seconds, EventsPerSecond: base.perSecond(cfg.Events),
		AllocsPerEvent: base.allocsPerEvent(cfg.Events), PeakRSSBytes: peakRSS()}
	resetPeakRSS()

	snk := newSink(cfg.Events, time.Now)
	res, err := m.router(ctx, rs, snk)
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	rep.fill(res, snk, cfg.Events)
	rep.ConsumeErrors = m.routerErrs.Load()
	rep.Baseline.ConsumeErrors = m.baseErrs.Load()
	return rep, nil
}

func newReport(cfg Config, external bool) *Report {
	where := "embedded"
	if external {
		where = "external"
	}
	return &Report{Date: time.Now().UTC().Format(time.RFC3339), Events: cfg.Events,
		Keys: cfg.distinctKeys(), Routes: cfg.Routes, Workers: cfg.Workers, Rate: cfg.Rate,
		State: cfg.State, NATS: where, CPUs: runtime.GOMAXPROCS(0),
		ExpectedNotifications: cfg.distinctKeys()}
}

func (r *Report) fill(res phaseResult, snk *sink, events int) {
	r.Seconds = res.seconds
	r.EventsPerSecond = res.perSecond(events)
	r.Notifications = snk.count.Load()
	if res.seconds > 0 {
		r.NotificationsPerSec = float64(r.Notifications) / res.seconds
	}
	r.Latency = summarise(snk.samples())
	r.PeakRSSBytes = peakRSS()
	r.AllocsPerEvent = res.allocsPerEvent(events)
	if r.Baseline.EventsPerSecond > 0 {
		r.Ratio = r.EventsPerSecond / r.Baseline.EventsPerSecond
	}
}

// phaseResult is what one phase measured.
type phaseResult struct {
	seconds float64
	mallocs uint64
}

func (p phaseResult) perSecond(events int) float64 {
	if p.seconds <= 0 {
		return 0
	}
	return float64(events) / p.seconds
}

func (p phaseResult) allocsPerEvent(events int) float64 {
	return float64(p.mallocs) / float64(events)
}

// meter runs the phases of one run.
type meter struct {
	srv      *servers
	cfg      Config
	progress *progressLine
	// baseErrs and routerErrs count consume errors (such as missed
	// heartbeats, after which the client pulls again) in each phase.
	baseErrs, routerErrs atomic.Int64
}

// baseline publishes the workload to a stream of its own and consumes it
// with the router's flow-control settings and a handler that only acks.
func (m *meter) baseline(ctx context.Context) (phaseResult, error) {
	js := m.srv.js
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: baselineStream,
		Subjects: []string{baselinePrefix + ">"}, Storage: jetstream.FileStorage,
		Duplicates: 2 * time.Minute})
	if err != nil {
		return phaseResult{}, fmt.Errorf("create stream %s: %w", baselineStream, err)
	}
	defer func() { _ = js.DeleteStream(context.WithoutCancel(ctx), baselineStream) }()
	flow := router.Flow(m.cfg.Workers)
	cons, err := js.CreateOrUpdateConsumer(ctx, baselineStream, jetstream.ConsumerConfig{
		Durable: baselineDurable, AckPolicy: jetstream.AckExplicitPolicy,
		MaxAckPending: flow.MaxAckPending})
	if err != nil {
		return phaseResult{}, fmt.Errorf("create consumer %s: %w", baselineDurable, err)
	}

	// Like the router, the handler hands messages to a pool of workers;
	// these only ack.
	done := &finished{now: time.Now}
	jobs := make(chan jetstream.Msg)
	var wg sync.WaitGroup
	for range m.cfg.Workers {
		wg.Go(func() {
			for msg := range jobs {
				_ = msg.Ack()
				done.add()
			}
		})
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()
	cc, err := cons.Consume(func(msg jetstream.Msg) { jobs <- msg },
		jetstream.PullMaxMessages(flow.PullMaxMessages), jetstream.PullExpiry(flow.PullExpiry),
		jetstream.PullHeartbeat(flow.PullHeartbeat),
		jetstream.ConsumeErrHandler(func(jetstream.ConsumeContext, error) {
			m.baseErrs.Add(1)
		}))
	if err != nil {
		return phaseResult{}, fmt.Errorf("consume %s: %w", baselineDurable, err)
	}
	defer func() {
		cc.Drain()
		<-cc.Closed()
	}()

	return m.measure(ctx, "baseline", baselinePrefix, done)
}

// router runs the real router with the sink on every receiver.
func (m *meter) router(ctx context.Context, rs *rules.Rules, snk *sink) (phaseResult, error) {
	js := m.srv.js
	if err := router.EnsureStreams(ctx, js, 1); err != nil {
		return phaseResult{}, err
	}
	ledger, store, err := m.state(ctx)
	if err != nil {
		return phaseResult{}, err
	}
	done := &finished{now: time.Now}
	r, err := router.New(router.Options{JetStream: js, Rules: rs, Channels: snk.factory(),
		Store: store, Ledger: ledger, Consumer: benchConsumer, Workers: m.cfg.Workers,
		Decoder: alert.Decoder{}, Observer: done,
		Logger: slog.New(&consumeErrors{n: &m.routerErrs})})
	if err != nil {
		return phaseResult{}, err
	}

	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- r.Run(runCtx) }()
	defer func() {
		stop()
		<-ran
	}()
	if err := waitConsumer(ctx, js, ran); err != nil {
		return phaseResult{}, err
	}

	res, err := m.measure(ctx, "router", "alerts.", done)
	if err != nil {
		return res, err
	}
	return res, settled(ctx, js)
}

// state builds the dedup store and the ledger the config asks for.
func (m *meter) state(ctx context.Context) (router.Ledger, dedup.Store, error) {
	if m.cfg.State == "memory" {
		return router.NewMemoryLedger(), dedup.NewMemory(nil), nil
	}
	ledger, err := router.NewKVLedger(ctx, m.srv.js, ledgerBucket, 1, 0)
	if err != nil {
		return nil, nil, err
	}
	store, err := dedup.NewKV(ctx, m.srv.js, dedup.KVOptions{Bucket: dedupBucket})
	if err != nil {
		return nil, nil, err
	}
	return ledger, store, nil
}

// consumeErrors is a log handler that counts the router's consume errors
// and drops everything else.
type consumeErrors struct {
	n *atomic.Int64
}

// Enabled passes warnings and above.
func (h *consumeErrors) Enabled(_ context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn
}

// Handle counts the router's "consume" warnings.
func (h *consumeErrors) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "consume" {
		h.n.Add(1)
	}
	return nil
}

// WithAttrs returns h: attributes do not change what is counted.
func (h *consumeErrors) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup returns h.
func (h *consumeErrors) WithGroup(string) slog.Handler { return h }
