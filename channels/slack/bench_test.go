package slack

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

// BenchmarkSlackPayload builds a notification's message and encodes it as
// the webhook body, as Send does before the network.
func BenchmarkSlackPayload(b *testing.B) {
	n := benchNote()
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

// benchNote is a realistic notification: every text field given, a
// handful of labels and annotations, a few suppressed duplicates.
func benchNote() channels.Notification {
	ev := &alert.Event{
		ID: "3f1c9a7e-2b4d-4c8e-9f0a-1b2c3d4e5f60", Source: "monitor/db",
		Name: "database_down", Severity: alert.SeverityCritical, Status: alert.StatusFiring,
		Compliance: []string{"LGPD", "HIPAA"},
		Title:      "records-db primary is not accepting connections",
		Description: "Health check failed 5 times in a row on records-db-0 (sa-east-1a). " +
			"Replica lag was 12s before the failure; check the primary's disk.",
		Labels: map[string]string{"service": "records-db", "env": "prod", "team": "platform",
			"region": "sa-east-1", "instance": "records-db-0", "tier": "data"},
		Annotations: map[string]string{
			"runbook_url": "https://runbooks.example.org/db/primary-down",
			"dashboard":   "https://grafana.example.org/d/records-db",
			"summary":     "primary down for 5 checks"},
		DedupKey:   "records-db/primary-down",
		OccurredAt: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC),
	}
	return channels.Notification{Event: ev, Route: "records-prod", Receiver: "oncall",
		Key: ev.Key(), Reason: channels.ReasonNew, Suppressed: 3}
}
