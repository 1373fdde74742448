package main

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/audit"
	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/router"
)

// closedPipe is a standard output whose reader has gone away.
type closedPipe struct{}

func (closedPipe) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}
}

// TestClosedStdoutEndsQuietly checks that the commands that print results
// stop quietly, with status 141, when their reader goes away (| head -1).
func TestClosedStdoutEndsQuietly(t *testing.T) {
	url := natsServer(t)
	ensureStreams(t, url)
	seedRecords(t, url)
	event := writeFile(t, "e.json", `{"source":"ci/x","name":"n","severity":"high"}`)
	tests := []struct {
		name string
		args []string
	}{
		{"audit table", []string{"audit", "--nats-url", url}},
		{"audit json", []string{"audit", "--nats-url", url, "-o", "json"}},
		{"deadletter list", []string{"deadletter", "list", "--nats-url", url}},
		{"deadletter list json", []string{"deadletter", "list", "--nats-url", url, "-o", "json"}},
		{"route text", []string{"route", "--rules", consoleRules, event}},
		{"route json", []string{"route", "--rules", consoleRules, "-o", "json", event}},
		{"check --print", []string{"check", "--print", consoleRules}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut strings.Builder
			code := run(context.Background(), tt.args, strings.NewReader(""), closedPipe{},
				&errOut)

			require.Equal(t, exitBrokenPipe, code, errOut.String())
			require.Empty(t, errOut.String())
		})
	}
}

// TestClosedStdoutPipe runs the binary with its standard output a pipe
// whose reader is closed, as `alertrouter audit | head -1` leaves it.
func TestClosedStdoutPipe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := buildBinary(t)
	url := natsServer(t)
	ensureStreams(t, url)
	seedRecords(t, url)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	require.NoError(t, r.Close())
	defer w.Close()

	cmd := exec.Command(bin, "audit", "--nats-url", url)
	cmd.Stdout = w
	var errOut strings.Builder
	cmd.Stderr = &errOut
	err = cmd.Run()

	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, exitBrokenPipe, exit.ExitCode())
	require.Empty(t, errOut.String())
}

// seedRecords stores one audit record and one dead letter.
func seedRecords(t *testing.T, url string) {
	t.Helper()
	js := natstest.JetStream(t, natstest.Dial(t, url))
	ctx := context.Background()

	rec := `{"v":1,"time":"2026-05-06T12:00:00Z","kind":"rules_reloaded","outcome":"success"}`
	_, err := js.Publish(ctx, audit.Subject(audit.KindRulesReloaded), []byte(rec))
	require.NoError(t, err)
	msg := nats.NewMsg(router.SubjectDeadLetterPrefix + "bad_json")
	msg.Header.Set(router.HeaderReason, "bad_json")
	msg.Header.Set(router.HeaderSubject, "alerts.s.info")
	msg.Data = []byte("{")
	_, err = js.PublishMsg(ctx, msg)
	require.NoError(t, err)
}
