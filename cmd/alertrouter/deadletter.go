package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/router"
)

func (a *app) deadletterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deadletter",
		Short: "List and replay what the router gave up on",
		Long: "Dead letters are rejected events (bad_json, invalid, too_large) and\n" +
			"notifications whose delivery failed for good. They are kept in the\n" +
			"ALERTS_DEADLETTER stream.",
	}
	cmd.AddCommand(a.deadletterListCmd(), a.deadletterReplayCmd())
	return cmd
}

func (a *app) deadletterListCmd() *cobra.Command {
	var (
		nf     natsFlags
		limit  int
		output string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List dead letters, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.sources.output(output); err != nil {
				return err
			}
			if limit < 0 {
				return a.sources.bad("--max", limit, "want 0 or more")
			}
			return a.withJetStream(cmd.Context(), &nf, func(ctx context.Context,
				js jetstream.JetStream) error {
				dls, err := router.ListDeadLetters(ctx, js, limit)
				if err != nil {
					return err
				}
				if len(dls) == 0 && output == "json" {
					// Standard output stays empty for scripts.
					fmt.Fprintln(a.stderr, "no dead letters")
					return nil
				}
				if output == "json" {
					enc := json.NewEncoder(a.stdout)
					for _, dl := range dls {
						if err := enc.Encode(dl); err != nil {
							return err
						}
					}
					return nil
				}
				return printDeadLetters(a, dls)
			})
		},
	}
	nf.register(cmd, "nats://127.0.0.1:4222")
	cmd.Flags().DurationVar(&nf.timeout, "timeout", 10*time.Second, "how long to wait for NATS")
	cmd.Flags().IntVar(&limit, "max", 0, "show at most this many (0: all; --limit is its "+
		"old name)")
	renamed(cmd, "limit", "max")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json (one per line)")
	return cmd
}

// printDeadLetters writes the table of dead letters and returns the
// error of writing it, such as a closed pipe. Every string from the stream
// goes through printable: a rejected event's subject, or an event name
// stored before names were checked, may hold control or bidi characters.
func printDeadLetters(a *app, dls []router.DeadLetter) error {
	if len(dls) == 0 {
		_, err := fmt.Fprintln(a.stdout, "no dead letters")
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tREASON\tWHAT\tERROR")
	for _, dl := range dls {
		what := printable(dl.Subject)
		if r := dl.Record; r != nil {
			what = fmt.Sprintf("%s via %s (route %s, %d attempts): %s", printable(r.Receiver),
				printable(r.Channel), printable(r.Route), r.Attempts, printable(r.Event.Name))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", dl.Seq, dl.Time.UTC().Format(time.RFC3339),
			printable(dl.Reason), what, printable(oneLine(dl.Error, 120)))
	}
	return tw.Flush()
}

// oneLine joins the words of s with single spaces and cuts it to at most n
// bytes, at the start of a character, marking the cut with "…".
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (a *app) deadletterReplayCmd() *cobra.Command {
	var (
		nf  natsFlags
		ids []uint
		all bool
	)
	cmd := &cobra.Command{
		Use:   "replay (--id ID... | --all)",
		Short: "Send dead letters through the router again",
		Long: "Replay publishes dead letters back to the ALERTS stream. A failed delivery\n" +
			"goes again to the receiver that failed, with the rules in force now and\n" +
			"without asking dedup; a rejected event is published as it came and decoded\n" +
			"afresh. Replaying the same dead letter twice within two minutes sends it once.\n" +
			"Dead letters stay in the stream after a replay.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all == (len(ids) > 0) {
				return errors.New("give either --id (one or more) or --all")
			}
			if slices.Contains(ids, 0) {
				return a.sources.bad("--id", 0, "want 1 or more: dead letter ids are "+
					"stream sequence numbers, which start at 1 (deadletter list shows them)")
			}
			return a.withJetStream(cmd.Context(), &nf, func(ctx context.Context,
				js jetstream.JetStream) error {
				return a.replay(ctx, js, ids, all)
			})
		},
	}
	nf.register(cmd, "nats://127.0.0.1:4222")
	cmd.Flags().DurationVar(&nf.timeout, "timeout", 10*time.Second, "how long to wait for NATS")
	cmd.Flags().UintSliceVar(&ids, "id", nil, "dead letter ID(s), as deadletter list shows them")
	cmd.Flags().BoolVar(&all, "all", false, "replay every dead letter")
	commandLineOnly(cmd, "id", "all")
	return cmd
}

func (a *app) replay(ctx context.Context, js jetstream.JetStream, ids []uint, all bool) error {
	var dls []router.DeadLetter
	if all {
		var err error
		if dls, err = router.ListDeadLetters(ctx, js, 0); err != nil {
			return err
		}
	}
	byID, err := getDeadLetters(ctx, js, ids)
	if err != nil {
		return err
	}
	dls = append(dls, byID...)

	for _, dl := range dls {
		ack, err := router.ReplayDeadLetter(ctx, js, &dl)
		if err != nil {
			return err
		}
		note := ""
		if ack.Duplicate {
			note = " (already replayed in the last two minutes)"
		}
		fmt.Fprintf(a.stdout, "replayed dead letter %d as %s seq %d%s\n", dl.Seq, ack.Stream,
			ack.Sequence, note)
	}
	if len(dls) == 0 {
		fmt.Fprintln(a.stdout, "no dead letters to replay")
	}
	return nil
}

// getDeadLetters reads the dead letters of ids, and fails naming every id
// that has none, so that nothing is replayed unless all are there.
func getDeadLetters(ctx context.Context, js jetstream.JetStream,
	ids []uint) ([]router.DeadLetter, error) {
	var (
		dls     []router.DeadLetter
		missing []string
	)
	for _, id := range ids {
		dl, err := router.GetDeadLetter(ctx, js, uint64(id))
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
			missing = append(missing, strconv.FormatUint(uint64(id), 10))
			continue
		case err != nil:
			return nil, err
		}
		dls = append(dls, *dl)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no dead-letter message with id %s (deadletter list shows "+
			"the ids); nothing was replayed", strings.Join(missing, ", "))
	}
	return dls, nil
}

// withJetStream connects to the NATS of --nats-url and runs f with a
// deadline of --timeout.
func (a *app) withJetStream(ctx context.Context, nf *natsFlags,
	f func(context.Context, jetstream.JetStream) error) error {
	log, err := a.logger()
	if err != nil {
		return err
	}
	nf.cfg.URL = strings.TrimSpace(nf.cfg.URL)
	if nf.cfg.URL == "" {
		return fmt.Errorf("%s is empty: give the NATS server alertrouter run uses",
			a.sources.name("--nats-url"))
	}
	if err := a.sources.positive("--timeout", nf.timeout); err != nil {
		return err
	}
	conn, err := a.connect(nf.cfg, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	js, err := jetstream.New(conn.Conn)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, nf.timeout)
	defer cancel()
	return f(ctx, js)
}
