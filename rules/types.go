// Package rules reads, validates and evaluates the routing rules file:
// which receivers exist, which routes send which events to them, and the
// dedup timing of each route. It is pure: no network, no logging.
package rules

import (
	"regexp"
	"time"
)

// Built-in defaults for a rules file that sets none.
const (
	DefaultDedupWindow    = 10 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
	DefaultStateTTL       = 7 * 24 * time.Hour
)

// Rules is a loaded, validated rules file.
type Rules struct {
	// File is the path the rules were read from, for messages.
	File string
	// Hash is the hex SHA-256 of the file's bytes, before expansion.
	Hash string
	// Defaults apply to routes that do not set their own timing.
	Defaults Defaults
	// Receivers by name.
	Receivers map[string]*Receiver
	// Routes in file order.
	Routes []*Route
	// Unrouted names the receivers of events that match no route.
	Unrouted []string
	// RedactPatterns are extra kinds of personal data that receivers
	// with Redact mask, in file order.
	RedactPatterns []RedactPattern
	// SensitiveLabels name the labels and annotations whose whole value
	// receivers with Redact mask, as written in the file.
	SensitiveLabels []string
}

// RedactPattern is one entry of redact_patterns: matches of Pattern are
// masked as [REDACTED:Name].
type RedactPattern struct {
	Name    string
	Pattern *regexp.Regexp
}

// Defaults are the rules-wide timing settings.
type Defaults struct {
	// DedupWindow: a firing within this time of the previous event for the
	// same key is a duplicate; after a quiet gap this long the alert is
	// treated as new.
	DedupWindow time.Duration
	// RepeatInterval: an alert still firing is notified again this long
	// after its last notification.
	RepeatInterval time.Duration
	// StateTTL bounds how long the router remembers an alert that was
	// notified, so that a late resolved still clears it.
	StateTTL time.Duration
}

// Receiver is a named set of channels that get the same notifications.
type Receiver struct {
	Name string
	// Redact masks personal data before notifications are built.
	Redact bool
	// Fallback receivers get the notification when this one fails for good.
	Fallback []string

	Slack     []SlackConfig
	PagerDuty []PagerDutyConfig
	Email     []EmailConfig
	Webhook   []WebhookConfig
	Console   []ConsoleConfig
}

// Secret is a credential expanded from ${ENV} or file:/path. It prints
// masked, so that it cannot leak through logs or error messages.
type Secret string

// String masks the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<secret>"
}

// MarshalText masks the value too, for JSON and YAML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Value returns the secret in clear, for the one place that needs it.
func (s Secret) Value() string { return string(s) }

// SlackConfig is one Slack destination: a bot token with a channel, or an
// incoming webhook URL.
type SlackConfig struct {
	// APIURL overrides Slack's Web API base URL (it must end in "/").
	APIURL     string
	WebhookURL Secret
	Token      Secret
	Channel    string
}

// PagerDutyConfig is one PagerDuty Events API v2 integration.
type PagerDutyConfig struct {
	RoutingKey Secret
	// EventsURL overrides the Events API base URL (for the EU region or a
	// test server); the client appends /v2/enqueue.
	EventsURL string
}

// EmailConfig is one SMTP destination.
type EmailConfig struct {
	Host     string
	Port     int
	From     string
	To       []string
	Username string
	Password Secret
	// TLS is mandatory (STARTTLS required, the default), opportunistic
	// or none.
	TLS string
}

// WebhookConfig is a generic JSON POST destination.
type WebhookConfig struct {
	URL     Secret
	Headers map[string]Secret
}

// ConsoleConfig prints readable lines on standard output.
type ConsoleConfig struct{}

// Route sends matching events to its receivers.
type Route struct {
	Name      string
	Receivers []string
	// Continue lets later routes match too.
	Continue       bool
	DedupWindow    time.Duration
	RepeatInterval time.Duration
	// Line is where the route starts in the file.
	Line int

	match matcher
}

// Result is where an event goes: the routes that matched, in file order,
// and their receivers in delivery order without repeats.
type Result struct {
	Routes    []*Route
	Receivers []string
	// Unrouted is true when no route matched and the top-level unrouted
	// receivers (possibly none) apply.
	Unrouted bool
}
