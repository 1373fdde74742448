package email

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// hostileTitle tries every trick a Slack message and a mail header fall
// for: mentions, a channel reference, a disguised link, HTML, and a CRLF
// that would start a Bcc header.
const hostileTitle = "Pressão crítica – paciente <!channel> @here <@U123> <#C999> " +
	"<https://evil.example|click> & <script>\r\nBcc: victim@example.org"

// hostileEvent is one event carrying everything an alert should never
// be able to do to a far side: the title above, a 100 KB description with
// NULs, an RTL override and a CPF, 5,000-character label values and a
// 600-character dedup key.
func hostileEvent() *alert.Event {
	chunk := "Paciente CPF 123.456.789-09 \u202eodnum olá\u202c\x00 <b>&nbsp;</b>\n"
	desc := strings.Repeat(chunk, 100*1024/len(chunk)+1)[:100*1024]
	desc = strings.ToValidUTF8(desc, "")

	return &alert.Event{
		ID: "hostile-1", Source: "monitor/records", Name: "pressure_critical",
		Severity: alert.SeverityCritical, Status: alert.StatusFiring,
		Compliance:  []string{"LGPD", "HIPAA"},
		Title:       hostileTitle,
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

func hostileNotification() channels.Notification {
	ev := hostileEvent()
	return channels.Notification{Event: ev, Route: "patient-data\r\nBcc: x@example.org",
		Receiver: "privacy-office", Key: ev.Key(), Reason: channels.ReasonNew, Suppressed: 3}
}

// golden compares got with testdata/golden/name, or rewrites the file
// when the test runs with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run the test with -update to create it")
	require.Equal(t, string(want), string(got), "golden file %s; -update rewrites it", path)
}

var (
	dateLine = regexp.MustCompile(`(?m)^Date: .*\r$`)
	boundary = regexp.MustCompile(`boundary=([0-9A-Za-z'()+_,./:=?-]+)`)
)

// normalise replaces what changes from one run to the next, the Date
// header and the multipart boundaries, and uses \n line ends.
func normalise(t *testing.T, raw []byte) []byte {
	t.Helper()
	out := dateLine.ReplaceAll(raw, []byte("Date: <date>\r"))
	for i, m := range boundary.FindAllSubmatch(out, -1) {
		out = bytes.ReplaceAll(out, m[1], []byte("BOUNDARY-"+string(rune('A'+i))))
	}
	return bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n"))
}

func TestHostileEventGolden(t *testing.T) {
	nt := hostileNotification()
	m := sendOne(t, nt)

	t.Run("no injected header or recipient", func(t *testing.T) {
		require.Equal(t, []string{"oncall@example.org"}, m.To)
		require.Empty(t, m.Header.Get("Bcc"))
		head, _, ok := bytes.Cut(m.Data, []byte("\r\n\r\n"))
		require.True(t, ok)
		for _, l := range strings.Split(string(head), "\r\n") {
			require.False(t, strings.HasPrefix(strings.ToLower(l), "bcc:"), l)
			require.LessOrEqual(t, len(l), 998, "RFC 5322 line limit")
			require.NotContains(t, l, "\r")
		}
	})

	t.Run("subject encoded and decodes back", func(t *testing.T) {
		raw := m.Header.Get("Subject")
		require.Contains(t, raw, "=?UTF-8?")
		require.True(t, utf8.ValidString(m.Subject))
		require.True(t, strings.HasPrefix(m.Subject, "[FIRING] [critical] Pressão crítica – "+
			"paciente <!channel> @here"), m.Subject)
		require.Contains(t, m.Subject, "<script> Bcc: victim@example.org")
		require.Equal(t, headerText(nt.Headline(), maxSubject), m.Subject)
	})

	t.Run("bodies escaped and cleaned", func(t *testing.T) {
		require.Contains(t, m.HTMLBody, "&lt;script&gt;")
		require.NotContains(t, m.HTMLBody, "<script")
		require.NotContains(t, m.HTMLBody, `href="javascript:`)
		require.Contains(t, m.HTMLBody, "Pressão crítica")
		for _, body := range []string{m.TextBody, m.HTMLBody} {
			require.NotContains(t, body, "\x00")
			require.NotContains(t, body, "\u202e")
			require.Contains(t, body, "123.456.789-09")
		}
	})

	golden(t, "hostile_message.txt", normalise(t, m.Data))
}
