package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/internal/fakepagerduty"
	"github.com/alertrouter/alertrouter/internal/fakeslack"
	"github.com/alertrouter/alertrouter/internal/fakesmtp"
	"github.com/alertrouter/alertrouter/router"
)

const e2eRules = `
defaults: { dedup_window: 10m, repeat_interval: 4h }
receivers:
  oncall:
    pagerduty: { routing_key: "${E2E_PD_KEY}", events_url: "%s" }
  eng-chat:
    slack: { api_url: "%s", token: "${E2E_SLACK_TOKEN}", channel: "%s" }
  privacy-office:
    email:
      host: 127.0.0.1
      port: %d
      from: alertrouter@example.org
      to: [privacy@example.org]
      username: router
      password: "${E2E_SMTP_PASSWORD}"
      tls: none
routes:
  - name: critical-page
    match: { severity: critical }
    receivers: [oncall]
    continue: true
  - name: patient-data
    match: { compliance: [LGPD, ANVISA] }
    receivers: [privacy-office]
    continue: true
  - name: ci-gates
    match: { source: "ci/*" }
    receivers: [eng-chat]
`

// binary is the alertrouter executable the process tests run, built once
// into a folder that TestMain removes.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain runs the tests, then removes the binary built for them.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		_ = os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// buildBinary compiles alertrouter once for the end-to-end tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "alertrouter-bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.dir, binary.path = dir, filepath.Join(dir, "alertrouter")
		out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, binary.err)
	return binary.path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// worker is an `alertrouter run` process.
type worker struct {
	cmd    *exec.Cmd
	stderr *logBuffer
	exited chan error
}

// logBuffer collects a process's log lines; safe to read while it runs.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(line + "\n")
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits until the worker has logged a line containing s, and
// returns the whole log.
func (w *worker) waitLog(t *testing.T, s string) string {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(w.stderr.String(), s) },
		10*time.Second, 10*time.Millisecond, "no log line with %q:\n%s", s, w.stderr)
	return w.stderr.String()
}

func startWorker(t *testing.T, bin string, env []string, args ...string) *worker {
	t.Helper()
	if !slices.Contains(args, "--http") {
		args = append(args, "--http", "127.0.0.1:0")
	}
	cmd := exec.Command(bin, append([]string{"run"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	w := &worker{cmd: cmd, stderr: &logBuffer{}, exited: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			w.stderr.add(sc.Text())
			if strings.Contains(sc.Text(), "router running") {
				close(ready)
			}
		}
		w.exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	select {
	case <-ready:
	case err := <-w.exited:
		t.Fatalf("worker exited early: %v\n%s", err, w.stderr)
	case <-time.After(20 * time.Second):
		t.Fatalf("worker not ready after 20s:\n%s", w.stderr)
	}
	return w
}

func publishFile(t *testing.T, bin, natsURL string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"publish", "--nats-url", natsURL}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "publish %v: %s", args, out)
	return string(out)
}

// waitIdle waits until the worker has acked every published message.
func waitIdle(t *testing.T, natsURL string, published int) {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)

	require.Eventually(t, func() bool {
		c, err := js.Consumer(context.Background(), router.StreamAlerts, router.DefaultConsumer)
		if err != nil {
			return false
		}
		info, err := c.Info(context.Background())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0 &&
			info.AckFloor.Stream >= uint64(published)
	}, 30*time.Second, 20*time.Millisecond)
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	slackFake := fakeslack.New()
	defer slackFake.Close()
	pd := fakepagerduty.New()
	defer pd.Close()
	smtpFake, err := fakesmtp.New(fakesmtp.WithAuth("router", "s3cret-pw"))
	require.NoError(t, err)
	defer smtpFake.Close()

	// Each far side fails once first; the worker must retry through it.
	slackFake.FailNext(1, 429, 1)
	pd.FailNext(1, 502)
	smtpFake.FailNext(1, 451, smtp.EnhancedCode{4, 3, 0}, "try again later")

	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.WriteFile(rulesFile, fmt.Appendf(nil, e2eRules, pd.URL(),
		slackFake.URL(), fakeslack.DefaultChannel, smtpFake.Port()), 0o600))
	env := []string{"E2E_PD_KEY=" + fakepagerduty.DefaultRoutingKey,
		"E2E_SLACK_TOKEN=" + fakeslack.DefaultToken, "E2E_SMTP_PASSWORD=s3cret-pw"}

	listen := freeAddr(t)
	natsURL := "nats://" + listen
	w := startWorker(t, bin, env, "--rules", rulesFile, "--nats-listen", listen,
		"--data", filepath.Join(dir, "data"))

	ev := func(name string) string { return filepath.Join("..", "..", "examples", "events", name) }
	publishFile(t, bin, natsURL, ev("01-coverage-gate-failed.json"))
	publishFile(t, bin, natsURL, ev("02-critical-vulnerability.json"))
	publishFile(t, bin, natsURL, ev("04-database-down.json"))
	waitIdle(t, natsURL, 3)
	publishFile(t, bin, natsURL, ev("04-database-down.json"))
	waitIdle(t, natsURL, 4)
	publishFile(t, bin, natsURL, ev("05-database-recovered.json"))
	publishFile(t, bin, natsURL, "--source", "monitor/certs", "--name", "certificate_expiring",
		"--severity", "warning", "--label", "service=portal")
	waitIdle(t, natsURL, 6)

	t.Run("slack got the two CI events", func(t *testing.T) {
		msgs := slackFake.Messages()
		require.Len(t, msgs, 2)
		require.Contains(t, msgs[0].Text+msgs[1].Text, "Coverage gate failed")
		require.Contains(t, msgs[0].Text+msgs[1].Text, "CVE-2026-31337")
	})

	t.Run("pagerduty got triggers and one resolve with the same key", func(t *testing.T) {
		var actions []string
		for _, e := range pd.Events() {
			actions = append(actions, e.Action+" "+e.DedupKey[:min(len(e.DedupKey), 23)])
		}
		require.Len(t, actions, 3, "%v", actions)
		require.Contains(t, actions, "trigger records-db/primary-down")
		require.Equal(t, "resolve records-db/primary-down", actions[2])
		require.False(t, pd.Open(fakepagerduty.DefaultRoutingKey, "records-db/primary-down"))
	})

	t.Run("email got the compliance events, duplicate suppressed", func(t *testing.T) {
		msgs := smtpFake.Messages()
		var subjects []string
		for _, m := range msgs {
			subjects = append(subjects, m.Subject)
			require.Equal(t, "router", m.AuthUser)
			require.Equal(t, []string{"privacy@example.org"}, m.To)
		}
		require.Len(t, subjects, 3, "%v", subjects)
		require.Contains(t, strings.Join(subjects, "|"), "RESOLVED")
	})

	require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-w.exited:
		require.NoError(t, err, "worker exits 0 on SIGTERM:\n%s", w.stderr)
	case <-time.After(20 * time.Second):
		t.Fatal("worker did not stop within 20s of SIGTERM")
	}
	log := w.stderr.String()
	require.NotContains(t, log, "s3cret-pw", "secrets never reach the log")
	for _, ch := range []string{"slack", "pagerduty", "email"} {
		require.Regexp(t, `msg="delivery failed, retrying".*channel=`+ch, log,
			"the %s failure was retried", ch)
	}
}
