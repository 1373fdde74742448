package rules

import (
	"fmt"
	"sort"
)

// kind is what the value of a key must be. The decoder checks it with
// its own helpers; Schema turns it into JSON Schema.
type kind int

const (
	kindString         kind = iota // any text
	kindText                       // text that is not empty or blank
	kindBool                       // true or false
	kindPort                       // an integer 1-65535
	kindDuration                   // 30s, 10m, 4h, 7d, 1d12h; zero allowed
	kindPositive                   // a duration above zero
	kindSecret                     // text, ${VAR} or file:/path
	kindCredential                 // a kindSecret that is not empty or blank
	kindURL                        // an http(s) URL
	kindSecretURL                  // an http(s) URL, ${VAR} or file:/path
	kindAddress                    // one e-mail address
	kindAddresses                  // one e-mail address or a list
	kindReceiverRefs               // one receiver name or a list
	kindSeverities                 // a level, a comparison, or a list
	kindStatuses                   // firing, resolved, or a list
	kindPattern                    // a glob: '*' any run, '?' one character
	kindRegimes                    // one compliance regime or a list
	kindMatchers                   // one Alertmanager matcher or a list
	kindTLS                        // mandatory, opportunistic or none
	kindHeaders                    // header name to (secret) value
	kindSection                    // a mapping described by sub
	kindChannel                    // a mapping described by sub, or a list
	kindReceiverMap                // receiver name to a mapping described by sub
	kindRouteList                  // a list of mappings described by sub
	kindRedactPatterns             // pattern name to regular expression
	kindLabelNames                 // one label name or a list
)

// field is one key a mapping of the rules file may hold.
type field struct {
	name string
	kind kind
	desc string
	// sub describes the nested mapping of the section kinds.
	sub *section
}

// section is one kind of mapping in the rules file: the keys it takes,
// in the order the documentation lists them. The decoder rejects every
// key not listed here, and Schema is built from the same lists, so the
// two cannot disagree. Sections are read-only once declared.
type section struct {
	name   string
	desc   string
	fields []field
	// required keys must be present.
	required []string
	// oneOf, when set, lists sets of keys of which exactly one must be
	// present in full; anyOf, sets of which at least one must be.
	oneOf [][]string
	anyOf [][]string
}

// field returns the field named key, if the section has it.
func (s *section) field(key string) (field, bool) {
	for _, f := range s.fields {
		if f.name == key {
			return f, true
		}
	}
	return field{}, false
}

// names returns the section's keys in sorted order.
func (s *section) names() []string {
	out := make([]string, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.name
	}
	sort.Strings(out)
	return out
}

// mustCover panics unless hs has a handler for exactly the section's
// keys: a decoder out of step with the table is a bug, and any test that
// reads a mapping of this section finds it at once.
func (s *section) mustCover(hs map[string]handler) {
	for _, f := range s.fields {
		if hs[f.name] == nil {
			panic(fmt.Sprintf("rules: section %s: key %q has no decoder", s.name, f.name))
		}
	}
	if len(hs) != len(s.fields) {
		for key := range hs {
			if _, ok := s.field(key); !ok {
				panic(fmt.Sprintf("rules: section %s: decoder for %q is not in the table",
					s.name, key))
			}
		}
	}
}

var secretNote = " Write ${VAR} to read an environment variable, or file:/path to read a " +
	"file, when the rules are loaded; never the secret itself."

var consoleSection = section{
	name: "console",
	desc: "Prints readable lines on standard output. Takes no keys: write console: {}.",
}

var slackSection = section{
	name: "slack",
	desc: "A Slack destination: a bot token with a channel, or an incoming webhook URL.",
	fields: []field{
		{name: "token", kind: kindCredential,
			desc: "Bot token (xoxb-...) for chat.postMessage; needs channel." + secretNote},
		{name: "channel", kind: kindText,
			desc: `Channel to post in, such as "#alerts" or a channel ID; needs token.`},
		{name: "webhook_url", kind: kindSecretURL,
			desc: "Incoming webhook URL, instead of token and channel." + secretNote},
		{name: "api_url", kind: kindURL,
			desc: "Overrides Slack's Web API base URL (a trailing / is added)."},
	},
	oneOf: [][]string{{"webhook_url"}, {"token", "channel"}},
}

var pagerDutySection = section{
	name: "pagerduty",
	desc: "A PagerDuty Events API v2 integration. Resolved events close the incident.",
	fields: []field{
		{name: "routing_key", kind: kindCredential,
			desc: "Integration (routing) key of the service." + secretNote},
		{name: "events_url", kind: kindURL,
			desc: "Events API base URL, e.g. https://events.eu.pagerduty.com for the EU " +
				"service region; /v2/enqueue is appended."},
	},
	required: []string{"routing_key"},
}

var emailSection = section{
	name: "email",
	desc: "An SMTP destination.",
	fields: []field{
		{name: "host", kind: kindText, desc: "SMTP server host name."},
		{name: "port", kind: kindPort, desc: "SMTP server port; 587 when not set."},
		{name: "tls", kind: kindTLS,
			desc: "mandatory (STARTTLS required, the default), opportunistic, or none."},
		{name: "from", kind: kindAddress, desc: "Sender address."},
		{name: "to", kind: kindAddresses, desc: "Recipient address, or a list of them."},
		{name: "username", kind: kindText, desc: "SMTP AUTH user; needs password."},
		{name: "password", kind: kindCredential,
			desc: "SMTP AUTH password; needs username." + secretNote},
	},
	required: []string{"host", "from", "to"},
}

var webhookSection = section{
	name: "webhook",
	desc: "A generic JSON POST destination.",
	fields: []field{
		{name: "url", kind: kindSecretURL,
			desc: "URL to POST the notification to." + secretNote},
		{name: "headers", kind: kindHeaders,
			desc: "Extra HTTP headers, name to value; values may be secrets." + secretNote},
	},
	required: []string{"url"},
}

var receiverSection = section{
	name: "receiver",
	desc: "A named set of channels that get the same notifications. Each channel key " +
		"takes one destination or a list of them.",
	fields: []field{
		{name: "slack", kind: kindChannel, sub: &slackSection, desc: slackSection.desc},
		{name: "pagerduty", kind: kindChannel, sub: &pagerDutySection,
			desc: pagerDutySection.desc},
		{name: "email", kind: kindChannel, sub: &emailSection, desc: emailSection.desc},
		{name: "webhook", kind: kindChannel, sub: &webhookSection, desc: webhookSection.desc},
		{name: "console", kind: kindChannel, sub: &consoleSection, desc: consoleSection.desc},
		{name: "redact", kind: kindBool,
			desc: "Mask personal data (CPF, CNPJ, e-mail, phone, card numbers) before " +
				"notifications are built."},
		{name: "fallback", kind: kindReceiverRefs,
			desc: "Receivers that get the notification when this one's delivery fails " +
				"for good."},
	},
	anyOf: [][]string{{"slack"}, {"pagerduty"}, {"email"}, {"webhook"}, {"console"}},
}

var matchSection = section{
	name: "match",
	desc: "Conditions an event must all meet; a route without match takes every event.",
	fields: []field{
		{name: "severity", kind: kindSeverities,
			desc: `One level, a comparison such as ">=high", or a list of them (any of).`},
		{name: "status", kind: kindStatuses, desc: "firing, resolved, or a list (any of)."},
		{name: "source", kind: kindPattern,
			desc: `Pattern for the event's source; '*' matches any run, '/' included ` +
				`("ci/*"), '?' one character.`},
		{name: "name", kind: kindPattern, desc: "Pattern for the event's name, as source."},
		{name: "compliance", kind: kindRegimes,
			desc: "The event touches any of these regimes (LGPD, HIPAA...); case-insensitive."},
		{name: "compliance_all", kind: kindRegimes,
			desc: "The event touches all of these regimes."},
		{name: "matchers", kind: kindMatchers,
			desc: `Alertmanager label matchers, all of which must hold: env="prod", ` +
				`service=~"records-.*", team!="x", name!~"y"; regexes are anchored.`},
	},
}

var routeSection = section{
	name: "route",
	desc: "Sends matching events to its receivers. Routes are tried in order; the first " +
		"match wins unless it says continue: true.",
	fields: []field{
		{name: "name", kind: kindString,
			desc: "Unique route name (letters, digits, '-', '_' or '.'), used in metrics."},
		{name: "match", kind: kindSection, sub: &matchSection, desc: matchSection.desc},
		{name: "receivers", kind: kindReceiverRefs,
			desc: "Receivers that get the matching events, in order."},
		{name: "continue", kind: kindBool,
			desc: "Also try the routes below after this one matched."},
		{name: "dedup_window", kind: kindDuration,
			desc: "Repeats of the same alert within this time are suppressed; " +
				"defaults.dedup_window when not set."},
		{name: "repeat_interval", kind: kindPositive,
			desc: "An alert still firing is notified again after this long; " +
				"defaults.repeat_interval when not set."},
	},
	required: []string{"name", "receivers"},
}

var defaultsSection = section{
	name: "defaults",
	desc: "Timing for routes that do not set their own.",
	fields: []field{
		{name: "dedup_window", kind: kindDuration,
			desc: "Repeats of the same alert within this time are suppressed (default 10m)."},
		{name: "repeat_interval", kind: kindPositive,
			desc: "An alert still firing is notified again after this long (default 4h)."},
		{name: "state_ttl", kind: kindPositive,
			desc: "How long a notified alert is remembered, so that a late resolved still " +
				"clears it (default 7d); not shorter than repeat_interval."},
	},
}

var topSection = section{
	name: "rules file",
	desc: "alertrouter routing rules: receivers, and the routes that send events to them.",
	fields: []field{
		{name: "defaults", kind: kindSection, sub: &defaultsSection,
			desc: defaultsSection.desc},
		{name: "receivers", kind: kindReceiverMap, sub: &receiverSection,
			desc: "Receivers by name (letters, digits, '-', '_' or '.')."},
		{name: "unrouted", kind: kindReceiverRefs,
			desc: "Receivers of events that match no route; such events are never dropped."},
		{name: "routes", kind: kindRouteList, sub: &routeSection,
			desc: "Routes, tried in order."},
		{name: "redact_patterns", kind: kindRedactPatterns,
			desc: "Extra personal data to mask for receivers with redact: true, name to " +
				"regular expression (Go RE2 syntax, unanchored); a match becomes " +
				"[REDACTED:name]. Names use a-z, 0-9, '_' and '-'."},
		{name: "sensitive_labels", kind: kindLabelNames,
			desc: "Labels (and annotations) whose whole value is replaced by [REDACTED] " +
				"for receivers with redact: true; names compare case-insensitively."},
	},
	// With neither, every event would reach nobody.
	anyOf: [][]string{{"routes"}, {"unrouted"}},
}
