// Command alertrouter routes alert events from NATS to Slack, email,
// PagerDuty, webhooks and the console. Run `alertrouter --help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal starts the drain, restore the default
	// handling, so that a second one stops the process at once.
	context.AfterFunc(ctx, stop)
	// A console reader that goes away (| head) must not kill the worker:
	// the write fails, and the delivery is dead-lettered like any other.
	signal.Ignore(syscall.SIGPIPE)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries a specific exit code for a failure already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitBrokenPipe is the exit status of a command whose standard output
// was closed under it (| head -1): 128 + SIGPIPE, what a shell reports
// for cat or git log in the same place, so that a script with
// `set -o pipefail` treats alertrouter as it treats them. The command
// ends quietly: the reader stopped on purpose.
const exitBrokenPipe = 141

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &pipeWriter{w: stdout}
	root := newRootCmd(stdin, out, stderr)
	root.SetArgs(args)

	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if out.closed.Load() && errors.Is(err, syscall.EPIPE) {
		return exitBrokenPipe
	}
	fmt.Fprintln(stderr, "alertrouter:", err)
	return 1
}

// pipeWriter writes to standard output and notes when its reader has gone
// away, so that run tells that broken pipe from one of a connection.
type pipeWriter struct {
	w      io.Writer
	closed atomic.Bool
}

func (p *pipeWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if errors.Is(err, syscall.EPIPE) {
		p.closed.Store(true)
	}
	return n, err
}
