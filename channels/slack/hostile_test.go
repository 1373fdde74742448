package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/fakeslack"
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
	return channels.Notification{Event: ev, Route: "patient-data", Receiver: "eng-chat",
		Key: ev.Key(), Reason: channels.ReasonNew, Suppressed: 3}
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

func TestHostileEventGolden(t *testing.T) {
	fake := fakeslack.New(fakeslack.WithoutRateLimit())
	defer fake.Close()
	n := apiNotifier(t, fake, fakeslack.DefaultToken, "#alerts")

	require.NoError(t, n.Send(context.Background(), hostileNotification()))

	msgs := fake.Messages()
	require.Len(t, msgs, 1, "the fake accepted the message within Slack's limits")
	m := msgs[0]
	require.Empty(t, m.Warning, "the text was not cut by Slack")

	t.Run("no control sequences from the alert", func(t *testing.T) {
		require.Equal(t, []string{"<https://runbooks.example/r?a=1&amp;b=2|Runbook>"},
			m.ControlSequences(), "only the adapter's own runbook link")
		for _, s := range append([]string{m.Text}, m.BlockTexts()...) {
			for _, bad := range []string{"<!", "<@", "<#", "<http", "<script", "\x00",
				"\u202e", "\r"} {
				require.NotContains(t, strings.ReplaceAll(s, "<https://runbooks.example/", ""),
					bad)
			}
		}
	})

	t.Run("escaped and cut to Slack's limits", func(t *testing.T) {
		blocks := strings.Join(m.BlockTexts(), "\n")
		for _, want := range []string{"&lt;!channel&gt;", "&lt;@U123&gt;", "&amp; &lt;script&gt;",
			"Pressão crítica – paciente", Truncated} {
			require.Contains(t, blocks, want)
		}
		require.Contains(t, m.Text, Truncated)
		require.LessOrEqual(t, utf8.RuneCountInString(m.Text), maxText)
		for _, s := range m.BlockTexts() {
			require.LessOrEqual(t, utf8.RuneCountInString(s), maxSection)
		}
	})

	var blocks bytes.Buffer
	require.NoError(t, json.Indent(&blocks, m.Blocks, "", "  "))
	params := map[string]any{}
	for k, v := range m.Params {
		params[k] = v
	}
	params["blocks"] = json.RawMessage(blocks.Bytes())
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(params))
	golden(t, "hostile_postmessage.json", out.Bytes())
}
