package webhook

import (
	"encoding/json"
	"testing"

	"github.com/alertrouter/alertrouter/internal/testalert"
)

// BenchmarkWebhookPayload wraps a notification in the version 1 envelope
// and encodes it, as Send does before the network.
func BenchmarkWebhookPayload(b *testing.B) {
	n := testalert.TypicalNotification()
	b.ReportAllocs()

	for b.Loop() {
		body, err := json.Marshal(NewPayload(n))
		if err != nil || len(body) == 0 {
			b.Fatal(err)
		}
	}
}
