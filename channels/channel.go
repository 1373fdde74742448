// Package channels defines how a notification leaves alertrouter: the
// Channel interface every adapter implements, the Notification it sends,
// the error classes that decide whether a delivery is retried, and the
// retry policy. Adapters live in sub-packages, one per far side.
package channels

import (
	"context"
	"fmt"

	"github.com/alertrouter/alertrouter/alert"
)

// Channel sends notifications to one far side: a Slack channel, an SMTP
// server, a PagerDuty service, a webhook, the console.
type Channel interface {
	// Name identifies the channel in logs and records, e.g. "slack".
	Name() string
	// Send delivers one notification. Its error says, through the
	// helpers in this package, whether trying again may help.
	Send(ctx context.Context, n Notification) error
}

// Reason says why a notification is sent.
type Reason string

// The reasons a notification goes out.
const (
	// ReasonNew is the first firing of an alert.
	ReasonNew Reason = "new"
	// ReasonRepeat is a reminder: the alert is still firing after the
	// route's repeat interval.
	ReasonRepeat Reason = "repeat"
	// ReasonEscalated means the severity rose since the last notification.
	ReasonEscalated Reason = "escalated"
	// ReasonResolved means the alert has cleared.
	ReasonResolved Reason = "resolved"
	// ReasonTest marks a test notification sent on an operator's request.
	ReasonTest Reason = "test"
	// ReasonReplay marks a notification sent again from a dead letter.
	ReasonReplay Reason = "replay"
)

// Notification is what a channel sends: one event, on behalf of one
// receiver, with the dedup context that explains it.
type Notification struct {
	// Event carries the text to send, already redacted where the receiver
	// asks for it. Channels must not modify it.
	Event *alert.Event
	// Route is the name of the route that matched.
	Route string
	// Receiver is the name of the receiver the notification is for.
	Receiver string
	// Key is the alert's dedup key (Event.Key()), the same for its firing
	// and resolved notifications.
	Key string
	// Reason says why this notification is sent.
	Reason Reason
	// Suppressed counts the duplicates held back since the previous
	// notification for this key and route.
	Suppressed int
}

// Resolved reports whether the notification clears an alert.
func (n Notification) Resolved() bool {
	return n.Event.Status == alert.StatusResolved
}

// Headline is a one-line summary: severity, status and title (or name).
func (n Notification) Headline() string {
	title := n.Event.Title
	if title == "" {
		title = n.Event.Name
	}
	status := "FIRING"
	if n.Resolved() {
		status = "RESOLVED"
	}
	return fmt.Sprintf("[%s] [%s] %s", status, n.Event.Severity, title)
}
