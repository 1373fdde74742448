package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/internal/fakepagerduty"
	"github.com/alertrouter/alertrouter/internal/fakeslack"
	"github.com/alertrouter/alertrouter/internal/fakesmtp"
	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/router"
)

const faultRules = `
defaults: { dedup_window: 10m, repeat_interval: 4h }
receivers:
  pager: { pagerduty: { routing_key: "%s", events_url: "%s" } }
  chat: { slack: { api_url: "%s", token: "%s", channel: "%s" } }
  mail:
    email: { host: 127.0.0.1, port: %d, from: a@example.org, to: [b@example.org], tls: none }
routes:
  - { name: page, match: { severity: critical }, receivers: [pager] }
  - { name: chat, match: { severity: high }, receivers: [chat] }
  - { name: mail, receivers: [mail] }
`

// natsServer runs NATS with JetStream in the test process, so that it
// outlives the worker processes the test kills.
func natsServer(t *testing.T) string {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(t, err)
	ns.Start()
	require.True(t, ns.ReadyForConnections(10*time.Second))
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return ns.ClientURL()
}

var titleRE = regexp.MustCompile(`evt-\d{4}`)

// arrivals counts, per event title, the notifications the fakes accepted.
func arrivals(slack *fakeslack.Server, pd *fakepagerduty.Server,
	mail *fakesmtp.Server) map[string]int {
	got := map[string]int{}
	for _, m := range slack.Messages() {
		got[titleRE.FindString(m.Text)]++
	}
	for _, e := range pd.Events() {
		got[titleRE.FindString(e.Payload.Summary)]++
	}
	for _, m := range mail.Messages() {
		got[titleRE.FindString(m.Subject)]++
	}
	return got
}

func TestKillNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("kills worker processes")
	}
	const events, kills = 1000, 4
	bin := buildBinary(t)
	url := natsServer(t)
	slackFake := fakeslack.New(fakeslack.WithoutRateLimit())
	defer slackFake.Close()
	pd := fakepagerduty.New(fakepagerduty.WithoutRateLimit())
	defer pd.Close()
	mail, err := fakesmtp.New()
	require.NoError(t, err)
	defer mail.Close()

	rulesFile := filepath.Join(t.TempDir(), "rules.yaml")
	require.NoError(t, os.WriteFile(rulesFile, fmt.Appendf(nil, faultRules,
		fakepagerduty.DefaultRoutingKey, pd.URL(), slackFake.URL(), fakeslack.DefaultToken,
		fakeslack.DefaultChannel, mail.Port()), 0o600))
	args := []string{"--rules", rulesFile, "--nats-url", url, "--ack-wait", "2s",
		"--limit", "slack=off", "--limit", "pagerduty=off", "--limit", "smtp=off"}

	published := make(chan error, 1)
	go func() { published <- publishMany(url, events) }()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := range kills {
		// Kill at a random point once the new worker is making progress.
		before := total(arrivals(slackFake, pd, mail))
		w := startWorker(t, bin, nil, args...)
		target := before + 20 + rng.IntN(150)
		require.Eventually(t, func() bool {
			return total(arrivals(slackFake, pd, mail)) >= min(target, events)
		}, 30*time.Second, time.Millisecond)
		require.NoError(t, w.cmd.Process.Signal(syscall.SIGKILL))
		<-w.exited
		t.Logf("kill %d: %d notifications so far", i+1, total(arrivals(slackFake, pd, mail)))
	}
	last := startWorker(t, bin, nil, args...)
	require.NoError(t, <-published)
	waitIdle(t, url, events)
	require.NoError(t, last.cmd.Process.Signal(syscall.SIGTERM))
	<-last.exited

	got := arrivals(slackFake, pd, mail)
	var missing, doubled []string
	for i := range events {
		title := fmt.Sprintf("evt-%04d", i)
		switch n := got[title]; {
		case n == 0:
			missing = append(missing, title)
		case n > 1:
			doubled = append(doubled, fmt.Sprintf("%s×%d", title, n))
		}
	}
	t.Logf("%d events, %d kills: %d notifications, %d missing, %d doubled %v",
		events, kills, total(got), len(missing), len(doubled), doubled)
	require.Empty(t, missing, "every accepted event is notified")
	require.Empty(t, got[""], "no notification without a known event")
	// A notification is sent twice only if a worker dies after the far
	// side accepted it and before the delivery record is written: at most
	// the deliveries in flight at each kill.
	require.LessOrEqual(t, len(doubled), kills*8)
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// publishMany publishes events spread over the three severities that the
// fault rules route to the three far sides, each with its own identity.
func publishMany(url string, n int) error {
	nc, err := nats.Connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := router.EnsureStreams(ctx, js, 1); err != nil {
		return err
	}

	severities := []string{"critical", "high", "warning"}
	for i := range n {
		sev := severities[i%3]
		body := fmt.Sprintf(`{"id":"e%d","source":"fault/test","name":"n%d",`+
			`"severity":"%s","title":"evt-%04d"}`, i, i, sev, i)
		subject := "alerts.fault_test." + sev
		if _, err := js.Publish(ctx, subject, []byte(body),
			jetstream.WithMsgID(fmt.Sprintf("e%d", i))); err != nil {
			return fmt.Errorf("publish %d: %w", i, err)
		}
		if i%50 == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

func TestFlakyFarSidesDeliverEachOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	const events = 150
	bin := buildBinary(t)
	url := natsServer(t)
	// Slack: a tight rate limit (429 with Retry-After) and random 500s.
	slackFake := fakeslack.New(fakeslack.WithRateLimit(40, 5),
		fakeslack.WithFailureRate(0.2, 11))
	defer slackFake.Close()
	// PagerDuty: 429s and random 502s.
	pd := fakepagerduty.New(fakepagerduty.WithFailureRate(0.2, 12))
	defer pd.Close()
	pd.FailNext(3, 429)
	// SMTP: 451 a few times, then accepting.
	mail, err := fakesmtp.New()
	require.NoError(t, err)
	defer mail.Close()
	mail.FailNext(5, 451, smtp.EnhancedCode{4, 3, 0}, "try again later")

	rulesFile := filepath.Join(t.TempDir(), "rules.yaml")
	require.NoError(t, os.WriteFile(rulesFile, fmt.Appendf(nil, faultRules,
		fakepagerduty.DefaultRoutingKey, pd.URL(), slackFake.URL(), fakeslack.DefaultToken,
		fakeslack.DefaultChannel, mail.Port()), 0o600))
	w := startWorker(t, bin, nil, "--rules", rulesFile, "--nats-url", url,
		"--retry-attempts", "12", "--retry-initial-interval", "10ms",
		"--retry-max-interval", "1500ms", "--limit", "slack=20ms/5", "--limit", "pagerduty=off",
		"--breaker-open", "200ms")

	require.NoError(t, publishMany(url, events))
	waitIdle(t, url, events)
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
	<-w.exited

	got := arrivals(slackFake, pd, mail)
	for i := range events {
		require.Equal(t, 1, got[fmt.Sprintf("evt-%04d", i)], "evt-%04d", i)
	}

	recs := deliveryRecords(t, url)
	retried := 0
	for _, rec := range recs {
		require.Equal(t, router.OutcomeDelivered, rec.Outcome)
		if rec.Attempts > 1 {
			retried++
		}
	}
	require.Len(t, recs, events, "one delivery record per event")
	t.Logf("%d events delivered once each; %d needed retries; far sides saw "+
		"%d Slack, %d PagerDuty requests", events, retried, slackFake.Requests(), pd.Requests())
	require.Positive(t, retried, "retries are visible in the records")
}

func deliveryRecords(t *testing.T, url string) map[string]router.DeliveryRecord {
	t.Helper()
	js := natstest.JetStream(t, natstest.Dial(t, url))
	l, err := router.NewKVLedger(context.Background(), js, "", 1, 0)
	require.NoError(t, err)
	recs, err := l.Records(context.Background())
	require.NoError(t, err)
	return recs
}
