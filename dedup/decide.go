package dedup

import (
	"time"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

// Policy is the timing of one route.
type Policy struct {
	// Window is how long after the last firing a repeat of the same key
	// still counts as a duplicate.
	Window time.Duration
	// Repeat is how long a still-firing alert waits between reminders.
	Repeat time.Duration
	// StateTTL is how long a notified key is remembered after its last
	// firing, so that its resolved event still goes out.
	StateTTL time.Duration
}

// Observation is one event as dedup sees it.
type Observation struct {
	Route    string
	Key      string
	Status   alert.Status
	Severity alert.Severity
	// At is when the event is observed; zero means the store's clock.
	// It should be the processing time, not the producer's occurred_at:
	// a store sweeps expired keys by its own clock.
	At     time.Time
	Policy Policy
	// EventID, when set, names the stored message being observed, the same
	// on every redelivery. A store shared across processes (KV) answers a
	// repeated EventID with the decision it gave the first time, so that a
	// worker that died after deciding does not turn its own event into a
	// duplicate. The in-memory store, which dies with the worker, ignores it.
	EventID string
}

// Outcome is the verdict of a Decision in one word, for audit records and
// metrics.
type Outcome string

// The outcomes of a decision.
const (
	// OutcomeNotify means a notification goes out.
	OutcomeNotify Outcome = "notify"
	// OutcomeSuppress means the event is held back.
	OutcomeSuppress Outcome = "suppress"
)

// The values of Decision.SuppressReason.
const (
	// SuppressDuplicate is a firing inside the window of a notified one,
	// with no severity rise and no repeat due.
	SuppressDuplicate = "duplicate"
	// SuppressNotNotified is a resolved event for a key with no notified
	// firing on record: never fired, forgotten, or already resolved.
	SuppressNotNotified = "not_notified"
)

// Decision says what to do with one event.
type Decision struct {
	// Notify reports whether a notification goes out.
	Notify bool
	// Reason says why, when Notify is set.
	Reason channels.Reason
	// Suppressed is, on a notification, the duplicates held back since
	// the previous one; on a suppression, the running count so far.
	Suppressed int
	// SuppressReason is SuppressDuplicate or SuppressNotNotified when
	// Notify is not set.
	SuppressReason string
}

// Outcome returns OutcomeNotify or OutcomeSuppress.
func (d Decision) Outcome() Outcome {
	if d.Notify {
		return OutcomeNotify
	}
	return OutcomeSuppress
}

// State is what dedup remembers about one (route, key). It is small and
// serialisable, so a shared store can keep it as a JSON value.
type State struct {
	// FirstAt is when the current occurrence began (the last ReasonNew).
	FirstAt time.Time `json:"first_at"`
	// LastSeen is the latest firing, notified or not.
	LastSeen time.Time `json:"last_seen"`
	// LastNotified is the latest notification.
	LastNotified time.Time `json:"last_notified"`
	// Severity is the highest severity notified since FirstAt.
	Severity alert.Severity `json:"severity"`
	// Notified reports whether a firing notification was sent.
	Notified bool `json:"notified"`
	// Suppressed counts the duplicates since the last notification.
	Suppressed int `json:"suppressed"`
}

// TTL is how long after LastSeen the state stays live under p.
func (s *State) TTL(p Policy) time.Duration {
	ttl := p.Window
	if s.Notified && p.StateTTL > ttl {
		ttl = p.StateTTL
	}
	return max(ttl, 0)
}

// ExpiresAt is the instant after which the state is forgotten under p; a
// shared store can use it as the key's time to live.
func (s *State) ExpiresAt(p Policy) time.Time {
	return s.LastSeen.Add(s.TTL(p))
}

// Live reports whether the state still counts at time at under p.
func (s *State) Live(at time.Time, p Policy) bool {
	return !at.After(s.ExpiresAt(p))
}

// Decide is the dedup state machine: given the key's previous state (nil
// when there is none) and one observation, it returns the next state and
// the decision. A nil next state means the key is to be forgotten. Decide
// does not modify *prev. It treats a prev that is no longer live at o.At
// as absent.
func Decide(prev *State, o Observation) (next *State, d Decision) {
	var p State
	if prev != nil {
		p = *prev
	}

	n, keep, d := decide(p, prev != nil, o)
	if !keep {
		return nil, d
	}
	return &n, d
}

// decide is Decide on values, so that Memory runs it without allocating.
func decide(prev State, has bool, o Observation) (State, bool, Decision) {
	has = has && prev.Live(o.At, o.Policy)

	if o.Status == alert.StatusResolved {
		return decideResolved(prev, has)
	}
	return decideFiring(prev, has, o)
}

func decideResolved(prev State, has bool) (State, bool, Decision) {
	if !has || !prev.Notified {
		return State{}, false, Decision{SuppressReason: SuppressNotNotified}
	}
	d := Decision{Notify: true, Reason: channels.ReasonResolved, Suppressed: prev.Suppressed}
	return State{}, false, d
}

func decideFiring(prev State, has bool, o Observation) (State, bool, Decision) {
	if !has || !prev.Notified || !inWindow(prev, o) {
		next := State{FirstAt: o.At, LastSeen: o.At, LastNotified: o.At,
			Severity: o.Severity, Notified: true}
		d := Decision{Notify: true, Reason: channels.ReasonNew}
		if has {
			d.Suppressed = prev.Suppressed
		}
		return next, true, d
	}

	next := prev
	next.LastSeen = later(prev.LastSeen, o.At)

	reason, notify := breakThrough(prev, o)
	if !notify {
		next.Suppressed++
		return next, true, Decision{SuppressReason: SuppressDuplicate, Suppressed: next.Suppressed}
	}

	next.LastNotified = later(prev.LastNotified, o.At)
	next.Severity = max(prev.Severity, o.Severity)
	next.Suppressed = 0
	return next, true, Decision{Notify: true, Reason: reason, Suppressed: prev.Suppressed}
}

// inWindow reports whether a firing at o.At is a duplicate candidate: the
// quiet gap since the last firing is at most the window.
func inWindow(prev State, o Observation) bool {
	if o.Policy.Window <= 0 {
		return false
	}
	return o.At.Sub(prev.LastSeen) <= o.Policy.Window
}

// breakThrough says whether a firing inside the window notifies anyway.
func breakThrough(prev State, o Observation) (channels.Reason, bool) {
	if o.Severity > prev.Severity {
		return channels.ReasonEscalated, true
	}

	repeat := o.Policy.Repeat
	if repeat > 0 && o.At.Sub(prev.LastNotified) >= repeat {
		return channels.ReasonRepeat, true
	}
	return "", false
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
