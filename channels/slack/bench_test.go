package slack

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"

	"github.com/alertrouter/alertrouter/internal/testalert"
)

// BenchmarkSlackPayload builds a notification's message and encodes it as
// the webhook body, as Send does before the network.
func BenchmarkSlackPayload(b *testing.B) {
	n := testalert.TypicalNotification()
	b.ReportAllocs()

	for b.Loop() {
		msg := buildMessage(n)
		body, err := json.Marshal(&slack.WebhookMessage{Text: msg.text,
			Blocks: &slack.Blocks{BlockSet: msg.blocks}, Parse: "none"})
		if err != nil || len(body) == 0 {
			b.Fatal(err)
		}
	}
}
