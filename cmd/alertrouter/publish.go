package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/router"
)

// eventFlags build an event from the command line.
type eventFlags struct {
	id, source, name, severity, status string
	title, description, dedupKey       string
	compliance                         []string
	labels, annotations                map[string]string
	// given marks the fields whose flag was set, even to "": an empty id
	// or dedup key is refused, not taken as absent.
	given map[string]bool
}

func (a *app) publishCmd() *cobra.Command {
	var (
		nf      natsFlags
		ef      eventFlags
		maxSize int
	)
	cmd := &cobra.Command{
		Use:   "publish [EVENT.json...] | publish --source S --name N --severity L [flags]",
		Short: "Publish events to the ALERTS stream and wait for JetStream to store them",
		Long: "Publish events, from JSON files (- is standard input) or built from flags.\n" +
			"Each event is validated first, given an id if it has none, and published on\n" +
			"alerts.<source>.<severity> with its id as Nats-Msg-Id, so a retried publish is\n" +
			"stored once. An event larger than --max-event-size once stored, which the worker\n" +
			"would dead-letter, is refused. The command waits for JetStream's acknowledgement\n" +
			"and exits non-zero without it, so a CI step knows the alert was stored.",
		Example: "  alertrouter publish examples/events/04-database-down.json\n" +
			"  alertrouter publish --source ci/quality-gates --name coverage_below_threshold \\\n" +
			"    --severity high --label service=records-api --title 'Coverage 71% < 80%'",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := errors.Join(a.sources.replicas(nf.replicas),
				a.sources.atLeast("--max-event-size", maxSize, 1)); err != nil {
				return err
			}
			fl := cmd.Flags()
			ef.given = map[string]bool{"id": fl.Changed("event-id"),
				"dedup_key": fl.Changed("dedup-key")}
			events, err := a.collectEvents(args, &ef, fl.Changed("source") || fl.Changed("name"),
				maxSize)
			if err != nil {
				return err
			}
			return a.publish(cmd.Context(), &nf, events, maxSize)
		},
	}
	nf.register(cmd, "nats://127.0.0.1:4222")
	fl := cmd.Flags()
	fl.DurationVar(&nf.timeout, "timeout", 10*time.Second, "how long to wait for the stream's ack")
	fl.IntVar(&nf.replicas, "replicas", 1, "replicas of the streams, if publish has to create "+
		"them (3 on a cluster)")
	maxEventSizeFlag(fl, &maxSize)
	fl.StringVar(&ef.id, "event-id", "", "event id (default: a new UUID; --id is its old name)")
	renamed(cmd, "id", "event-id")
	fl.StringVar(&ef.source, "source", "", "who raised the alert, e.g. ci/quality-gates")
	fl.StringVar(&ef.name, "name", "", "what is wrong, e.g. coverage_below_threshold")
	fl.StringVar(&ef.severity, "severity", "", "critical, high, warning or info")
	fl.StringVar(&ef.status, "status", "firing", "firing or resolved")
	fl.StringVar(&ef.title, "title", "", "one-line title")
	fl.StringVar(&ef.description, "description", "", "longer description")
	fl.StringVar(&ef.dedupKey, "dedup-key", "", "dedup key (default: the fingerprint)")
	fl.StringSliceVar(&ef.compliance, "compliance", nil, "compliance regimes, e.g. LGPD,ANVISA")
	fl.StringToStringVar(&ef.labels, "label", nil, "label key=value (repeatable)")
	fl.StringToStringVar(&ef.annotations, "annotation", nil, "annotation key=value (repeatable)")
	commandLineOnly(cmd, "event-id", "source", "name", "severity", "status", "title",
		"description", "dedup-key", "compliance", "label", "annotation")
	return cmd
}

// collectEvents validates every event before anything is published, so
// that one bad file does not leave a half-published batch. An event is
// too large when its stored form is larger than maxSize, as the worker
// would find it.
func (a *app) collectEvents(args []string, ef *eventFlags, fromFlags bool,
	maxSize int) ([]*alert.Event, error) {
	if fromFlags && len(args) > 0 {
		return nil, fmt.Errorf("give either event files or --source/--name flags, not both")
	}
	if !fromFlags && len(args) == 0 {
		return nil, fmt.Errorf("nothing to publish: give event files or --source, --name " +
			"and --severity")
	}
	if fromFlags {
		ev, err := ef.event()
		if err != nil {
			return nil, err
		}
		if err := a.fits(ev, "event from flags", maxSize); err != nil {
			return nil, err
		}
		return []*alert.Event{ev}, nil
	}

	var (
		events []*alert.Event
		errs   []error
	)
	for _, path := range args {
		// The file itself may be larger or smaller than the event stored.
		ev, err := a.readEvent(path, maxEventRead)
		if err == nil {
			err = a.fits(ev, "event "+path, maxSize)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		events = append(events, ev)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%d of %d event file(s) cannot be published, so none was:\n%w",
			len(errs), len(args), errors.Join(errs...))
	}
	return events, nil
}

func (f *eventFlags) event() (*alert.Event, error) {
	raw := map[string]any{
		"source": f.source, "name": f.name, "severity": f.severity, "status": f.status,
	}
	for k, v := range map[string]string{"id": f.id, "title": f.title,
		"description": f.description, "dedup_key": f.dedupKey} {
		if v != "" || f.given[k] {
			raw[k] = v
		}
	}
	if len(f.compliance) > 0 {
		raw["compliance"] = f.compliance
	}
	if len(f.labels) > 0 {
		raw["labels"] = f.labels
	}
	if len(f.annotations) > 0 {
		raw["annotations"] = f.annotations
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}

	var d alert.Decoder
	ev, err := d.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("event from flags: %s", flagError(err))
	}
	return ev, nil
}

// flagError names the flag rather than the JSON field in a decode error.
func flagError(err error) string {
	msg := err.Error()
	for _, f := range [][2]string{{"source", "source"}, {"name", "name"},
		{"severity", "severity"}, {"status", "status"}, {"id", "event-id"},
		{"dedup_key", "dedup-key"}} {
		msg = strings.Replace(msg, ": "+f[0]+": ", ": --"+f[1]+": ", 1)
	}
	return msg
}

// fits refuses an event whose stored form is larger than maxSize bytes,
// naming it by what (its file) and its id, and the limit by its setting.
func (a *app) fits(ev *alert.Event, what string, maxSize int) error {
	d := alert.Decoder{MaxSize: maxSize}
	_, err := d.Encoded(ev)
	switch {
	case err == nil:
		return nil
	case alert.RejectReason(err) == alert.ReasonTooLarge:
		return fmt.Errorf("%s (id %s): %w (%s)", what, ev.ID, err,
			a.sources.name("--max-event-size"))
	}
	return fmt.Errorf("%s (id %s): %w", what, ev.ID, err)
}

func (a *app) publish(ctx context.Context, nf *natsFlags, events []*alert.Event,
	maxSize int) error {
	return a.withJetStream(ctx, nf, func(ctx context.Context, js jetstream.JetStream) error {
		if err := router.EnsureStreams(ctx, js, nf.replicas); err != nil {
			return err
		}
		for _, ev := range events {
			ack, err := publishEvent(ctx, js, ev, maxSize)
			if err != nil {
				return err
			}
			note := ""
			if ack.Duplicate {
				note = " (duplicate id: already stored)"
			}
			fmt.Fprintf(a.stdout, "published %s to %s (stream %s, seq %d)%s\n",
				ev.ID, ev.Subject(), ack.Stream, ack.Sequence, note)
		}
		return nil
	})
}

// publishEvent publishes ev, refusing it when it is larger than maxSize
// bytes once encoded (0: alert.DefaultMaxSize).
func publishEvent(ctx context.Context, js jetstream.JetStream, ev *alert.Event,
	maxSize int) (*jetstream.PubAck, error) {
	d := alert.Decoder{MaxSize: maxSize}
	data, err := d.Encoded(ev)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", ev.ID, err)
	}
	ack, err := js.Publish(ctx, ev.Subject(), data, jetstream.WithMsgID(ev.ID))
	if err != nil {
		return nil, fmt.Errorf("publish event %s to %s: %w", ev.ID, ev.Subject(), err)
	}
	return ack, nil
}
