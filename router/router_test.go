package router

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/config"
	"github.com/alertrouter/alertrouter/rules"
)

const testRules = `
defaults: { dedup_window: 10m, repeat_interval: 4h }
receivers:
  pager: { console: {} }
  chat: { console: {} }
  broken: { console: {}, fallback: [backup] }
  backup: { console: {} }
  unrouted-log: { console: {} }
unrouted: [unrouted-log]
routes:
  - name: critical
    match: { severity: critical }
    receivers: [pager, chat]
    continue: true
  - name: chat-all
    match: { source: "ci/*" }
    receivers: [chat]
  - name: broken
    match: { source: "broken/*" }
    receivers: [broken]
`

// recorder is a channel per receiver that records what it was sent and
// fails when told to.
type recorder struct {
	mu      sync.Mutex
	sent    map[string][]channels.Notification
	fail    map[string]error
	delay   time.Duration
	slow    map[string]time.Duration
	started chan string
}

type recChannel struct {
	r        *recorder
	receiver string
}

func (c recChannel) Name() string { return "rec" }

func (c recChannel) Send(ctx context.Context, n channels.Notification) error {
	select {
	case c.r.started <- c.receiver:
	default:
	}
	if d := c.r.delay + c.r.slow[c.receiver]; d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	if err := c.r.fail[c.receiver]; err != nil {
		return err
	}
	c.r.sent[c.receiver] = append(c.r.sent[c.receiver], n)
	return nil
}

func (r *recorder) factory(rcv *rules.Receiver) ([]channels.Channel, error) {
	return []channels.Channel{recChannel{r, rcv.Name}}, nil
}

func (r *recorder) got(receiver string) []channels.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]channels.Notification(nil), r.sent[receiver]...)
}

// counter counts finished messages.
type counter struct {
	NopObserver
	mu   sync.Mutex
	done int
}

func (c *counter) Done(*alert.Event)      { c.add() }
func (c *counter) Rejected(string, error) { c.add() }
func (c *counter) add()                   { c.mu.Lock(); c.done++; c.mu.Unlock() }
func (c *counter) n() int                 { c.mu.Lock(); defer c.mu.Unlock(); return c.done }

type harness struct {
	js   jetstream.JetStream
	rec  *recorder
	obs  *counter
	stop func()
}

func newJetStream(t *testing.T) jetstream.JetStream {
	t.Helper()
	conn, err := config.NATS{Listen: "127.0.0.1:0", DataDir: t.TempDir()}.Connect(
		slogDiscard())
	require.NoError(t, err)
	t.Cleanup(conn.Close)
	js, err := jetstream.New(conn.Conn)
	require.NoError(t, err)
	return js
}

func start(t *testing.T, rec *recorder, tweak func(*Options)) *harness {
	t.Helper()
	return startOn(t, newJetStream(t), rec, tweak)
}

func startOn(t *testing.T, js jetstream.JetStream, rec *recorder,
	tweak func(*Options)) *harness {
	t.Helper()
	rs, err := rules.Parse("test.yaml", []byte(testRules), rules.Options{})
	require.NoError(t, err)
	obs := &counter{}
	opts := Options{JetStream: js, Rules: rs, Channels: rec.factory, Observer: obs,
		Retry: channels.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond}}
	if tweak != nil {
		tweak(&opts)
	}
	r, err := New(opts)
	require.NoError(t, err)
	require.NoError(t, EnsureStreams(context.Background(), js, 1))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	h := &harness{js: js, rec: rec, obs: obs, stop: func() {
		cancel()
		require.NoError(t, <-done)
	}}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			h.stop()
		}
	})
	return h
}

func (h *harness) publish(t *testing.T, ev string) {
	t.Helper()
	_, err := h.js.Publish(context.Background(), "alerts.test.x", []byte(ev))
	require.NoError(t, err)
}

func (h *harness) waitDone(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return h.obs.n() >= n }, 10*time.Second,
		5*time.Millisecond, "want %d messages processed, got %d", n, h.obs.n())
}

func newRecorder() *recorder {
	return &recorder{sent: map[string][]channels.Notification{}, fail: map[string]error{},
		slow: map[string]time.Duration{}, started: make(chan string, 100)}
}

func TestRoutesDedupsAndResolves(t *testing.T) {
	h := start(t, newRecorder(), nil)
	db := `{"source":"monitor/db","name":"down","severity":"critical","dedup_key":"db1"%s}`

	h.publish(t, sprintf(db, ""))
	h.waitDone(t, 1)
	h.publish(t, sprintf(db, ""))
	h.publish(t, sprintf(db, ""))
	h.waitDone(t, 3)
	h.publish(t, sprintf(db, `,"status":"resolved"`))
	h.waitDone(t, 4)

	pager := h.rec.got("pager")
	require.Len(t, pager, 2, "one firing and one resolved")
	require.Equal(t, channels.ReasonNew, pager[0].Reason)
	require.Equal(t, channels.ReasonResolved, pager[1].Reason)
	require.Equal(t, 2, pager[1].Suppressed)
	require.Equal(t, "db1", pager[1].Key)
	require.Len(t, h.rec.got("chat"), 2, "chat reached through the critical route")
	require.Empty(t, h.rec.got("unrouted-log"))
}

func TestReceiverReachedOnceAcrossRoutes(t *testing.T) {
	h := start(t, newRecorder(), nil)

	h.publish(t, `{"source":"ci/gates","name":"cve","severity":"critical"}`)
	h.waitDone(t, 1)

	chat := h.rec.got("chat")
	require.Len(t, chat, 1)
	require.Equal(t, "critical", chat[0].Route)
}

func TestUnroutedGoesToUnroutedReceivers(t *testing.T) {
	h := start(t, newRecorder(), nil)

	h.publish(t, `{"source":"monitor/x","name":"odd","severity":"info"}`)
	h.waitDone(t, 1)

	got := h.rec.got("unrouted-log")
	require.Len(t, got, 1)
	require.Equal(t, UnroutedRoute, got[0].Route)
}

func TestMalformedEventIsDeadLetteredAndTerminated(t *testing.T) {
	logs := &syncBuffer{}
	h := start(t, newRecorder(), func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	sub := subscribeDeadLetters(t, h.js)

	h.publish(t, `{"source":"monitor/x","severity":"info"}`)
	h.waitDone(t, 1)

	msg := nextDeadLetter(t, sub)
	require.Equal(t, SubjectDeadLetterPrefix+alert.ReasonInvalid, msg.Subject())
	require.Contains(t, msg.Headers().Get(HeaderError), "name: is required")
	require.Equal(t, "alerts.test.x", msg.Headers().Get(HeaderSubject))
	require.JSONEq(t, `{"source":"monitor/x","severity":"info"}`, string(msg.Data()))
	requireNothingPending(t, h.js)
	require.Contains(t, logs.String(), `msg="event rejected" subject=alerts.test.x stream_seq=1`,
		"the log names the stored message, so an operator can find it")
}

func TestRejectionMasksPersonalDataInLogAndDeadLetterError(t *testing.T) {
	logs := &syncBuffer{}
	h := start(t, newRecorder(), func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	sub := subscribeDeadLetters(t, h.js)
	ev := `{"source":"monitor/x","name":"n","severity":"maria.souza@example.com 529.982.247-25"}`

	h.publish(t, ev)
	h.waitDone(t, 1)

	msg := nextDeadLetter(t, sub)
	for what, text := range map[string]string{"log": logs.String(),
		"dead letter error": msg.Headers().Get(HeaderError)} {
		require.NotContains(t, text, "maria.souza", what)
		require.NotContains(t, text, "529.982.247-25", what)
		require.Contains(t, text, "[REDACTED:email]", what)
	}
	require.JSONEq(t, ev, string(msg.Data()), "the stored event stays whole, for replay")
}

func TestFailedDeliveryUsesFallbackAndDeadLetters(t *testing.T) {
	rec := newRecorder()
	rec.fail["broken"] = channels.Permanent(errors.New("channel_not_found"))
	h := start(t, rec, nil)
	sub := subscribeDeadLetters(t, h.js)

	h.publish(t, `{"source":"broken/svc","name":"x","severity":"warning"}`)
	h.waitDone(t, 1)

	require.Len(t, rec.got("backup"), 1)
	msg := nextDeadLetter(t, sub)
	require.Equal(t, SubjectDeadLetterPrefix+"delivery", msg.Subject())
	var dl DeadLetterRecord
	require.NoError(t, json.Unmarshal(msg.Data(), &dl))
	require.Equal(t, "broken", dl.Receiver)
	require.Equal(t, 1, dl.Attempts, "permanent errors are not retried")
	require.Equal(t, []string{"backup"}, dl.Fallbacks)
	require.Contains(t, dl.Error, "channel_not_found")
	requireNothingPending(t, h.js)
}

func TestShutdownFinishesInFlightDelivery(t *testing.T) {
	rec := newRecorder()
	rec.delay = 300 * time.Millisecond
	h := start(t, rec, nil)

	h.publish(t, `{"source":"ci/gates","name":"slow","severity":"info"}`)
	<-rec.started
	h.stop()

	require.Len(t, rec.got("chat"), 1, "the delivery under way finished")
	require.Equal(t, 1, h.obs.n(), "and the message was acked")
}

func subscribeDeadLetters(t *testing.T, js jetstream.JetStream) jetstream.Consumer {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, EnsureStreams(ctx, js, 1))
	c, err := js.CreateOrUpdateConsumer(ctx, StreamDeadLetter, jetstream.ConsumerConfig{
		AckPolicy: jetstream.AckNonePolicy})
	require.NoError(t, err)
	return c
}

func nextDeadLetter(t *testing.T, c jetstream.Consumer) jetstream.Msg {
	t.Helper()
	msgs, err := c.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	require.NoError(t, err)
	for m := range msgs.Messages() {
		return m
	}
	t.Fatal("no dead letter arrived")
	return nil
}

// pending returns the consumer's state, or an empty one while the router
// has not created the consumer yet.
func pending(t *testing.T, js jetstream.JetStream) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := js.Consumer(context.Background(), StreamAlerts, DefaultConsumer)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return &jetstream.ConsumerInfo{NumPending: 1}
	}
	require.NoError(t, err)
	info, err := c.Info(context.Background())
	require.NoError(t, err)
	return info
}

func requireNothingPending(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	require.Eventually(t, func() bool {
		info := pending(t, js)
		return info.NumAckPending == 0 && info.NumPending == 0 && info.NumRedelivered == 0
	}, 5*time.Second, 10*time.Millisecond)
}

func TestInterruptedMessageResumesOnAnotherWorker(t *testing.T) {
	js := newJetStream(t)
	ctx := context.Background()
	newLedger := func() Ledger {
		l, err := NewKVLedger(ctx, js, "", 1, time.Hour)
		require.NoError(t, err)
		return l
	}

	// The first worker delivers to pager at once, while chat is slow
	// and cut short by a tiny drain timeout.
	first := newRecorder()
	first.slow["chat"] = 10 * time.Second
	h1 := startOn(t, js, first, func(o *Options) {
		o.Ledger = newLedger()
		o.DrainTimeout = 50 * time.Millisecond
	})
	h1.publish(t, `{"source":"monitor/db","name":"down","severity":"critical"}`)
	require.Eventually(t, func() bool { return len(first.got("pager")) == 1 },
		5*time.Second, 5*time.Millisecond)
	h1.stop()
	require.Empty(t, first.got("chat"))
	require.Zero(t, h1.obs.n(), "the interrupted message was not acked")

	// The second worker gets the redelivery and sends only what is missing.
	second := newRecorder()
	h2 := startOn(t, js, second, func(o *Options) { o.Ledger = newLedger() })
	h2.waitDone(t, 1)

	require.Empty(t, second.got("pager"), "pager already had it")
	chat := second.got("chat")
	require.Len(t, chat, 1)
	require.Equal(t, channels.ReasonNew, chat[0].Reason, "the recorded plan, not a duplicate")
	require.Regexp(t, `^ALERTS-\d+$`, chat[0].Event.ID, "an event without id is named stably")
	requireNothingPending(t, js)
}

func TestDeadLetterReplayGoesToTheFailedReceiverOnly(t *testing.T) {
	rec := newRecorder()
	rec.fail["broken"] = channels.Permanent(errors.New("far side down"))
	h := start(t, rec, nil)
	ctx := context.Background()

	h.publish(t, `{"source":"broken/svc","name":"x","severity":"warning"}`)
	h.waitDone(t, 1)
	h.publish(t, `{"source":"monitor/x"}`)
	h.waitDone(t, 2)

	dls, err := ListDeadLetters(ctx, h.js, 0)
	require.NoError(t, err)
	require.Len(t, dls, 2)
	require.Equal(t, "delivery", dls[0].Reason)
	require.Equal(t, "broken", dls[0].Record.Receiver)
	require.Equal(t, alert.ReasonInvalid, dls[1].Reason)
	require.Equal(t, "alerts.test.x", dls[1].Subject)

	// The far side is back: replaying delivers to broken alone, once.
	rec.mu.Lock()
	delete(rec.fail, "broken")
	rec.mu.Unlock()
	_, err = ReplayDeadLetter(ctx, h.js, &dls[0])
	require.NoError(t, err)
	ack, err := ReplayDeadLetter(ctx, h.js, &dls[0])
	require.NoError(t, err)
	require.True(t, ack.Duplicate, "a second replay is stored once")
	h.waitDone(t, 3)

	got := rec.got("broken")
	require.Len(t, got, 1)
	require.Equal(t, channels.ReasonReplay, got[0].Reason)
	require.Len(t, rec.got("backup"), 1, "only the original fallback, not a second one")

	// A rejected event replays as it came and is rejected again.
	_, err = ReplayDeadLetter(ctx, h.js, &dls[1])
	require.NoError(t, err)
	h.waitDone(t, 4)
	dls, err = ListDeadLetters(ctx, h.js, 0)
	require.NoError(t, err)
	require.Len(t, dls, 3)
}

func TestWorkerCreatesDeletedConsumerAndStreamAgain(t *testing.T) {
	ctx := context.Background()
	js := newJetStream(t)
	h := startOn(t, js, newRecorder(), nil)
	ev := `{"source":"ci/gates","name":"cve","severity":"critical","dedup_key":"k%d"}`
	h.publish(t, sprintf(ev, 1))
	h.waitDone(t, 1)

	require.NoError(t, h.js.DeleteConsumer(ctx, StreamAlerts, DefaultConsumer))
	waitConsumer(t, h.js)
	h.publish(t, sprintf(ev, 2))
	h.waitDone(t, 2)

	require.NoError(t, h.js.DeleteStream(ctx, StreamAlerts))
	waitConsumer(t, h.js)
	h.publish(t, sprintf(ev, 3))
	h.waitDone(t, 3)
	require.Never(t, func() bool { return h.obs.n() > 3 }, 300*time.Millisecond,
		10*time.Millisecond, "a consumer made again replayed old events")

	h.stop()
	h = startOn(t, js, h.rec, nil)
	h.publish(t, sprintf(ev, 4))
	h.waitDone(t, 1)

	pager := h.rec.got("pager")
	require.Len(t, pager, 4, "every event delivered once, after each deletion and a restart")
	for i, n := range pager {
		require.Equal(t, sprintf("k%d", i+1), n.Key)
	}
}

func TestWorkerGivesUpWhenItsStreamCannotBeCreated(t *testing.T) {
	ctx := context.Background()
	js := newJetStream(t)
	rs, err := rules.Parse("test.yaml", []byte(testRules), rules.Options{})
	require.NoError(t, err)
	r, err := New(Options{JetStream: js, Rules: rs, Channels: newRecorder().factory,
		RecoverFor: 300 * time.Millisecond})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitConsumer(t, js)

	// Another stream takes the dead-letter subjects, so that stream cannot
	// be created again when the consumer is.
	require.NoError(t, js.DeleteStream(ctx, StreamDeadLetter))
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "SQUATTER",
		Subjects: []string{SubjectDeadLetterPrefix + ">"}})
	require.NoError(t, err)
	require.NoError(t, js.DeleteConsumer(ctx, StreamAlerts, DefaultConsumer))

	select {
	case err := <-done:
		require.ErrorContains(t, err, "could not be created again")
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not give up")
	}
}

// waitConsumer waits until the router's consumer exists.
func waitConsumer(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := js.Consumer(context.Background(), StreamAlerts, DefaultConsumer)
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "consumer not created again")
}

func TestUnfinishedResumesAtLowestOpenSequence(t *testing.T) {
	var u unfinished
	require.Equal(t, uint64(1), u.resumeAt(), "nothing seen: from the start")

	for _, seq := range []uint64{5, 6, 7} {
		u.add(seq)
	}
	u.remove(6)
	u.remove(7)
	require.Equal(t, uint64(5), u.resumeAt(), "5 was nakked or is in flight")

	u.remove(5)
	require.Equal(t, uint64(8), u.resumeAt(), "all finished: after the highest")

	u.reset()
	require.Equal(t, uint64(1), u.resumeAt())
}
