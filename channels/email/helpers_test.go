package email

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/fakesmtp"
)

const (
	testUser     = "alertbot"
	testPassword = "hunter2-very-secret"
)

func startServer(t *testing.T, opts ...fakesmtp.Option) *fakesmtp.Server {
	t.Helper()

	s, err := fakesmtp.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// baseConfig points at s with no TLS and no AUTH; tests adjust it.
func baseConfig(s *fakesmtp.Server) Config {
	return Config{
		Host:    s.Host(),
		Port:    s.Port(),
		From:    "alertrouter@example.com",
		To:      []string{"oncall@example.org"},
		TLS:     TLSNone,
		Timeout: 5 * time.Second,
	}
}

func newNotifier(t *testing.T, cfg Config) *Notifier {
	t.Helper()

	n, err := New(cfg)
	require.NoError(t, err)
	return n
}

func testNotification() channels.Notification {
	ev := &alert.Event{
		ID:          "evt-1",
		Source:      "monitor/db",
		Name:        "db_down",
		Severity:    alert.SeverityCritical,
		Status:      alert.StatusFiring,
		Compliance:  []string{"LGPD"},
		Title:       "Database down",
		Description: "Primary does not answer.",
		Labels:      map[string]string{"env": "prod", "service": "records-api"},
		Annotations: map[string]string{"runbook_url": "https://runbooks.example.org/db"},
		OccurredAt:  time.Date(2026, 3, 1, 12, 0, 1, 0, time.UTC),
	}
	return channels.Notification{
		Event:      ev,
		Route:      "patient-data-critical",
		Receiver:   "privacy-office",
		Key:        ev.Key(),
		Reason:     channels.ReasonNew,
		Suppressed: 3,
	}
}

// sendOne delivers nt and returns the one message the server recorded.
func sendOne(t *testing.T, nt channels.Notification) fakesmtp.Message {
	t.Helper()

	s := startServer(t)
	n := newNotifier(t, baseConfig(s))
	require.NoError(t, n.Send(t.Context(), nt))

	msgs := s.Messages()
	require.Len(t, msgs, 1)
	require.NoError(t, msgs[0].ParseErr)
	return msgs[0]
}
