package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/internal/fakeslack"
	"github.com/alertrouter/alertrouter/internal/fakesmtp"
)

const reloadRules = `
receivers:
  chat: { slack: { api_url: "%s", token: "%s", channel: "%s" } }
  mail:
    email: { host: 127.0.0.1, port: %d, from: a@example.org, to: [b@example.org], tls: none }
routes:
  - { name: all, receivers: [%s] }
`

// replaceFile swaps path's content atomically, as editors and config
// management tools do.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// reloadWorker is a worker whose rules route everything to one of two
// receivers, chat (Slack) or mail (SMTP), so that a reload shows.
type reloadWorker struct {
	bin, rulesFile, natsURL string
	slack                   *fakeslack.Server
	mail                    *fakesmtp.Server
	rulesFor                func(receiver string) string
	worker                  *worker
}

// startReloadWorker starts a worker routing to chat.
func startReloadWorker(t *testing.T) *reloadWorker {
	t.Helper()
	r := &reloadWorker{bin: buildBinary(t), slack: fakeslack.New()}
	t.Cleanup(r.slack.Close)
	mail, err := fakesmtp.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = mail.Close() })
	r.mail = mail
	r.rulesFor = func(receiver string) string {
		return fmt.Sprintf(reloadRules, r.slack.URL(), fakeslack.DefaultToken,
			fakeslack.DefaultChannel, mail.Port(), receiver)
	}

	dir := t.TempDir()
	r.rulesFile = filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.WriteFile(r.rulesFile, []byte(r.rulesFor("chat")), 0o600))
	listen := freeAddr(t)
	r.natsURL = "nats://" + listen
	r.worker = startWorker(t, r.bin, nil, "--rules", r.rulesFile, "--nats-listen", listen,
		"--data", filepath.Join(dir, "data"))
	return r
}

func TestReloadOnSIGHUPKeepsOldRulesWhenBroken(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	r := startReloadWorker(t)
	bin, slackFake, mail, rulesFor, rulesFile, w := r.bin, r.slack, r.mail, r.rulesFor,
		r.rulesFile, r.worker
	url := r.natsURL
	publish := func(title string, n int) {
		runCmd(t, bin, "publish", "--nats-url", url, "--source", "monitor/x", "--name", title,
			"--severity", "warning", "--title", title)
		waitIdle(t, url, n)
	}

	publish("before", 1)
	require.Len(t, slackFake.Messages(), 1)

	replaceFile(t, rulesFile, rulesFor("mail"))
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGHUP))
	w.waitLog(t, `msg="rules reloaded"`)
	publish("after", 2)
	require.Len(t, mail.Messages(), 1, "the new rules route to mail")
	require.Len(t, slackFake.Messages(), 1)

	replaceFile(t, rulesFile, strings.Replace(rulesFor("mail"), "[mail]", "[nobody]", 1))
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGHUP))
	log := w.waitLog(t, `msg="rules reload refused`)
	require.Regexp(t, `rules.yaml:\d+:\d+: routes\[0\]\.receivers`, log)
	publish("broken", 3)
	require.Len(t, mail.Messages(), 2, "the previous rules still route")
}

func TestReloadOnFileChange(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	r := startReloadWorker(t)
	bin, slackFake, mail, rulesFor, rulesFile, w := r.bin, r.slack, r.mail, r.rulesFor,
		r.rulesFile, r.worker

	w.waitLog(t, "watching the rules file")
	replaceFile(t, rulesFile, rulesFor("mail"))
	w.waitLog(t, `trigger="file change"`)
	runCmd(t, bin, "publish", "--nats-url", r.natsURL, "--source", "monitor/x",
		"--name", "n", "--severity", "info")
	waitIdle(t, r.natsURL, 1)
	require.Len(t, mail.Messages(), 1, "the saved file is in force without a signal")
	require.Empty(t, slackFake.Messages())
}
