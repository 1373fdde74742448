package pagerduty

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

// FuzzDedupKey checks that every alert key becomes a dedup key PagerDuty
// accepts, the same for trigger and resolve, and the key itself when it
// fits; and that the trigger built around hostile text stays in limits.
func FuzzDedupKey(f *testing.F) {
	for _, s := range []string{
		"latency/records-api", strings.Repeat("ção", 200), strings.Repeat("k", 255),
		strings.Repeat("k", 256), "\xff\xfe\x00", "<!channel>\r\n",
	} {
		f.Add(s, s)
	}

	f.Fuzz(func(t *testing.T, key, text string) {
		got := DedupKey(key)
		require.LessOrEqual(t, utf8.RuneCountInString(got), maxDedupKey)
		require.Equal(t, got, DedupKey(key), "deterministic")
		if utf8.RuneCountInString(key) <= maxDedupKey {
			require.Equal(t, key, got)
		}

		ev := &alert.Event{ID: "e", Source: text, Name: "n", Title: text, Description: text,
			Labels: map[string]string{text: text}, Severity: alert.SeverityHigh}
		n := channels.Notification{Event: ev, Key: key, Reason: channels.ReasonNew}
		trigger := buildEvent("rk", n)
		ev.Status = alert.StatusResolved
		resolve := buildEvent("rk", n)

		require.Equal(t, trigger.DedupKey, resolve.DedupKey)
		require.LessOrEqual(t, utf8.RuneCountInString(trigger.Payload.Summary), maxSummary)
		body, err := json.Marshal(trigger)
		require.NoError(t, err)
		require.Less(t, len(body), 512*1024)
	})
}
