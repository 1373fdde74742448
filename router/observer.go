package router

import (
	"time"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/rules"
)

// Observer is told what happens to every event. The demo prints it; later
// the audit trail and metrics listen through it. Methods are called from
// several workers at once and must not block for long.
type Observer interface {
	// Received: a message decoded into a valid event. raw is the message
	// as stored; replayOf is the dead letter's sequence when the message
	// is a replay, else empty.
	Received(ev *alert.Event, raw []byte, replayOf string)
	// Rejected: the message is not a valid event and was dead-lettered.
	Rejected(subject string, err error)
	// Routed: the event matched these routes (none: unrouted).
	Routed(ev *alert.Event, res rules.Result)
	// Suppressed: dedup held the event back on one route.
	Suppressed(ev *alert.Event, route string, d dedup.Decision)
	// Retrying: a delivery attempt failed and another follows after wait.
	Retrying(n channels.Notification, channel string, attempt int, wait time.Duration, err error)
	// Delivered: one channel of one receiver finished, err nil on success.
	Delivered(n channels.Notification, channel string, attempts int, took time.Duration, err error)
	// DeadLettered: something was given up on and stored in the dead-letter
	// stream; reason is a rejection reason or "delivery".
	DeadLettered(reason string)
	// Done: every delivery for the event is finished and it was acked.
	Done(ev *alert.Event)
}

// NopObserver ignores everything; embed it to implement only some methods.
type NopObserver struct{}

// Received does nothing.
func (NopObserver) Received(*alert.Event, []byte, string) {}

// Rejected does nothing.
func (NopObserver) Rejected(string, error) {}

// Routed does nothing.
func (NopObserver) Routed(*alert.Event, rules.Result) {}

// Suppressed does nothing.
func (NopObserver) Suppressed(*alert.Event, string, dedup.Decision) {}

// Retrying does nothing.
func (NopObserver) Retrying(channels.Notification, string, int, time.Duration, error) {}

// DeadLettered does nothing.
func (NopObserver) DeadLettered(string) {}

// Delivered does nothing.
func (NopObserver) Delivered(channels.Notification, string, int, time.Duration, error) {}

// Done does nothing.
func (NopObserver) Done(*alert.Event) {}

// Observers fans every call out to each observer in turn.
func Observers(obs ...Observer) Observer { return observers(obs) }

type observers []Observer

func (o observers) Received(ev *alert.Event, raw []byte, replayOf string) {
	for _, x := range o {
		x.Received(ev, raw, replayOf)
	}
}

func (o observers) Rejected(subject string, err error) {
	for _, x := range o {
		x.Rejected(subject, err)
	}
}

func (o observers) Routed(ev *alert.Event, res rules.Result) {
	for _, x := range o {
		x.Routed(ev, res)
	}
}

func (o observers) Suppressed(ev *alert.Event, route string, d dedup.Decision) {
	for _, x := range o {
		x.Suppressed(ev, route, d)
	}
}

func (o observers) Retrying(n channels.Notification, channel string, attempt int,
	wait time.Duration, err error) {
	for _, x := range o {
		x.Retrying(n, channel, attempt, wait, err)
	}
}

func (o observers) Delivered(n channels.Notification, channel string, attempts int,
	took time.Duration, err error) {
	for _, x := range o {
		x.Delivered(n, channel, attempts, took, err)
	}
}

func (o observers) DeadLettered(reason string) {
	for _, x := range o {
		x.DeadLettered(reason)
	}
}

func (o observers) Done(ev *alert.Event) {
	for _, x := range o {
		x.Done(ev)
	}
}
