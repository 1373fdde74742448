// Package console prints notifications as readable lines, for the quick
// start and for debugging a rules file. Each notification is one line:
//
//	12:00:01 → eng-chat via route ci-gates: [FIRING] [high] Coverage below 80%
//	(ci/quality-gates coverage_below_threshold) key=ab12cd34… (3 suppressed)
//
// (shown wrapped here; it is written as one line). Alert text is cleaned
// of control characters and terminal escape sequences first, so an alert
// cannot move the cursor, recolour or clear an operator's terminal.
package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alertrouter/alertrouter/channels"
)

// keyShown is how many characters of each end of a long dedup key are
// printed: keys that share a prefix (every Alertmanager key starts with
// the receiver's name) still look different.
const keyShown = 8

// Notifier writes notifications to an io.Writer. It is safe for
// concurrent use: each notification is one Write, under a lock, so lines
// from concurrent deliveries never interleave.
type Notifier struct {
	mu sync.Mutex
	w  io.Writer
}

var _ channels.Channel = (*Notifier)(nil)

// New returns a Notifier writing to w, or to standard output if w is nil.
func New(w io.Writer) *Notifier {
	if w == nil {
		w = os.Stdout
	}
	return &Notifier{w: w}
}

// Name returns "console".
func (n *Notifier) Name() string { return "console" }

// Send writes one line. A failed write is permanent: retrying a broken
// terminal or pipe does not help.
func (n *Notifier) Send(ctx context.Context, nt channels.Notification) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	if nt.Event == nil {
		return channels.Permanent(errors.New("console: notification has no event"))
	}

	line := Format(nt)

	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.w, line); err != nil {
		return channels.Permanent(fmt.Errorf("console: write: %w", err))
	}
	return nil
}

// Format renders the line Send writes, newline included. The time is the
// event's occurred_at, in the zone it was given in, so the output depends
// on the notification only.
func Format(nt channels.Notification) string {
	ev := nt.Event
	var b strings.Builder

	if !ev.OccurredAt.IsZero() {
		b.WriteString(ev.OccurredAt.Format("15:04:05 "))
	}
	fmt.Fprintf(&b, "→ %s via route %s: %s (%s %s)",
		clean(nt.Receiver), clean(nt.Route), clean(nt.Headline()),
		clean(ev.Source), clean(ev.Name))

	if key := clean(nt.Key); key != "" {
		b.WriteString(" key=" + shorten(key))
	}
	switch nt.Reason {
	case channels.ReasonRepeat, channels.ReasonEscalated, channels.ReasonTest:
		b.WriteString(" [" + string(nt.Reason) + "]")
	}
	if nt.Suppressed > 0 {
		fmt.Fprintf(&b, " (%d suppressed)", nt.Suppressed)
	}

	b.WriteByte('\n')
	return b.String()
}

func shorten(key string) string {
	if utf8.RuneCountInString(key) <= 3*keyShown {
		return key
	}
	r := []rune(key)
	return string(r[:keyShown]) + "…" + string(r[len(r)-keyShown:])
}
