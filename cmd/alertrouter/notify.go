package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

// notifyAttempts bounds the tries of each test notification: one retry
// shows whether a failure is passing, without keeping the operator long.
const notifyAttempts = 2

// notifyRoute is the route name test notifications carry.
const notifyRoute = "(notify)"

func (a *app) notifyCmd() *cobra.Command {
	var rulesPath, receiver string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "notify --rules FILE --receiver NAME",
		Short: "Send a test notification through every channel of a receiver",
		Long: "Send one clearly marked test notification (reason \"test\", severity info,\n" +
			"label test=true) through every channel of the receiver, directly, without\n" +
			"NATS, dedup or routing, with at most " + fmt.Sprint(notifyAttempts) +
			" attempts per channel. Secrets are expanded, as\n" +
			"by run (every secret of the file must be set), so this proves the real\n" +
			"credentials. Prints each channel's outcome and exits 1 if any failed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rulesPath == "" {
				return errRulesRequired
			}
			if receiver == "" {
				return fmt.Errorf("--receiver is required")
			}
			if err := a.sources.positive("--timeout", timeout); err != nil {
				return err
			}
			log, err := a.logger()
			if err != nil {
				return err
			}

			rs, err := rules.Load(rulesPath, rules.Options{})
			if err != nil {
				return fmt.Errorf("load rules: %w", err)
			}
			rcv, ok := rs.Receivers[receiver]
			if !ok {
				return fmt.Errorf("unknown receiver %q in %s (known: %s)", receiver, rulesPath,
					strings.Join(rs.ReceiverNames(), ", "))
			}
			chs, err := router.Adapters(router.AdapterOptions{Console: a.stdout})(rcv)
			if err != nil {
				return fmt.Errorf("receiver %s: %w", receiver, err)
			}
			if len(chs) == 0 {
				return fmt.Errorf("receiver %s has no channels", receiver)
			}

			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			n := testNotification(receiver, time.Now())
			failed := sendAll(ctx, a.stdout, log.With("receiver", receiver), chs, n)
			if failed > 0 {
				fmt.Fprintf(a.stderr, "receiver %s: %d of %d channel(s) failed\n", receiver,
					failed, len(chs))
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rulesPath, "rules", "", "rules file (required)")
	cmd.Flags().StringVar(&receiver, "receiver", "", "receiver to test (required)")
	commandLineOnly(cmd, "receiver")
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute,
		"give up on the channels still sending after this long")
	return cmd
}

// testNotification is the marked notification sent to receiver at now.
func testNotification(receiver string, now time.Time) channels.Notification {
	ev := &alert.Event{
		ID:       uuid.NewString(),
		Source:   "alertrouter/notify",
		Name:     "test_notification",
		Severity: alert.SeverityInfo,
		Status:   alert.StatusFiring,
		Title:    "alertrouter test notification — ignore",
		Description: fmt.Sprintf("Sent by %s on %s at %s with `alertrouter notify` to check "+
			"that receiver %s is reachable. No action is needed.",
			operator(), hostname(), now.UTC().Format(time.RFC3339), receiver),
		Labels:     map[string]string{"test": "true"},
		OccurredAt: now,
	}
	return channels.Notification{Event: ev, Route: notifyRoute, Receiver: receiver,
		Key: ev.Key(), Reason: channels.ReasonTest}
}

// sendAll sends n through each channel in turn, prints one line per
// channel, and returns how many failed.
func sendAll(ctx context.Context, w io.Writer, log *slog.Logger, chs []channels.Channel,
	n channels.Notification) int {
	names := channelLabels(chs)
	failed := 0
	for i, ch := range chs {
		policy := channels.DefaultRetryPolicy
		policy.MaxAttempts = notifyAttempts
		policy.OnRetry = func(attempt int, err error, wait time.Duration) {
			log.Warn("test notification failed, retrying", "channel", names[i],
				"attempt", attempt, "wait", wait, "err", err)
		}

		attempts, err := policy.Deliver(ctx, ch, n)
		if err == nil {
			fmt.Fprintf(w, "%s: ok (%s)\n", names[i], plural(attempts, "attempt"))
			continue
		}
		failed++
		class := "permanent"
		if channels.IsRetryable(err) {
			class = "temporary, " + plural(attempts, "attempt")
		}
		fmt.Fprintf(w, "%s: FAILED: %v (%s)\n", names[i], err, class)
	}
	return failed
}

// channelLabels names each channel by its kind, with an index when the
// receiver has several of one kind: slack, email[0], email[1].
func channelLabels(chs []channels.Channel) []string {
	count := map[string]int{}
	for _, ch := range chs {
		count[ch.Name()]++
	}

	seen := map[string]int{}
	out := make([]string, len(chs))
	for i, ch := range chs {
		out[i] = ch.Name()
		if count[ch.Name()] > 1 {
			out[i] = fmt.Sprintf("%s[%d]", ch.Name(), seen[ch.Name()])
		}
		seen[ch.Name()]++
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// operator names who sent the test, for the far side's readers.
func operator() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if name := os.Getenv("USER"); name != "" {
		return name
	}
	return "an operator"
}

func hostname() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "an unknown host"
}
