package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		Extra:      map[string]json.RawMessage{"ticket": json.RawMessage(`"<&>\u0000"`)},
	}
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
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	ev := hostileEvent()
	nt := channels.Notification{Event: ev, Route: "patient-data", Receiver: "hooks",
		Key: ev.Key(), Reason: channels.ReasonNew, Suppressed: 3}

	require.NoError(t, newNotifier(t, srv.URL, nil).Send(context.Background(), nt))
	body := <-bodies

	require.True(t, json.Valid(body))
	var got struct {
		Key   string `json:"key"`
		Event struct {
			Title, Description  string
			Labels, Annotations map[string]string
			DedupKey            string `json:"dedup_key"`
			Ticket              string `json:"ticket"`
		} `json:"event"`
	}
	require.NoError(t, json.Unmarshal(body, &got))
	require.Equal(t, ev.Title, got.Event.Title, "text round-trips exactly")
	require.Equal(t, ev.Description, got.Event.Description)
	require.Equal(t, ev.Labels, got.Event.Labels)
	require.Equal(t, ev.Annotations, got.Event.Annotations)
	require.Equal(t, ev.DedupKey, got.Event.DedupKey)
	require.Equal(t, ev.DedupKey, got.Key)
	require.Equal(t, "<&>\x00", got.Event.Ticket)

	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, body, "", "  "))
	out.WriteByte('\n')
	golden(t, "hostile_payload.json", out.Bytes())
}
