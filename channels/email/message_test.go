package email

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
)

func TestMessageContent(t *testing.T) {
	nt := testNotification()

	m := sendOne(t, nt)

	require.Equal(t, "[FIRING] [critical] Database down", m.Subject)
	require.Equal(t, nt.Key, m.Header.Get("X-Alertrouter-Key"))
	require.Equal(t, "patient-data-critical", m.Header.Get("X-Alertrouter-Route"))
	require.Equal(t, "auto-generated", m.Header.Get("Auto-Submitted"))
	require.Equal(t, "<"+messageID("alertrouter@example.com", nt)+">",
		m.Header.Get("Message-ID"))
	require.Contains(t, m.Header.Get("Content-Type"), "multipart/alternative")

	for _, want := range []string{
		"Primary does not answer.", "monitor/db", "db_down", "LGPD",
		"env = prod", "service = records-api",
		"runbook_url = https://runbooks.example.org/db",
		"Route:       patient-data-critical", "Receiver:    privacy-office",
		"Reason:      new", "Suppressed:  3 duplicate(s)", "Key:         " + nt.Key,
		"Occurred at: 2026-03-01T12:00:01Z",
	} {
		require.Contains(t, m.TextBody, want)
	}
	for _, want := range []string{
		"<h2>[FIRING] [critical] Database down</h2>", "records-api",
		`<a href="https://runbooks.example.org/db">`, "privacy-office",
		"<td>3</td>", "patient-data-critical",
	} {
		require.Contains(t, m.HTMLBody, want)
	}
}

func TestMessageIDIsStablePerNotification(t *testing.T) {
	nt := testNotification()
	other := nt
	other.Receiver = "oncall"

	first := messageID("a@example.com", nt)

	require.Equal(t, first, messageID("a@example.com", nt))
	require.NotEqual(t, first, messageID("a@example.com", other))
	require.True(t, strings.HasSuffix(first, "@example.com"))
}

func TestHeaderInjection(t *testing.T) {
	tests := []struct {
		name  string
		title string
		key   string
		route string
	}{
		{name: "CRLF in title", title: "x\r\nBcc: victim@example.org"},
		{name: "bare LF in title", title: "x\nBcc: victim@example.org"},
		{name: "bare CR in title", title: "x\rBcc: victim@example.org"},
		{name: "CRLF in dedup key", title: "t", key: "k\r\nBcc: victim@example.org"},
		{name: "CRLF in route", title: "t", route: "r\r\nBcc: victim@example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nt := testNotification()
			nt.Event.Title = tt.title
			if tt.key != "" {
				nt.Key = tt.key
			}
			if tt.route != "" {
				nt.Route = tt.route
			}

			m := sendOne(t, nt)

			require.Empty(t, m.Header.Get("Bcc"))
			require.Equal(t, []string{"oncall@example.org"}, m.To)
			require.False(t, bytes.Contains(bytes.ToLower(m.Data), []byte("\nbcc:")),
				"a line starts with Bcc: in\n%s", m.Data)
			if tt.key != "" {
				require.Equal(t, "k Bcc: victim@example.org", m.Header.Get("X-Alertrouter-Key"))
			}
			if tt.title != "t" {
				require.Equal(t, "[FIRING] [critical] x Bcc: victim@example.org", m.Subject)
			}
		})
	}
}

func TestNonASCIISubject(t *testing.T) {
	nt := testNotification()
	nt.Event.Title = "Pressão arterial crítica – paciente"
	nt.Event.Status = alert.StatusResolved

	m := sendOne(t, nt)

	require.Equal(t, "[RESOLVED] [critical] Pressão arterial crítica – paciente", m.Subject)
	raw := m.Header.Get("Subject")
	require.Contains(t, raw, "=?UTF-8?")
	for _, r := range raw {
		require.Less(t, r, rune(0x80), "raw Subject header is not ASCII: %q", raw)
	}
}

func TestHTMLPartEscapes(t *testing.T) {
	nt := testNotification()
	nt.Event.Title = "<b>bold</b>"
	nt.Event.Description = `<script>alert("x")</script>`
	nt.Event.Labels = map[string]string{"<img src=x>": `"><svg onload=1>`}
	nt.Event.Annotations = map[string]string{"link": "javascript:alert(1)"}

	m := sendOne(t, nt)

	require.NotContains(t, m.HTMLBody, "<script>")
	require.NotContains(t, m.HTMLBody, "<b>bold")
	require.NotContains(t, m.HTMLBody, "<img")
	require.NotContains(t, m.HTMLBody, "<svg")
	require.NotContains(t, m.HTMLBody, `href="javascript`)
	require.Contains(t, m.HTMLBody, "&lt;script&gt;")
	require.Contains(t, m.TextBody, `<script>alert("x")</script>`)
}
