// Package testalert holds what the channel adapters' tests share: one
// hostile event that tries every trick an alert could play on a far side,
// and golden-file comparison.
package testalert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

// HostileTitle tries every trick a Slack message and a mail header fall
// for: mentions, a channel reference, a disguised link, HTML, and a CRLF
// that would start a Bcc header.
const HostileTitle = "Pressão crítica – paciente <!channel> @here <@U123> <#C999> " +
	"<https://evil.example|click> & <script>\r\nBcc: victim@example.org"

// HostileEvent is one event carrying everything an alert should never be
// able to do to a far side: the title above, a 100 KB description with
// NULs, an RTL override and a CPF, 5,000-character label values and a
// 600-character dedup key.
func HostileEvent() *alert.Event {
	chunk := "Paciente CPF 123.456.789-09 \u202eodnum olá\u202c\x00 <b>&nbsp;</b>\n"
	desc := strings.Repeat(chunk, 100*1024/len(chunk)+1)[:100*1024]
	desc = strings.ToValidUTF8(desc, "")

	return &alert.Event{
		ID: "hostile-1", Source: "monitor/records", Name: "pressure_critical",
		Severity: alert.SeverityCritical, Status: alert.StatusFiring,
		Compliance:  []string{"LGPD", "HIPAA"},
		Title:       HostileTitle,
		Description: desc,
		Labels: map[string]string{
			"service": "records-" + strings.Repeat("s", 4992),
			"note":    strings.Repeat("<!here>", 5000/7),
			"env":     "prod",
		},
		Annotations: map[string]string{
			"runbook_url":   "https://runbooks.example/r?a=1&b=2",
			"dashboard_url": "javascript:alert(1)",
		},
		DedupKey:   "chave-" + strings.Repeat("ção", 198),
		OccurredAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
	}
}

// Notification wraps ev for route and receiver, as a first notification
// after three suppressed duplicates.
func Notification(ev *alert.Event, route, receiver string) channels.Notification {
	return channels.Notification{Event: ev, Route: route, Receiver: receiver,
		Key: ev.Key(), Reason: channels.ReasonNew, Suppressed: 3}
}

// Golden compares got with testdata/golden/name, or rewrites the file
// first when update is set (the tests' -update flag).
func Golden(t testing.TB, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run the test with -update to create it")
	require.Equal(t, string(want), string(got), "golden file %s; -update rewrites it", path)
}

// TypicalNotification is a realistic notification for benchmarks: every
// text field given, a handful of labels and annotations, a few suppressed
// duplicates.
func TypicalNotification() channels.Notification {
	ev := &alert.Event{
		ID: "3f1c9a7e-2b4d-4c8e-9f0a-1b2c3d4e5f60", Source: "monitor/db",
		Name: "database_down", Severity: alert.SeverityCritical, Status: alert.StatusFiring,
		Compliance: []string{"LGPD", "HIPAA"},
		Title:      "records-db primary is not accepting connections",
		Description: "Health check failed 5 times in a row on records-db-0 (sa-east-1a). " +
			"Replica lag was 12s before the failure; check the primary's disk.",
		Labels: map[string]string{"service": "records-db", "env": "prod", "team": "platform",
			"region": "sa-east-1", "instance": "records-db-0", "tier": "data"},
		Annotations: map[string]string{
			"runbook_url": "https://runbooks.example.org/db/primary-down",
			"dashboard":   "https://grafana.example.org/d/records-db",
			"summary":     "primary down for 5 checks"},
		DedupKey:   "records-db/primary-down",
		OccurredAt: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC),
	}
	return channels.Notification{Event: ev, Route: "records-prod", Receiver: "oncall",
		Key: ev.Key(), Reason: channels.ReasonNew, Suppressed: 3}
}
