package pagerduty

import (
	"encoding/json"
	"testing"

	"github.com/alertrouter/alertrouter/internal/testalert"
)

// BenchmarkPagerDutyPayload builds a trigger event and encodes it, as
// Send does before the network.
func BenchmarkPagerDutyPayload(b *testing.B) {
	n := testalert.TypicalNotification()
	b.ReportAllocs()

	for b.Loop() {
		body, err := json.Marshal(buildEvent("routing-key-0123456789abcdef", n))
		if err != nil || len(body) == 0 {
			b.Fatal(err)
		}
	}
}
