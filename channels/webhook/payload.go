package webhook

import (
	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

// PayloadVersion is the version of the Payload shape. It changes only when
// a field is removed or changes meaning; new fields may appear within a
// version, so receivers should ignore fields they do not know.
const PayloadVersion = "1"

// Payload is the JSON body of every webhook POST:
//
//	{
//	  "version": "1",
//	  "route": "ci-gates",
//	  "receiver": "eng-chat",
//	  "reason": "new",            // new, repeat, escalated, resolved, test
//	  "suppressed": 3,            // duplicates held back since the last one
//	  "key": "ab12...",           // dedup key, same for firing and resolved
//	  "event": { ...the event, schema v1, unknown fields included... }
//	}
type Payload struct {
	Version    string       `json:"version"`
	Route      string       `json:"route"`
	Receiver   string       `json:"receiver"`
	Reason     string       `json:"reason"`
	Suppressed int          `json:"suppressed"`
	Key        string       `json:"key"`
	Event      *alert.Event `json:"event"`
}

// NewPayload wraps a notification in the version 1 envelope.
func NewPayload(nt channels.Notification) Payload {
	return Payload{
		Version:    PayloadVersion,
		Route:      nt.Route,
		Receiver:   nt.Receiver,
		Reason:     string(nt.Reason),
		Suppressed: nt.Suppressed,
		Key:        nt.Key,
		Event:      nt.Event,
	}
}
