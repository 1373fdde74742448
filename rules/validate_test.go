package rules

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// route1 is a valid route for fixtures that need one.
const route1 = "routes:\n  - name: r\n    receivers: [a]\n"

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"yaml syntax",
			"routes: [\n  - a\n", "rules.yaml:2:1: invalid YAML: did not find expected node content"},
		{"flow mapping with bare ${}",
			"receivers:\n  a:\n    slack: { token: ${T}, channel: x }\n",
			"rules.yaml:3:1: invalid YAML: did not find expected ',' or '}' " +
				"(in the block that starts here); " +
				`quote "${VAR}" values inside { }`},
		{"two documents", route1 + "---\nroutes: []\n", "rules.yaml:4:1: only one YAML document"},
		{"empty file", "", "rules.yaml:1:1: routes: no routes and no unrouted receivers"},
		{"top not a mapping", "- a\n", "rules.yaml:1:1: must be a mapping, not a list"},
		{"unknown top key", receiversYAML + route1 + "rutes: []\n",
			`rules.yaml:9:1: rutes: unknown key, did you mean "routes"?`},
		{"unknown key list", receiversYAML + route1 + "zzz: 1\n",
			"rules.yaml:9:1: zzz: unknown key (want defaults, receivers, redact_patterns, " +
				"routes, sensitive_labels, unrouted)"},
		{"duplicate top key", receiversYAML + route1 + "routes: []\n",
			"rules.yaml:9:1: routes: duplicate key (first at line 6)"},
		{"duplicate receiver", receiversYAML + "  a: { console: {} }\n" + route1,
			"rules.yaml:6:3: receivers.a: duplicate key (first at line 2)"},
		{"receiver without channel", "receivers:\n  a: { redact: true }\n" + route1,
			"rules.yaml:2:3: receivers.a: receiver has no channel"},
		{"invalid receiver name", "receivers:\n  'a b': { console: {} }\nunrouted: ['a b']\n",
			"rules.yaml:2:3: receivers.a b: invalid receiver name"},
		{"unknown channel key", "receivers:\n  a: { console: {}, slak: {} }\n" + route1,
			`rules.yaml:2:21: receivers.a.slak: unknown key, did you mean "slack"?`},
		{"console takes no keys", "receivers:\n  a: { console: { x: 1 } }\n" + route1,
			"rules.yaml:2:19: receivers.a.console.x: unknown key (this mapping takes no keys)"},
		{"redact not bool", "receivers:\n  a: { console: {}, redact: yes please }\n" + route1,
			"rules.yaml:2:29: receivers.a.redact: must be true or false, not a string"},
		{"channel list empty", "receivers:\n  a: { console: [] }\n" + route1,
			"rules.yaml:2:17: receivers.a.console: must not be an empty list"},
		{"slack neither", "receivers:\n  a:\n    slack: { channel: x }\n" + route1,
			"rules.yaml:3:12: receivers.a.slack.token: required with channel"},
		{"slack both",
			"receivers:\n  a:\n    slack: { token: t, channel: c, webhook_url: 'http://h' }\n" +
				route1, "rules.yaml:3:12: receivers.a.slack: set either webhook_url"},
		{"slack list item",
			"receivers:\n  a:\n    slack:\n      - { token: t, channel: c }\n      - {}\n" +
				route1, "rules.yaml:5:9: receivers.a.slack[1]: needs webhook_url, or token with channel"},
		{"slack api url",
			"receivers:\n  a:\n    slack: { token: t, channel: c, api_url: 'ftp://x/' }\n" +
				route1, `rules.yaml:3:45: receivers.a.slack.api_url: invalid URL "ftp://x/"`},
		{"pagerduty key", "receivers:\n  a:\n    pagerduty: {}\n" + route1,
			"rules.yaml:3:16: receivers.a.pagerduty.routing_key: required"},
		{"email required",
			"receivers:\n  a:\n    email: { host: h, to: [x@example.org] }\n" + route1,
			"rules.yaml:3:12: receivers.a.email.from: required"},
		{"email empty to",
			"receivers:\n  a:\n    email: { host: h, from: f@example.org, to: [] }\n" +
				route1, "rules.yaml:3:48: receivers.a.email.to: must list at least one address"},
		{"email bad address",
			"receivers:\n  a:\n    email: { host: h, from: nope, to: x@example.org }\n" +
				route1, `rules.yaml:3:29: receivers.a.email.from: invalid e-mail address "nope"`},
		{"email port",
			"receivers:\n  a:\n    email: { host: h, port: 70000, from: f@x.org, to: t@x.org }\n" +
				route1, "rules.yaml:3:29: receivers.a.email.port: port 70000 out of range"},
		{"email port type",
			"receivers:\n  a:\n    email: { host: h, port: abc, from: f@x.org, to: t@x.org }\n" +
				route1, "rules.yaml:3:29: receivers.a.email.port: must be an integer, not a string"},
		{"email tls",
			"receivers:\n  a:\n    email: { host: h, tls: maybe, from: f@x.org, to: t@x.org }\n" +
				route1, `rules.yaml:3:28: receivers.a.email.tls: unknown tls mode "maybe"`},
		{"email username alone",
			"receivers:\n  a:\n    email: { host: h, username: u, from: f@x.org, to: t@x.org }\n" +
				route1, "rules.yaml:3:12: receivers.a.email: username and password go together"},
		{"webhook url", "receivers:\n  a:\n    webhook: { headers: { X: y } }\n" + route1,
			"rules.yaml:3:14: receivers.a.webhook.url: required"},
		{"webhook url scheme",
			"receivers:\n  a:\n    webhook: { url: 'file:///etc/x' }\n" + route1,
			"rules.yaml:3:21: receivers.a.webhook.url: read secret file"},
		{"webhook header name",
			"receivers:\n  a:\n    webhook: { url: 'http://h', headers: { 'a b': c } }\n" +
				route1, "rules.yaml:3:44: receivers.a.webhook.headers.a b: invalid HTTP header name"},
		{"fallback unknown", "receivers:\n  a: { console: {}, fallback: [zz] }\n" + route1,
			`rules.yaml:2:32: receivers.a.fallback[0]: unknown receiver "zz" (defined: a)`},
		{"fallback self", "receivers:\n  a: { console: {}, fallback: a }\n" + route1,
			`rules.yaml:2:31: receivers.a.fallback: receiver "a" falls back to itself`},
		{"defaults unknown key", "defaults: { dedup: 1m }\n" + receiversYAML + route1,
			`rules.yaml:1:13: defaults.dedup: unknown key`},
		{"bad duration", "defaults: { dedup_window: 10 minutes }\n" + receiversYAML + route1,
			`rules.yaml:1:27: defaults.dedup_window: invalid duration "10 minutes"`},
		{"negative duration", "defaults: { dedup_window: -1m }\n" + receiversYAML + route1,
			`rules.yaml:1:27: defaults.dedup_window: duration "-1m" must not be negative`},
		{"zero repeat", "defaults: { repeat_interval: 0 }\n" + receiversYAML + route1,
			`rules.yaml:1:30: defaults.repeat_interval: must be more than zero`},
		{"ttl below repeat", "defaults: { state_ttl: 1h }\n" + receiversYAML + route1,
			`rules.yaml:1:24: defaults.state_ttl: state_ttl (1h0m0s) is shorter than repeat_interval`},
		{"route repeat above ttl", receiversYAML + route1 + "    repeat_interval: 8d\n",
			`rules.yaml:9:22: routes[0].repeat_interval: longer than defaults.state_ttl`},
		{"routes not a list", receiversYAML + "routes: { a: 1 }\n",
			"rules.yaml:6:9: routes: must be a list of routes, not a mapping"},
		{"route not a mapping", receiversYAML + "unrouted: [a]\nroutes: [x]\n",
			"rules.yaml:7:10: routes[0]: route must be a mapping, not a string"},
		{"route without name", receiversYAML + "routes:\n  - receivers: [a]\n",
			"rules.yaml:7:5: routes[0].name: route has no name"},
		{"route without receivers", receiversYAML + "routes:\n  - name: r\n",
			"rules.yaml:7:5: routes[0].receivers: route has no receivers"},
		{"route empty receivers", receiversYAML + "routes:\n  - name: r\n    receivers: []\n",
			"rules.yaml:8:16: routes[0].receivers: must list at least one receiver"},
		{"route receiver twice", receiversYAML + "routes:\n  - name: r\n    receivers: [a, a]\n",
			`rules.yaml:8:20: routes[0].receivers[1]: receiver "a" listed twice`},
		{"route unknown receiver", receiversYAML + "routes:\n  - name: r\n    receivers: [zz]\n",
			`rules.yaml:8:17: routes[0].receivers[0]: unknown receiver "zz" (defined: a, b, c, d)`},
		{"unrouted unknown receiver", receiversYAML + "unrouted: [zz]\n",
			`rules.yaml:6:12: unrouted[0]: unknown receiver "zz"`},
		{"duplicate route name", receiversYAML + route1 + "    continue: true\n" +
			"  - name: r\n    receivers: [b]\n",
			`rules.yaml:10:11: routes[1].name: duplicate route name "r" (first at line 7)`},
		{"invalid route name",
			receiversYAML + "routes:\n  - name: 'my route'\n    receivers: [a]\n",
			`rules.yaml:7:11: routes[0].name: invalid route name "my route"`},
		{"unknown route key", receiversYAML + route1 + "    contine: true\n",
			`rules.yaml:9:5: routes[0].contine: unknown key, did you mean "continue"?`},
		{"continue not bool", receiversYAML + route1 + "    continue: 1\n",
			`rules.yaml:9:15: routes[0].continue: must be true or false, not an integer`},
		{"unknown match key", receiversYAML + route1 + "    match: { sevrity: high }\n",
			`rules.yaml:9:14: routes[0].match.sevrity: unknown key, did you mean "severity"?`},
		{"duplicate match key", receiversYAML + route1 + "    match: { source: a, source: b }\n",
			`rules.yaml:9:25: routes[0].match.source: duplicate key (first at line 9)`},
		{"bad severity", receiversYAML + route1 + "    match: { severity: urgent }\n",
			`rules.yaml:9:24: routes[0].match.severity: unknown severity "urgent" (want critical,`},
		{"bad severity in list",
			receiversYAML + route1 + "    match: { severity: [high, '>=bad'] }\n",
			`rules.yaml:9:31: routes[0].match.severity[1]: unknown severity ">=bad"`},
		{"empty severity", receiversYAML + route1 + "    match: { severity: [] }\n",
			`rules.yaml:9:24: routes[0].match.severity: must list at least one severity`},
		{"bad status", receiversYAML + route1 + "    match: { status: open }\n",
			`rules.yaml:9:22: routes[0].match.status: unknown status "open" (want firing or resolved)`},
		{"empty glob", receiversYAML + route1 + "    match: { source: '' }\n",
			`rules.yaml:9:22: routes[0].match.source: pattern must not be empty`},
		{"glob not string", receiversYAML + route1 + "    match: { name: [a] }\n",
			`rules.yaml:9:20: routes[0].match.name: must be a string, not a list`},
		{"empty compliance", receiversYAML + route1 + "    match: { compliance: [] }\n",
			`rules.yaml:9:26: routes[0].match.compliance: must list at least one regime`},
		{"bad matcher syntax", receiversYAML + route1 + "    match: { matchers: ['env'] }\n",
			"rules.yaml:9:25: routes[0].match.matchers[0]: matcher `env`: needs an operator " +
				`(=, !=, =~ or !~) and a value after label name "env"`},
		{"bad regex", receiversYAML + route1 + "    match: { matchers: ['svc=~\"(x\"'] }\n",
			"rules.yaml:9:25: routes[0].match.matchers[0]: matcher `svc=~\"(x\"`: invalid regular"},
		{"match not mapping", receiversYAML + route1 + "    match: critical\n",
			`rules.yaml:9:12: routes[0].match: must be a mapping, not a string`},
		{"merge key", receiversYAML + route1 + "    match: { <<: {} }\n",
			`rules.yaml:9:14: routes[0].match: merge keys (<<) are not supported`},
		{"unreachable", receiversYAML + "routes:\n  - name: all\n    receivers: [a]\n" +
			"  - name: never\n    match: { source: x }\n    receivers: [b]\n",
			`rules.yaml:9:5: routes[1]: unreachable: route "all" at line 7 matches every event`},
		{"unreachable after empty match",
			receiversYAML + "routes:\n  - name: all\n    match: {}\n" +
				"    receivers: [a]\n  - name: never\n    receivers: [b]\n",
			`rules.yaml:10:5: routes[1]: unreachable: route "all" at line 7 matches every event`},
		{"unreachable after star",
			receiversYAML + "routes:\n  - name: all\n    match: {source: '*'}\n" +
				"    receivers: [a]\n  - name: never\n    receivers: [b]\n",
			`rules.yaml:10:5: routes[1]: unreachable: route "all" at line 7`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := parseErrs(t, tt.src)
			require.Len(t, msgs, 1, strings.Join(msgs, "\n"))
			require.Contains(t, msgs[0], tt.want)
		})
	}
}

func TestValidationFallbackCycle(t *testing.T) {
	msgs := parseErrs(t, `receivers:
  a: { console: {}, fallback: [b] }
  b: { console: {}, fallback: [c] }
  c: { console: {}, fallback: [a] }
unrouted: [a]
`)
	require.Equal(t, []string{
		"rules.yaml:2:32: receivers.a.fallback[0]: fallback cycle: a -> b -> c -> a",
		"rules.yaml:3:32: receivers.b.fallback[0]: fallback cycle: b -> c -> a -> b",
		"rules.yaml:4:32: receivers.c.fallback[0]: fallback cycle: c -> a -> b -> c",
	}, msgs)
}

func TestValidationReportsEveryMistake(t *testing.T) {
	msgs := parseErrs(t, `defaults:
  dedup_window: soon
receivers:
  oncall:
    pagerduty: {}
  chat:
    slack: { channel: "#x", token: t }
    fallback: [nobody]
  oncall:
    console: {}
unrouted: [ghost]
routes:
  - name: first
    match:
      severity: urgent
      matchers: ['service=~"records(-.*"']
    receivers: [oncall, missing]
  - receivers: [chat]
    colour: red
`)
	require.Equal(t, []string{
		`rules.yaml:2:17: defaults.dedup_window: invalid duration "soon" (want e.g. 30s, 10m, 4h or 7d)`,
		"rules.yaml:5:16: receivers.oncall.pagerduty.routing_key: required",
		`rules.yaml:8:16: receivers.chat.fallback[0]: unknown receiver "nobody" (defined: chat, oncall)`,
		"rules.yaml:9:3: receivers.oncall: duplicate key (first at line 4)",
		`rules.yaml:11:12: unrouted[0]: unknown receiver "ghost" (defined: chat, oncall)`,
		`rules.yaml:15:17: routes[0].match.severity: unknown severity "urgent" ` +
			`(want critical, high, warning or info, optionally after >=, >, <=, < or !=)`,
		"rules.yaml:16:18: routes[0].match.matchers[0]: matcher `service=~\"records(-.*\"`: " +
			"invalid regular expression: error parsing regexp: missing closing ): `records(-.*`",
		`rules.yaml:17:25: routes[0].receivers[1]: unknown receiver "missing" (defined: chat, oncall)`,
		"rules.yaml:18:5: routes[1].name: route has no name",
		`rules.yaml:19:5: routes[1].colour: unknown key (want continue, dedup_window, match, ` +
			`name, receivers, repeat_interval)`,
	}, msgs)
}

func TestErrorFormat(t *testing.T) {
	errs := Errors{
		{File: "f.yaml", Line: 3, Col: 7, Path: "routes[0].name", Msg: "route has no name"},
		{File: "f.yaml", Line: 1, Col: 1, Msg: "invalid YAML: x"},
	}
	require.Equal(t, "f.yaml:3:7: routes[0].name: route has no name\nf.yaml:1:1: invalid YAML: x",
		errs.Error())
}

func TestValidOddities(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"only unrouted", receiversYAML + "unrouted: a\n"},
		{"null console", "receivers:\n  a:\n    console:\nunrouted: [a]\n"},
		{"anchors and aliases",
			"receivers:\n  a: &c { console: {} }\n  b: *c\nunrouted: [a, b]\n"},
		{"catch-all last", receiversYAML + "routes:\n  - name: x\n    match: {source: x}\n" +
			"    receivers: [a]\n  - name: all\n    receivers: [b]\n"},
		{"catch-all with continue",
			receiversYAML + "routes:\n  - name: all\n    receivers: [a]\n" +
				"    continue: true\n  - name: x\n    receivers: [b]\n"},
		{"zero dedup window", receiversYAML + route1 + "    dedup_window: 0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parse(t, tt.src)
			require.NotEmpty(t, r.Receivers)
			require.Len(t, r.Hash, 64)
		})
	}
}
