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

func TestReloadOnSIGHUPKeepsOldRulesWhenBroken(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := buildBinary(t)
	slackFake := fakeslack.New()
	defer slackFake.Close()
	mail, err := fakesmtp.New()
	require.NoError(t, err)
	defer mail.Close()
	rulesFor := func(receiver string) string {
		return fmt.Sprintf(reloadRules, slackFake.URL(), fakeslack.DefaultToken,
			fakeslack.DefaultChannel, mail.Port(), receiver)
	}

	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.WriteFile(rulesFile, []byte(rulesFor("chat")), 0o600))
	listen := freeAddr(t)
	url := "nats://" + listen
	w := startWorker(t, bin, nil, "--rules", rulesFile, "--nats-listen", listen,
		"--data", filepath.Join(dir, "data"))
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
	bin := buildBinary(t)
	slackFake := fakeslack.New()
	defer slackFake.Close()
	mail, err := fakesmtp.New()
	require.NoError(t, err)
	defer mail.Close()
	rulesFor := func(receiver string) string {
		return fmt.Sprintf(reloadRules, slackFake.URL(), fakeslack.DefaultToken,
			fakeslack.DefaultChannel, mail.Port(), receiver)
	}

	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.WriteFile(rulesFile, []byte(rulesFor("chat")), 0o600))
	listen := freeAddr(t)
	w := startWorker(t, bin, nil, "--rules", rulesFile, "--nats-listen", listen,
		"--data", filepath.Join(dir, "data"))

	w.waitLog(t, "watching the rules file")
	replaceFile(t, rulesFile, rulesFor("mail"))
	w.waitLog(t, `trigger="file change"`)
	runCmd(t, bin, "publish", "--nats-url", "nats://"+listen, "--source", "monitor/x",
		"--name", "n", "--severity", "info")
	waitIdle(t, "nats://"+listen, 1)
	require.Len(t, mail.Messages(), 1, "the saved file is in force without a signal")
	require.Empty(t, slackFake.Messages())
}
