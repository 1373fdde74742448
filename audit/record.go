// Package audit is alertrouter's audit trail: one versioned record for
// every step of an event's life (received, routed, suppressed, each
// delivery attempt and its outcome, dead letters) and for every rules
// reload, appended to the JetStream stream ALERTS_AUDIT and read back by
// `alertrouter audit`.
//
// Records carry identities only: event ids, dedup keys, source, name,
// severity, routes, receivers, channels, outcomes and error strings. An
// event's title, description, labels and annotations never go into a
// record, so personal data in alert text cannot reach the trail; the
// received record keeps a SHA-256 of the raw message instead, which proves
// what was received without storing it. Error strings, which a far side may
// fill with echoed text, have personal data masked (package redact: CPF,
// CNPJ, e-mail, phone and card numbers) and are cut to MaxErrorLen.
package audit

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alertrouter/alertrouter/redact"
)

// Version is the version of Record written by this package. Readers
// should accept records of a higher version and ignore fields they do not
// know.
const Version = 1

// MaxErrorLen is the longest error string a record keeps, in bytes.
const MaxErrorLen = 300

// The kinds of record, the Kind field and the last token of its subject.
const (
	// KindReceived: a message decoded into a valid event.
	KindReceived = "received"
	// KindReplayed: a message replayed from the dead-letter stream decoded
	// into a valid event; it stands in for KindReceived.
	KindReplayed = "replayed"
	// KindRejected: a message that is not a valid event was dead-lettered.
	KindRejected = "rejected"
	// KindRouted: the event matched one or more routes.
	KindRouted = "routed"
	// KindUnrouted: the event matched no route.
	KindUnrouted = "unrouted"
	// KindSuppressed: dedup held the event back on one route.
	KindSuppressed = "suppressed"
	// KindAttempt: a delivery attempt failed and another follows.
	KindAttempt = "attempt"
	// KindDelivered: a channel of a receiver accepted the notification.
	KindDelivered = "delivered"
	// KindFailed: a delivery failed for good; it is dead-lettered.
	KindFailed = "failed"
	// KindDeadLettered: something was written to the dead-letter stream.
	KindDeadLettered = "dead_lettered"
	// KindRulesReloaded: a rules file was loaded at start or on reload,
	// or refused.
	KindRulesReloaded = "rules_reloaded"
)

// Kinds lists every kind of record, in the order of an event's life.
func Kinds() []string {
	return []string{KindReceived, KindReplayed, KindRejected, KindRouted, KindUnrouted,
		KindSuppressed, KindAttempt, KindDelivered, KindFailed, KindDeadLettered,
		KindRulesReloaded}
}

// The values of Record.Outcome.
const (
	OutcomeRejected     = "rejected"
	OutcomeSuppressed   = "suppressed"
	OutcomeRetry        = "retry"
	OutcomeDelivered    = "delivered"
	OutcomeFailed       = "failed"
	OutcomeDeadLettered = "dead_lettered"
	OutcomeSuccess      = "success"
	OutcomeFailure      = "failure"
)

// Outcomes lists every outcome a record can have.
func Outcomes() []string {
	return []string{OutcomeDelivered, OutcomeFailed, OutcomeRetry, OutcomeSuppressed,
		OutcomeRejected, OutcomeDeadLettered, OutcomeSuccess, OutcomeFailure}
}

// Record is one entry of the audit trail. Which fields are set depends on
// Kind; empty fields are left out of the JSON.
type Record struct {
	// V is the record version, Version when written by this package.
	V int `json:"v"`
	// Time is when the worker made the record.
	Time time.Time `json:"time"`
	// Kind says what happened, one of Kinds().
	Kind string `json:"kind"`

	// EventID, Key, Source, Name, Severity and Status identify the event.
	EventID  string `json:"event_id,omitempty"`
	Key      string `json:"key,omitempty"`
	Source   string `json:"source,omitempty"`
	Name     string `json:"name,omitempty"`
	Severity string `json:"severity,omitempty"`
	Status   string `json:"status,omitempty"`
	// Subject is the NATS subject of a received or rejected message.
	Subject string `json:"subject,omitempty"`
	// PayloadSHA256 is the hex SHA-256 of the message as stored, on
	// received and replayed records.
	PayloadSHA256 string `json:"payload_sha256,omitempty"`

	// Routes are the routes a routed event matched, in file order.
	Routes []string `json:"routes,omitempty"`
	// Route, Receiver and Channel say which delivery a record is about.
	Route    string `json:"route,omitempty"`
	Receiver string `json:"receiver,omitempty"`
	Channel  string `json:"channel,omitempty"`
	// Attempt is the failed attempt's number on an attempt record, and the
	// attempts made on a delivered or failed record.
	Attempt int `json:"attempt,omitempty"`
	// Outcome is the verdict in one word, one of the Outcome constants.
	Outcome string `json:"outcome,omitempty"`
	// Reason explains the record: why a notification was sent (new,
	// repeat, escalated, resolved, replay), why it was suppressed
	// (duplicate, not_notified), why a message was rejected or
	// dead-lettered, or which dead letter a replay came from.
	Reason string `json:"reason,omitempty"`
	// Error is the failure, personal data masked, at most MaxErrorLen bytes.
	Error string `json:"error,omitempty"`

	// RulesFile, RulesHash and Trigger describe a rules load.
	RulesFile string `json:"rules_file,omitempty"`
	RulesHash string `json:"rules_hash,omitempty"`
	Trigger   string `json:"trigger,omitempty"`

	// Worker names the process that made the record (host:pid).
	Worker string `json:"worker,omitempty"`
}

// errorText turns err into what a record may keep: personal data masked
// by red, on one line, and cut at MaxErrorLen bytes on a character
// boundary.
func errorText(red *redact.Redactor, err error) string {
	if err == nil {
		return ""
	}
	s := strings.Join(strings.Fields(red.String(err.Error())), " ")
	if len(s) <= MaxErrorLen {
		return s
	}
	cut := MaxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
