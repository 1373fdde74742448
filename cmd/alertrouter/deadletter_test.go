package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/internal/fakeslack"
	"github.com/alertrouter/alertrouter/internal/fakesmtp"
	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/router"
)

const downRules = `
receivers:
  chat:
    slack: { api_url: "%s", token: "%s", channel: "%s" }
    fallback: [mail]
  mail:
    email: { host: 127.0.0.1, port: %d, from: a@example.org, to: [b@example.org], tls: none }
routes:
  - { name: all, receivers: [chat] }
`

func runCmd(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	require.NoError(t, err, "%v: %s", args, out)
	return string(out)
}

func TestFarSideDownThenReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := buildBinary(t)
	slackFake := fakeslack.New()
	defer slackFake.Close()
	mail, err := fakesmtp.New()
	require.NoError(t, err)
	defer mail.Close()

	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.WriteFile(rulesFile, fmt.Appendf(nil, downRules, slackFake.URL(),
		fakeslack.DefaultToken, fakeslack.DefaultChannel, mail.Port()), 0o600))
	listen := freeAddr(t)
	url := "nats://" + listen
	startWorker(t, bin, nil, "--rules", rulesFile, "--nats-listen", listen,
		"--data", filepath.Join(dir, "data"), "--retry-attempts", "2",
		"--retry-initial-interval", "10ms")

	// Slack is down: both attempts fail, the fallback gets the alert, a
	// dead letter is written and the message is acked.
	slackFake.FailNext(2, 503, 0)
	runCmd(t, bin, "publish", "--nats-url", url, "--source", "monitor/x", "--name", "down",
		"--severity", "critical", "--title", "evt-down")
	waitIdle(t, url, 1)
	require.Empty(t, slackFake.Messages())
	msgs, err := mail.WaitFor(1, 5*time.Second)
	require.NoError(t, err)
	require.Contains(t, msgs[0].Subject, "evt-down")

	list := runCmd(t, bin, "deadletter", "list", "--nats-url", url)
	require.Contains(t, list, "delivery")
	require.Contains(t, list, "chat via slack (route all, 2 attempts)")
	id := strings.Fields(strings.Split(list, "\n")[1])[0]

	// Slack is back: the replay reaches Slack, and only Slack.
	out := runCmd(t, bin, "deadletter", "replay", "--nats-url", url, "--id", id)
	require.Contains(t, out, "replayed dead letter "+id)
	waitIdle(t, url, 2)
	got := slackFake.Messages()
	require.Len(t, got, 1)
	require.Contains(t, got[0].Text, "evt-down")
	require.Len(t, mail.Messages(), 1, "the fallback is not used again")
}

func TestDeadletterListSaysWhenEmpty(t *testing.T) {
	url := natsServer(t)
	ensureStreams(t, url)
	tests := []struct {
		name        string
		args        []string
		out, errOut string
	}{
		{"text", nil, "no dead letters", ""},
		{"json", []string{"-o", "json"}, "", "no dead letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"deadletter", "list", "--nats-url", url}, tt.args...)
			code, out, errOut := runCLI(t, "", args...)
			require.Equal(t, 0, code, errOut)
			require.Equal(t, tt.out, strings.TrimSpace(out))
			require.Contains(t, errOut, tt.errOut)
		})
	}
}

func TestReplayNamesMissingIDs(t *testing.T) {
	url := natsServer(t)
	t.Run("no dead-letter stream", func(t *testing.T) {
		code, _, errOut := runCLI(t, "", "deadletter", "replay", "--nats-url", url,
			"--id", "99")
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "no dead-letter message with id 99")
	})

	ensureStreams(t, url)
	js := natstest.JetStream(t, natstest.Dial(t, url))
	msg := nats.NewMsg(router.SubjectDeadLetterPrefix + "bad_json")
	msg.Header.Set(router.HeaderReason, "bad_json")
	msg.Header.Set(router.HeaderSubject, "alerts.s.info")
	msg.Data = []byte("{")
	_, err := js.PublishMsg(context.Background(), msg)
	require.NoError(t, err)

	t.Run("two of three missing", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", "deadletter", "replay", "--nats-url", url,
			"--id", "1", "--id", "99", "--id", "7")
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "no dead-letter message with id 99, 7")
		require.NotContains(t, errOut, "404")
		require.Empty(t, out, "nothing replayed")
	})

	t.Run("present", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", "deadletter", "replay", "--nats-url", url,
			"--id", "1")
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "replayed dead letter 1")
	})
}

// TestReplayRefusesIDZero checks that an id no dead letter can have is
// refused before connecting, not passed to JetStream.
func TestReplayRefusesIDZero(t *testing.T) {
	url := natsServer(t)
	ensureStreams(t, url)

	code, out, errOut := runCLI(t, "", "deadletter", "replay", "--nats-url", url,
		"--id", "3", "--id", "0")

	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "--id 0: want 1 or more")
	require.NotContains(t, errOut, "API error")
}

// TestDeadletterListEscapes checks that the table shows a dead letter's
// control and bidi characters as escapes, never raw.
func TestDeadletterListEscapes(t *testing.T) {
	url := natsServer(t)
	ensureStreams(t, url)
	js := natstest.JetStream(t, natstest.Dial(t, url))
	msg := nats.NewMsg(router.SubjectDeadLetterPrefix + "bad_json")
	msg.Header.Set(router.HeaderReason, "bad_json")
	msg.Header.Set(router.HeaderSubject, "alerts.\x1b[2J\u202e.info")
	msg.Header.Set(router.HeaderError, "bad_json: \x1b[31mred")
	msg.Data = []byte("{")
	_, err := js.PublishMsg(context.Background(), msg)
	require.NoError(t, err)

	code, out, errOut := runCLI(t, "", "deadletter", "list", "--nats-url", url)

	require.Equal(t, 0, code, errOut)
	for _, r := range out {
		require.True(t, r == '\n' || unicode.IsPrint(r), "%U printed raw in:\n%s", r, out)
	}
	require.Contains(t, out, `"alerts.\x1b[2J\u202e.info"`)
	require.Contains(t, out, `"bad_json: \x1b[31mred"`)
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "a\n  b", 10, "a b"},
		{"cut", "abcdef", 3, "abc…"},
		{"cut inside a character", "aé", 2, "a…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, oneLine(tt.in, tt.n))
		})
	}
}
