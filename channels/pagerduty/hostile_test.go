package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/fakepagerduty"
	"github.com/alertrouter/alertrouter/internal/testalert"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// hostileEvent repeats the hostile title twenty times, so that the
// summary's 1,024-character cut is really exercised.
func hostileEvent() *alert.Event {
	ev := testalert.HostileEvent()
	ev.Title = strings.Repeat(testalert.HostileTitle+" ", 20)
	return ev
}

func hostileNotification(ev *alert.Event) channels.Notification {
	return testalert.Notification(ev, "patient-data", "oncall")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testalert.Golden(t, name, got, *update)
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
