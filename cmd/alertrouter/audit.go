package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/audit"
	"github.com/alertrouter/alertrouter/metrics"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

// auditFlushTimeout bounds how long shutdown waits for audit acks.
const auditFlushTimeout = 5 * time.Second

// auditRunFlags are the worker's audit trail settings.
type auditRunFlags struct {
	enabled   bool
	retention time.Duration
}

func (f *auditRunFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.enabled, "audit", true, "record every event's life and every rules "+
		"reload in stream "+audit.StreamName)
	fl.DurationVar(&f.retention, "audit-retention", audit.DefaultRetention,
		"how long audit records are kept (9600h is 400 days)")
}

// start creates the audit stream and an auditor, or returns nil when the
// audit trail is turned off.
func (f *auditRunFlags) start(ctx context.Context, nc *nats.Conn, js jetstream.JetStream,
	replicas int, log *slog.Logger) (*audit.Auditor, error) {
	if !f.enabled {
		log.Warn("audit trail is off (--audit=false)")
		return nil, nil
	}
	if err := audit.EnsureStream(ctx, js, f.retention, replicas); err != nil {
		return nil, err
	}
	return audit.New(nc, audit.Options{Logger: log, Worker: workerName()})
}

// stopAuditor waits a little for the audit records still in flight.
func stopAuditor(ctx context.Context, aud *audit.Auditor, log *slog.Logger) {
	if aud == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditFlushTimeout)
	defer cancel()
	if err := aud.Close(ctx); err != nil {
		log.Error("audit records may be lost", "err", err)
	}
}

// observer is what the router reports to: metrics, and the audit trail
// when it is on, which also records the rules in force at start.
func observer(m *metrics.Metrics, aud *audit.Auditor, rs *rules.Rules) router.Observer {
	if aud == nil {
		return m
	}
	aud.RulesReloaded(rs.File, rs, "start", nil)
	return router.Observers(m, aud)
}

// reloaded tells metrics and the audit trail about a rules reload.
func reloaded(m *metrics.Metrics, aud *audit.Auditor) func(string, *rules.Rules, string,
	error) {
	return func(file string, rs *rules.Rules, trigger string, err error) {
		m.RulesReloaded(rs, err)
		if aud != nil {
			aud.RulesReloaded(file, rs, trigger, err)
		}
	}
}

// workerName names this process in audit records: host:pid.
func workerName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return host + ":" + strconv.Itoa(os.Getpid())
}

// noAuditTrail is what audit says of a NATS server without the audit
// stream, rather than JetStream's "stream not found".
func noAuditTrail(src sources) error {
	return fmt.Errorf("no audit trail on this server yet: alertrouter run creates stream "+
		"%s when it starts with --audit (the default); check that %s is the server "+
		"the worker uses", audit.StreamName, src.name("--nats-url"))
}

// auditReadFlags are the settings of `alertrouter audit`.
type auditReadFlags struct {
	nats         natsFlags
	filter       audit.Filter
	since, until string
	output       string
}

func (a *app) auditCmd() *cobra.Command {
	var f auditReadFlags
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read the audit trail: what happened to events, and rules reloads",
		Long: "Audit reads records from the " + audit.StreamName + " stream, oldest first, up to\n" +
			"the last one stored when it starts. Filters combine: --key K --kind delivered\n" +
			"shows the deliveries of one alert. --since and --until take a duration back\n" +
			"from now (1h, 30m) or an RFC 3339 time. Records never hold alert text.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.parse(a.sources, time.Now()); err != nil {
				return err
			}
			return a.withJetStream(cmd.Context(), &f.nats, func(ctx context.Context,
				js jetstream.JetStream) error {
				recs, err := audit.Read(ctx, js, f.filter)
				if errors.Is(err, audit.ErrNoStream) {
					return noAuditTrail(a.sources)
				}
				if err != nil {
					return err
				}
				return a.printAudit(recs, f.output)
			})
		},
	}
	f.nats.register(cmd, "nats://127.0.0.1:4222")
	fl := cmd.Flags()
	fl.DurationVar(&f.nats.timeout, "timeout", 30*time.Second, "how long reading may take")
	fl.StringVar(&f.filter.EventID, "event-id", "", "only this event id")
	fl.StringVar(&f.filter.Key, "key", "", "only this dedup key (dedup_key or fingerprint)")
	fl.StringVar(&f.filter.Route, "route", "", "only records about this route")
	fl.StringVar(&f.filter.Receiver, "receiver", "", "only records about this receiver")
	fl.StringVar(&f.filter.Outcome, "outcome", "", "only this outcome: "+
		strings.Join(audit.Outcomes(), ", "))
	fl.StringVar(&f.filter.Kind, "kind", "", "only this kind: "+
		strings.Join(audit.Kinds(), ", "))
	fl.StringVar(&f.since, "since", "", "from this time: a duration ago (1h) or RFC 3339")
	fl.StringVar(&f.until, "until", "", "up to this time: a duration ago (1h) or RFC 3339")
	fl.IntVar(&f.filter.Limit, "max", 0, "show at most this many, oldest first (0: all; "+
		"--limit is its old name)")
	renamed(cmd, "limit", "max")
	fl.StringVarP(&f.output, "output", "o", "text", "text (a table) or json (one record "+
		"per line)")
	commandLineOnly(cmd, "event-id", "key", "route", "receiver", "outcome", "kind", "since",
		"until")
	return cmd
}

// parse checks the output format and the filters, and turns --since and
// --until into times, refusing a range that ends before it starts. The
// output formats are those of route and deadletter list, so that one
// $ALERTROUTER_OUTPUT serves them all; table, the old name of text, is
// still taken.
func (f *auditReadFlags) parse(src sources, now time.Time) error {
	if f.output == "table" {
		f.output = "text"
	}
	if err := src.output(f.output); err != nil {
		return err
	}
	if f.filter.Limit < 0 {
		return src.bad("--max", f.filter.Limit, "want 0 or more")
	}
	if err := src.oneOf("--kind", f.filter.Kind, audit.Kinds()); err != nil {
		return err
	}
	if err := src.oneOf("--outcome", f.filter.Outcome, audit.Outcomes()); err != nil {
		return err
	}
	var err error
	if f.filter.Since, err = parseWhen(src, "--since", f.since, now); err != nil {
		return err
	}
	if f.filter.Until, err = parseWhen(src, "--until", f.until, now); err != nil {
		return err
	}
	if since, until := f.filter.Since, f.filter.Until; !until.IsZero() && since.After(until) {
		return src.bad("--since", when(f.since, since), "later than %s %s, so nothing can "+
			"match: want --since before --until", src.name("--until"), when(f.until, until))
	}
	return nil
}

// when shows a time as given (s) and, when s is a duration, as the time
// it stands for.
func when(s string, t time.Time) string {
	at := t.UTC().Format(time.RFC3339)
	if s == at {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%q (%s)", s, at)
}

// parseWhen reads a duration back from now or an RFC 3339 time; empty is
// the zero time. A negative duration would be in the future: it is
// refused, not read as its opposite.
func parseWhen(src sources, flag, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, src.bad(flag, strconv.Quote(s), "want how long ago, such as "+
				"%s, not a negative duration", -d)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, src.bad(flag, strconv.Quote(s),
			"want a duration (1h) or an RFC 3339 time")
	}
	return t, nil
}

// printAudit writes the records as a table or as JSON lines. When there
// are none, the table says so, and JSON output, which stays empty for
// scripts, says so on standard error. The table writes every string of a
// record through printable: an old record may hold an event id with a
// newline, which would forge a row, or a control or bidi character.
func (a *app) printAudit(recs []audit.Record, output string) error {
	if len(recs) == 0 && output == "json" {
		fmt.Fprintln(a.stderr, "no audit records match")
		return nil
	}
	if output == "json" {
		enc := json.NewEncoder(a.stdout)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}

	if len(recs) == 0 {
		_, err := fmt.Fprintln(a.stdout, "no audit records match")
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tKIND\tEVENT\tROUTE\tRECEIVER/CHANNEL\tOUTCOME\tDETAIL")
	for _, r := range recs {
		route := r.Route
		if route == "" {
			route = strings.Join(r.Routes, ",")
		}
		target := r.Receiver
		if r.Channel != "" {
			target += "/" + r.Channel
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Time.UTC().Format(time.RFC3339), printable(r.Kind), dash(printable(r.EventID)),
			dash(printable(route)), dash(printable(target)), dash(printable(r.Outcome)),
			dash(oneLine(auditDetail(r), 120)))
	}
	return tw.Flush()
}

// auditDetail is the rest of a record in a few words, each value through
// printable.
func auditDetail(r audit.Record) string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+"="+printable(v))
		}
	}
	add("key", r.Key)
	add("reason", r.Reason)
	if r.Attempt > 0 {
		add("attempt", strconv.Itoa(r.Attempt))
	}
	add("trigger", r.Trigger)
	add("rules", r.RulesFile)
	if len(r.RulesHash) > 12 {
		r.RulesHash = r.RulesHash[:12]
	}
	add("hash", r.RulesHash)
	add("error", r.Error)
	return strings.Join(parts, " ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
