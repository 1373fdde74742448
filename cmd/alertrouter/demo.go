package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/channels/console"
	"github.com/alertrouter/alertrouter/config"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/examples"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

// demoScript is the order the demo publishes the bundled events in: a
// duplicate of two of them shows suppression, and the database recovery
// comes last so that its resolve carries the suppressed count.
var demoScript = []string{
	"01-coverage-gate-failed.json",
	"02-critical-vulnerability.json",
	"03-latency-p95.json",
	"04-database-down.json",
	"01-coverage-gate-failed.json",
	"04-database-down.json",
	"06-certificate-expiring.json",
	"07-patient-cpf.json",
	"05-database-recovered.json",
}

// demoMalformed is published raw, to show a rejected event.
const demoMalformed = `{"source":"monitor/legacy","severity":"urgent"}`

func (a *app) demoCmd() *cobra.Command {
	var rulesPath string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Route the bundled example events with console channels, then exit",
		Long: "Start an embedded NATS server with JetStream in a temporary folder, load the\n" +
			"example console rules (or --rules, whose receivers all print to the console\n" +
			"instead of their channels), publish the bundled example events\n" +
			"(with duplicates, a resolution and one malformed event), and print what went\n" +
			"where and what was suppressed. Nothing leaves the machine, and the secrets\n" +
			"of --rules are not expanded, so they need not be set.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.demo(cmd.Context(), rulesPath)
		},
	}
	cmd.Flags().StringVar(&rulesPath, "rules", "",
		"rules file to use instead of the bundled examples/rules/console.yaml")
	return cmd
}

func (a *app) demo(ctx context.Context, rulesPath string) error {
	log, err := a.logger()
	if err != nil {
		return err
	}
	rs, err := demoRules(rulesPath)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "alertrouter-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	nc := config.NATS{Listen: "127.0.0.1:0", DataDir: dir, Name: "alertrouter-demo"}
	conn, err := nc.Connect(quiet(log))
	if err != nil {
		return err
	}
	defer conn.Close()
	js, err := jetstream.New(conn.Conn)
	if err != nil {
		return err
	}

	rep := newReport(a.stdout)
	r, err := router.New(router.Options{JetStream: js, Rules: rs, Workers: 1,
		Channels: consoleOnly(rep.console()),
		Observer: rep, Logger: quiet(log)})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "alertrouter demo: embedded NATS at %s, rules %s\n\n",
		conn.ConnectedUrl(), rs.File)
	return runDemo(ctx, js, r, rep)
}

func runDemo(ctx context.Context, js jetstream.JetStream, r *router.Router, rep *report) error {
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	defer func() {
		stop()
		<-done
	}()

	if err := router.EnsureStreams(ctx, js, 1); err != nil {
		return err
	}
	published, err := publishDemo(ctx, js, rep)
	if err != nil {
		return err
	}

	select {
	case <-rep.waitFor(published):
	case err := <-done:
		return fmt.Errorf("router stopped early: %w", err)
	case <-time.After(30 * time.Second):
		return errors.New("demo: events were not all processed within 30s")
	case <-ctx.Done():
		return ctx.Err()
	}
	rep.summary()
	return nil
}

// publishDemo publishes the script one event at a time, waiting for each
// to be processed so that the account reads in order.
func publishDemo(ctx context.Context, js jetstream.JetStream, rep *report) (int, error) {
	var d alert.Decoder
	for i, name := range demoScript {
		data, err := fs.ReadFile(examples.FS, path.Join("events", name))
		if err != nil {
			return i, err
		}
		ev, err := d.Decode(data)
		if err != nil {
			return i, fmt.Errorf("example %s: %w", name, err)
		}
		rep.announce(fmt.Sprintf("publish %s", name))
		if _, err := publishEvent(ctx, js, ev, 0); err != nil {
			return i, err
		}
		<-rep.waitFor(i + 1)
	}

	rep.announce("publish a malformed event (no name, severity \"urgent\")")
	if _, err := js.Publish(ctx, "alerts.monitor_legacy.unknown", []byte(demoMalformed)); err != nil {
		return 0, err
	}
	return len(demoScript) + 1, nil
}

// consoleOnly gives every receiver one console channel in place of the
// channels its rules name, so that the demo never sends anything out,
// whatever rules file it is given.
func consoleOnly(w io.Writer) router.ChannelFactory {
	return func(*rules.Receiver) ([]channels.Channel, error) {
		return []channels.Channel{console.New(w)}, nil
	}
}

// demoRules loads the rules to route by. Their secrets are not expanded,
// as by route and test: the demo sends nothing, so it needs none of them.
func demoRules(p string) (*rules.Rules, error) {
	if p != "" {
		return rules.Load(p, rules.Options{SkipSecrets: true})
	}
	data, err := fs.ReadFile(examples.FS, "rules/console.yaml")
	if err != nil {
		return nil, err
	}
	return rules.Parse("examples/rules/console.yaml", data, rules.Options{})
}

// quiet keeps the demo's output to the account: only errors of the router
// reach the log, since the account already shows rejections and retries.
func quiet(log *slog.Logger) *slog.Logger {
	if log.Enabled(context.Background(), slog.LevelDebug) {
		return log
	}
	return slog.New(levelFilter{log.Handler(), slog.LevelError})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// report prints the demo's account and counts what happened.
type report struct {
	router.NopObserver

	mu         sync.Mutex
	w          io.Writer
	processed  int
	suppressed int
	rejected   int
	unrouted   int
	byReceiver map[string]int
	changed    chan struct{}
}

func newReport(w io.Writer) *report {
	return &report{w: w, byReceiver: map[string]int{}, changed: make(chan struct{})}
}

// console returns the writer console channels print on, indented under
// the event they belong to.
func (r *report) console() io.Writer { return indent{r} }

type indent struct{ r *report }

func (i indent) Write(p []byte) (int, error) {
	i.r.mu.Lock()
	defer i.r.mu.Unlock()
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line != "" {
			fmt.Fprint(i.r.w, "      ", line)
		}
	}
	return len(p), nil
}

func (r *report) announce(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, "» %s\n", s)
}

func (r *report) Rejected(subject string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejected++
	fmt.Fprintf(r.w, "  rejected (%s): %v\n  → dead-lettered on %s%s\n", subject, err,
		router.SubjectDeadLetterPrefix, alert.RejectReason(err))
	r.bump()
}

func (r *report) Routed(ev *alert.Event, res rules.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if res.Unrouted {
		r.unrouted++
		fmt.Fprintf(r.w, "  %s (%s, %s): no route matched, unrouted receivers: %s\n",
			ev.Name, ev.Severity, ev.Status, strings.Join(res.Receivers, ", "))
		return
	}
	var names []string
	for _, rt := range res.Routes {
		names = append(names, rt.Name)
	}
	fmt.Fprintf(r.w, "  %s (%s, %s) matched %s\n", ev.Name, ev.Severity, ev.Status,
		strings.Join(names, ", "))
}

func (r *report) Suppressed(_ *alert.Event, route string, d dedup.Decision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.suppressed++
	fmt.Fprintf(r.w, "    suppressed on route %s: %s (%d held back so far)\n",
		route, d.SuppressReason, d.Suppressed)
}

func (r *report) Delivered(n channels.Notification, channel string, attempts int,
	_ time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		fmt.Fprintf(r.w, "    FAILED %s via %s after %d attempt(s): %v\n",
			n.Receiver, channel, attempts, err)
		return
	}
	r.byReceiver[n.Receiver]++
}

func (r *report) Done(*alert.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bump()
}

// bump records one processed message; callers hold mu.
func (r *report) bump() {
	r.processed++
	close(r.changed)
	r.changed = make(chan struct{})
}

// waitFor returns a channel closed once n messages are processed.
func (r *report) waitFor(n int) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		for {
			r.mu.Lock()
			got, changed := r.processed, r.changed
			r.mu.Unlock()
			if got >= n {
				close(out)
				return
			}
			<-changed
		}
	}()
	return out
}

func (r *report) summary() {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, "\nsummary: %d messages, %d rejected, %d unrouted, %d suppressed\n",
		r.processed, r.rejected, r.unrouted, r.suppressed)
	names := make([]string, 0, len(r.byReceiver))
	for n := range r.byReceiver {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(r.w, "  %-18s %d notification(s)\n", n, r.byReceiver[n])
	}
}
