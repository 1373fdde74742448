package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

func testNotification() channels.Notification {
	return channels.Notification{
		Event: &alert.Event{
			ID:         "evt-1",
			Source:     "ci/quality-gates",
			Name:       "coverage_below_threshold",
			Severity:   alert.SeverityHigh,
			Status:     alert.StatusFiring,
			Title:      "Coverage below 80%",
			OccurredAt: time.Date(2026, 3, 1, 12, 0, 1, 0, time.UTC),
		},
		Route:      "ci-gates",
		Receiver:   "eng-chat",
		Key:        "ab12cd34ef56ab12cd34ef56ab12cd34",
		Reason:     channels.ReasonNew,
		Suppressed: 3,
	}
}

func TestFormat(t *testing.T) {
	brt := time.FixedZone("BRT", -3*3600)
	tests := []struct {
		name   string
		change func(nt *channels.Notification)
		want   string
	}{
		{name: "firing with suppressed", change: func(*channels.Notification) {},
			want: "12:00:01 → eng-chat via route ci-gates: [FIRING] [high] Coverage below 80% " +
				"(ci/quality-gates coverage_below_threshold) key=ab12cd34…ab12cd34 (3 suppressed)\n"},
		{name: "resolved, short key, none suppressed", change: func(nt *channels.Notification) {
			nt.Event.Status = alert.StatusResolved
			nt.Reason = channels.ReasonResolved
			nt.Key = "db-primary"
			nt.Suppressed = 0
		}, want: "12:00:01 → eng-chat via route ci-gates: [RESOLVED] [high] Coverage below 80% " +
			"(ci/quality-gates coverage_below_threshold) key=db-primary\n"},
		{name: "repeat without title, time in its own zone",
			change: func(nt *channels.Notification) {
				nt.Event.Title = ""
				nt.Event.OccurredAt = time.Date(2026, 3, 1, 9, 0, 1, 0, brt)
				nt.Reason = channels.ReasonRepeat
				nt.Suppressed = 0
			}, want: "09:00:01 → eng-chat via route ci-gates: [FIRING] [high] " +
				"coverage_below_threshold (ci/quality-gates coverage_below_threshold) " +
				"key=ab12cd34…ab12cd34 [repeat]\n"},
		{name: "long keys keep both ends", change: func(nt *channels.Notification) {
			nt.Key = "alertmanager:6b1f0a33c2d4e5f6"
			nt.Suppressed = 0
		}, want: "12:00:01 → eng-chat via route ci-gates: [FIRING] [high] Coverage below 80% " +
			"(ci/quality-gates coverage_below_threshold) key=alertman…c2d4e5f6\n"},
		{name: "no time", change: func(nt *channels.Notification) {
			nt.Event.OccurredAt = time.Time{}
			nt.Suppressed = 0
		}, want: "→ eng-chat via route ci-gates: [FIRING] [high] Coverage below 80% " +
			"(ci/quality-gates coverage_below_threshold) key=ab12cd34…ab12cd34\n"},
		{name: "control characters in title", change: func(nt *channels.Notification) {
			nt.Event.Title = "\x1b[2J\x1b[31mDisk\x1b[0m full\r\nroot\x1b]0;pwned\x07 now"
			nt.Suppressed = 0
		}, want: "12:00:01 → eng-chat via route ci-gates: [FIRING] [high] Disk full root now " +
			"(ci/quality-gates coverage_below_threshold) key=ab12cd34…ab12cd34\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nt := testNotification()
			tt.change(&nt)

			require.Equal(t, tt.want, Format(nt))
		})
	}
}

func TestSendWritesLine(t *testing.T) {
	var buf bytes.Buffer
	n := New(&buf)

	require.NoError(t, n.Send(t.Context(), testNotification()))

	require.Equal(t, "console", n.Name())
	require.Equal(t, Format(testNotification()), buf.String())
}

func TestNewDefaultsToStdout(t *testing.T) {
	require.Same(t, os.Stdout, New(nil).w)
}

func TestSendErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name          string
		ctx           context.Context
		w             *failingWriter
		nt            channels.Notification
		wantRetryable bool
	}{
		{name: "write fails", ctx: t.Context(), w: &failingWriter{},
			nt: testNotification()},
		{name: "no event", ctx: t.Context(), w: &failingWriter{}},
		{name: "canceled", ctx: canceled, w: &failingWriter{}, nt: testNotification()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New(tt.w).Send(tt.ctx, tt.nt)

			require.Error(t, err)
			require.Equal(t, tt.wantRetryable, channels.IsRetryable(err))
		})
	}
}

type failingWriter struct{}

func (*failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// slowWriter copies a Write one byte at a time, yielding in between, and
// has no lock of its own: unserialised callers would interleave their
// bytes and trip the race detector.
type slowWriter struct{ buf []byte }

func (w *slowWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		w.buf = append(w.buf, c)
		runtime.Gosched()
	}
	return len(p), nil
}

func TestConcurrentSendsDoNotInterleave(t *testing.T) {
	const senders = 32
	w := &slowWriter{}
	n := New(w)
	want := make(map[string]bool, senders)
	var wg sync.WaitGroup

	for i := range senders {
		nt := testNotification()
		nt.Route = fmt.Sprintf("route-%02d", i)
		want[strings.TrimSuffix(Format(nt), "\n")] = true
		wg.Go(func() { require.NoError(t, n.Send(t.Context(), nt)) })
	}
	wg.Wait()

	lines := strings.Split(strings.TrimSuffix(string(w.buf), "\n"), "\n")
	require.Len(t, lines, senders)
	for _, l := range lines {
		require.True(t, want[l], "mangled line %q", l)
		delete(want, l)
	}
}
