package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/fakepagerduty"
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
		Title:       strings.Repeat(hostileTitle+" ", 20),
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

func hostileNotification(ev *alert.Event) channels.Notification {
	return channels.Notification{Event: ev, Route: "patient-data", Receiver: "oncall",
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

// capture is a transport that keeps each request body and the status
// the far side answered with.
type capture struct {
	mu       sync.Mutex
	bodies   [][]byte
	statuses []int
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bodies = append(c.bodies, body)
	c.statuses = append(c.statuses, resp.StatusCode)
	return resp, nil
}

// sendHostile sends a trigger for ev and returns the body PagerDuty got.
func sendHostile(t *testing.T, ev *alert.Event) (*fakepagerduty.Server, []byte) {
	t.Helper()
	fake := fakepagerduty.New(fakepagerduty.WithoutRateLimit())
	t.Cleanup(fake.Close)
	c := &capture{}
	n, err := New(Config{RoutingKey: fakepagerduty.DefaultRoutingKey, EventsURL: fake.URL(),
		HTTPClient: &http.Client{Transport: c}})
	require.NoError(t, err)

	require.NoError(t, n.Send(context.Background(), hostileNotification(ev)))

	require.Equal(t, []int{http.StatusAccepted}, c.statuses)
	require.Len(t, fake.Events(), 1)
	return fake, c.bodies[0]
}

func TestHostileEventGolden(t *testing.T) {
	ev := hostileEvent()
	fake, body := sendHostile(t, ev)

	var sent fakepagerduty.Event
	require.NoError(t, json.Unmarshal(body, &sent))
	require.LessOrEqual(t, utf8.RuneCountInString(sent.Payload.Summary), 1024)
	require.True(t, strings.HasSuffix(sent.Payload.Summary, Truncated))
	require.Equal(t, 255, utf8.RuneCountInString(sent.DedupKey))
	require.Equal(t, DedupKey(ev.Key()), sent.DedupKey)
	require.Less(t, len(body), 512*1024)
	require.True(t, fake.Open(fakepagerduty.DefaultRoutingKey, sent.DedupKey))
	require.Equal(t, ev.Description, sent.Payload.CustomDetails["description"],
		"the description fits and goes whole")

	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, body, "", "  "))
	out.WriteByte('\n')
	golden(t, "hostile_trigger.json", out.Bytes())
}

func TestHostileOversizedEventFits(t *testing.T) {
	tests := []struct {
		name   string
		change func(ev *alert.Event)
	}{
		{"600 KB description", func(ev *alert.Event) {
			ev.Description = strings.Repeat("\x00<\u202e", 200*1024)
		}},
		{"many 5,000-character labels", func(ev *alert.Event) {
			for i := range 60 {
				ev.Labels[strings.Repeat("k", 5000)+string(rune('a'+i%26))+
					strings.Repeat("z", i)] = strings.Repeat("v", 5000)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := hostileEvent()
			tt.change(ev)

			_, body := sendHostile(t, ev)
			require.Less(t, len(body), 512*1024)
		})
	}
}
