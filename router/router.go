// Package router is the alertrouter pipeline: it consumes events from
// JetStream, matches them against the rules, asks the dedup store whether
// to notify, fans notifications out to every receiver's channels, and acks
// each message only when all of its deliveries are done or dead-lettered.
package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/redact"
	"github.com/alertrouter/alertrouter/rules"
)

// Options configure a Router. JetStream, Rules and Channels are required.
type Options struct {
	// JetStream is the connection's JetStream context.
	JetStream jetstream.JetStream
	// Rules are the routing rules in force at start.
	Rules *rules.Rules
	// Channels builds the channels of a receiver.
	Channels ChannelFactory
	// Store keeps dedup state; nil means a fresh in-memory store.
	Store dedup.Store
	// Ledger records plans and finished deliveries per message; nil means
	// an in-memory ledger.
	Ledger Ledger
	// Replicas is the replication factor of streams the router creates.
	Replicas int
	// Consumer is the durable consumer name; empty means "alertrouter".
	Consumer string
	// Workers is how many events are processed at once; 0 means 8.
	Workers int
	// AckWait is how long JetStream waits for an ack before redelivering;
	// in-progress acks keep long deliveries alive. 0 means 30s.
	AckWait time.Duration
	// DrainTimeout bounds how long in-flight deliveries may run after
	// shutdown begins; 0 means 30s.
	DrainTimeout time.Duration
	// RecoverFor bounds how long Run keeps trying to create its stream
	// and consumer again after they were deleted under it; 0 means 2m.
	RecoverFor time.Duration
	// Retry is the delivery retry policy.
	Retry channels.RetryPolicy
	// Guards, when set, rate-limit and circuit-break every channel per
	// far-side target, shared across receivers and rules reloads.
	Guards *channels.Guards
	// Decoder validates raw events.
	Decoder alert.Decoder
	// Observer is told what happens to each event; nil ignores it.
	Observer Observer
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock used for dedup decisions; nil means time.Now.
	Now func() time.Time
}

// Router consumes, routes and delivers. Create it with New, start it with
// Run, and swap its rules at any time with SetRules.
type Router struct {
	opts  Options
	log   *slog.Logger
	obs   Observer
	store dedup.Store
	now   func() time.Time
	set   atomic.Pointer[ruleSet]
	// open tracks the stream sequences handed to workers and not yet
	// acked or terminated, where a consumer created again after it was
	// deleted starts.
	open unfinished
}

// ruleSet is the rules and the channels built from them, swapped as one.
type ruleSet struct {
	rules     *rules.Rules
	receivers map[string][]channels.Channel
	// redactor masks events for receivers marked redact.
	redactor *redact.Redactor
}

// New checks the options, builds every receiver's channels and returns a
// router ready to Run.
func New(opts Options) (*Router, error) {
	if opts.JetStream == nil || opts.Rules == nil || opts.Channels == nil {
		return nil, errors.New("router: JetStream, Rules and Channels are required")
	}
	opts = withDefaults(opts)

	r := &Router{opts: opts, log: opts.Logger, obs: opts.Observer, store: opts.Store,
		now: opts.Now}
	if err := r.SetRules(opts.Rules); err != nil {
		return nil, err
	}
	return r, nil
}

func withDefaults(o Options) Options {
	if o.Store == nil {
		o.Store = dedup.NewMemory(o.Now)
	}
	if o.Ledger == nil {
		o.Ledger = NewMemoryLedger()
	}
	if o.Consumer == "" {
		o.Consumer = DefaultConsumer
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.AckWait <= 0 {
		o.AckWait = 30 * time.Second
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	if o.RecoverFor <= 0 {
		o.RecoverFor = 2 * time.Minute
	}
	if o.Observer == nil {
		o.Observer = NopObserver{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// SetRules builds the channels of every receiver in rs and, only if all
// of them build, puts rs in force for the next event. Events in flight
// finish with the rules they started with.
func (r *Router) SetRules(rs *rules.Rules) error {
	receivers := make(map[string][]channels.Channel, len(rs.Receivers))
	for name, rcv := range rs.Receivers {
		chs, err := r.opts.Channels(rcv)
		if err != nil {
			return fmt.Errorf("receiver %s: %w", name, err)
		}
		if r.opts.Guards != nil {
			for i, ch := range chs {
				chs[i] = r.opts.Guards.Wrap(ch)
			}
		}
		receivers[name] = chs
	}
	r.set.Store(&ruleSet{rules: rs, receivers: receivers, redactor: newRedactor(rs)})
	return nil
}

// Rules returns the rules in force.
func (r *Router) Rules() *rules.Rules { return r.set.Load().rules }

// Run creates the streams and the durable consumer if missing, then
// processes events until ctx is cancelled. On cancellation it stops
// fetching, lets in-flight events finish within DrainTimeout, and returns
// once every worker has stopped.
//
// When consuming stops while ctx is live (the consumer or its stream was
// deleted), Run creates them again, retrying with backoff for up to
// RecoverFor, and returns an error if it cannot; it returns at once if the
// connection is closed. A consumer created again starts after the last
// message this process received, so a deleted consumer does not replay
// the stream's history (and page again for old alerts); if the stream
// itself was replaced, it starts at the new stream's first message.
func (r *Router) Run(ctx context.Context) error {
	if err := EnsureStreams(ctx, r.opts.JetStream, r.opts.Replicas); err != nil {
		return err
	}
	born, err := streamCreated(ctx, r.opts.JetStream)
	if err != nil {
		return err
	}

	work, stopWork := r.deliveryContext(ctx)
	defer stopWork()

	jobs := make(chan jetstream.Msg)
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Go(func() {
			for msg := range jobs {
				r.handle(work, msg)
			}
		})
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()

	cc, stopped, err := r.consume(ctx, jobs, 0)
	if err != nil {
		return err
	}
	r.log.Info("router running", "consumer", r.opts.Consumer, "workers", r.opts.Workers,
		"rules", r.Rules().File)

	for {
		select {
		case <-ctx.Done():
			r.log.Info("draining", "timeout", r.opts.DrainTimeout)
			cc.Drain()
			<-cc.Closed()
			return nil
		case <-cc.Closed():
		}

		why := stopped.err()
		if errors.Is(why, jetstream.ErrConnectionClosed) {
			return fmt.Errorf("consume %s: %w", r.opts.Consumer, why)
		}
		r.log.Error("consuming stopped; creating stream and consumer again",
			"consumer", r.opts.Consumer, "err", why)
		if cc, stopped, born, err = r.reconsume(ctx, jobs, born); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		r.log.Info("consuming again", "consumer", r.opts.Consumer)
	}
}

// streamCreated returns when the alert stream was created, which tells a
// stream that was deleted and made again from the one the router knew.
func streamCreated(ctx context.Context, js jetstream.JetStream) (time.Time, error) {
	s, err := js.Stream(ctx, StreamAlerts)
	if err != nil {
		return time.Time{}, fmt.Errorf("look up stream %s: %w", StreamAlerts, err)
	}
	return s.CachedInfo().Created, nil
}

// consume creates the durable consumer if missing and starts pulling from
// it into jobs. A consumer created here starts at stream sequence from
// (0: the first message); one that exists keeps its start, so that a
// restart does not fail on a consumer created after a deletion. stopped
// records why the library ended consuming.
func (r *Router) consume(ctx context.Context, jobs chan<- jetstream.Msg, from uint64) (
	jetstream.ConsumeContext, *lastError, error) {
	flow := Flow(r.opts.Workers)
	cfg := jetstream.ConsumerConfig{
		Durable:       r.opts.Consumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       r.opts.AckWait,
		FilterSubject: SubjectAlerts,
		MaxAckPending: flow.MaxAckPending,
	}
	if from > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	existing, err := r.opts.JetStream.Consumer(ctx, StreamAlerts, r.opts.Consumer)
	switch {
	case err == nil:
		was := existing.CachedInfo().Config
		cfg.DeliverPolicy, cfg.OptStartSeq = was.DeliverPolicy, was.OptStartSeq
		cfg.OptStartTime = was.OptStartTime
	case !errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, nil, fmt.Errorf("look up consumer %s on %s: %w", r.opts.Consumer,
			StreamAlerts, err)
	}
	cons, err := r.opts.JetStream.CreateOrUpdateConsumer(ctx, StreamAlerts, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("create consumer %s on %s: %w", r.opts.Consumer,
			StreamAlerts, err)
	}

	stopped := &lastError{}
	cc, err := cons.Consume(func(msg jetstream.Msg) { jobs <- msg },
		jetstream.PullMaxMessages(flow.PullMaxMessages),
		jetstream.PullExpiry(flow.PullExpiry),
		jetstream.PullHeartbeat(flow.PullHeartbeat),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			stopped.set(err)
			r.log.Warn("consume", "err", err)
		}))
	if err != nil {
		return nil, nil, fmt.Errorf("consume %s: %w", r.opts.Consumer, err)
	}
	return cc, stopped, nil
}

// reconsume creates the streams and the consumer again after consuming
// stopped, retrying with backoff for up to RecoverFor. born is when the
// stream the router consumed was created; the stream found now's creation
// time is returned with the new consume context.
func (r *Router) reconsume(ctx context.Context, jobs chan<- jetstream.Msg, born time.Time) (
	jetstream.ConsumeContext, *lastError, time.Time, error) {
	type started struct {
		cc      jetstream.ConsumeContext
		stopped *lastError
		born    time.Time
	}
	try := func() (started, error) {
		if err := EnsureStreams(ctx, r.opts.JetStream, r.opts.Replicas); err != nil {
			r.log.Warn("create streams again", "err", err)
			return started{}, err
		}
		now, err := streamCreated(ctx, r.opts.JetStream)
		if err != nil {
			r.log.Warn("create streams again", "err", err)
			return started{}, err
		}
		from := r.open.resumeAt()
		if !now.Equal(born) {
			r.open.reset()
			from = 0
		}
		cc, stopped, err := r.consume(ctx, jobs, from)
		if err != nil {
			r.log.Warn("create consumer again", "err", err)
		}
		return started{cc, stopped, now}, err
	}
	s, err := backoff.Retry(ctx, try,
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval: 100 * time.Millisecond, RandomizationFactor: 0.5,
			Multiplier: 2, MaxInterval: 5 * time.Second}),
		backoff.WithMaxElapsedTime(r.opts.RecoverFor))
	if err != nil {
		return nil, nil, born, fmt.Errorf("consumer %s stopped and could not be created "+
			"again within %s: %w", r.opts.Consumer, r.opts.RecoverFor, err)
	}
	return s.cc, s.stopped, s.born, nil
}

// unfinished tracks the stream sequences handed to workers that were not
// yet acked or terminated (a nak leaves one open), and the highest seen.
type unfinished struct {
	mu   sync.Mutex
	open map[uint64]struct{}
	high uint64
}

// add notes that seq was handed to a worker; 0 (no metadata) is ignored.
func (u *unfinished) add(seq uint64) {
	if seq == 0 {
		return
	}
	u.mu.Lock()
	if u.open == nil {
		u.open = make(map[uint64]struct{})
	}
	u.open[seq] = struct{}{}
	u.high = max(u.high, seq)
	u.mu.Unlock()
}

// remove notes that seq was acked or terminated.
func (u *unfinished) remove(seq uint64) {
	u.mu.Lock()
	delete(u.open, seq)
	u.mu.Unlock()
}

// resumeAt is the first stream sequence a new consumer must deliver so
// that nothing handed out and unfinished, and nothing not yet handed
// out, is missed: the lowest open sequence, else one past the highest
// seen.
func (u *unfinished) resumeAt() uint64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	from := u.high + 1
	for seq := range u.open {
		from = min(from, seq)
	}
	return from
}

// reset forgets everything, for a stream that was replaced.
func (u *unfinished) reset() {
	u.mu.Lock()
	clear(u.open)
	u.high = 0
	u.mu.Unlock()
}

// lastError keeps the last error the consume loop reported.
type lastError struct {
	mu sync.Mutex
	e  error
}

func (l *lastError) set(err error) {
	l.mu.Lock()
	l.e = err
	l.mu.Unlock()
}

func (l *lastError) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.e
}

// FlowControl is how a router pulls from its consumer.
type FlowControl struct {
	// MaxAckPending bounds the messages handed out and not yet acked.
	MaxAckPending int
	// PullMaxMessages is how many messages one pull asks for.
	PullMaxMessages int
	// PullExpiry is how long a pull waits for messages. A short expiry
	// re-pulls soon after a pull met a consumer without a leader (a
	// cluster node failing over), instead of after 30s.
	PullExpiry time.Duration
	// PullHeartbeat is how often the server reports on a waiting pull.
	// Two missed reports make the client pull afresh: short, because
	// under load the client sometimes counts messages as still coming
	// when the server holds no pull of it any more (seen with nats.go
	// 1.56 and nats-server 2.15: the consumer sat idle, thousands of
	// messages pending, until the next check).
	PullHeartbeat time.Duration
}

// Flow returns the flow control of a router with workers workers: a
// window wide enough that workers rarely wait for a pull.
func Flow(workers int) FlowControl {
	return FlowControl{MaxAckPending: 32 * workers, PullMaxMessages: 8 * workers,
		PullExpiry: 5 * time.Second, PullHeartbeat: 500 * time.Millisecond}
}

// deliveryContext outlives ctx by DrainTimeout, so that deliveries under
// way when shutdown begins can finish and be acked.
func (r *Router) deliveryContext(ctx context.Context) (context.Context, func()) {
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(r.opts.DrainTimeout, cancel)
		<-work.Done()
		t.Stop()
	})
	return work, func() {
		stop()
		cancel()
	}
}
