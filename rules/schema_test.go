package rules

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite examples/rules/schema.json from Schema()")

var schemaFile = filepath.Join("..", "examples", "rules", "schema.json")

func TestSchemaFileUpToDate(t *testing.T) {
	want, err := Schema()
	require.NoError(t, err)

	if *update {
		require.NoError(t, os.WriteFile(schemaFile, want, 0o644))
	}
	got, err := os.ReadFile(schemaFile)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "%s is out of date with the rules key "+
		"tables; regenerate it with: go test ./rules -run TestSchemaFileUpToDate -update",
		schemaFile)
}

// compileSchema compiles Schema() with a validator that implements the
// 2020-12 draft.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := Schema()
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)

	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("rules.schema.json", doc))
	sch, err := c.Compile("rules.schema.json")
	require.NoError(t, err)
	return sch
}

// yamlInstance turns YAML into the JSON values a validator reads.
func yamlInstance(t *testing.T, src string) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal([]byte(src), &v))
	data, err := json.Marshal(v)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)
	return inst
}

func TestExamplesMatchSchema(t *testing.T) {
	sch := compileSchema(t)
	files, err := filepath.Glob(filepath.Join("..", "examples", "rules", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)

	for _, file := range files {
		if strings.HasSuffix(file, "_test.yaml") {
			continue // routing test cases, not rules files
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			require.NoError(t, sch.Validate(yamlInstance(t, string(data))))
		})
	}
}

// everyKey uses every key of every section, so decoding it runs each
// section's handlers past mustCover; it is valid for the decoder and the
// schema alike.
const everyKey = `
defaults: { dedup_window: 0, repeat_interval: 1h, state_ttl: 1d12h }
receivers:
  all:
    slack:
      - { token: "${T}", channel: "#a", api_url: "http://localhost/api/" }
      - { webhook_url: "file:/run/secrets/hook" }
    pagerduty: { routing_key: k, events_url: "https://events.eu.pagerduty.com" }
    email:
      host: h
      port: 25
      tls: opportunistic
      from: a@example.org
      to: [b@example.org]
      username: u
      password: "${P}"
    webhook: { url: "https://example.org/h", headers: { X-Token: "${X}" } }
    console: {}
    redact: true
    fallback: other
  other:
    console:
unrouted: [other]
redact_patterns: { patient_id: 'PAT-[0-9]+' }
sensitive_labels: [patient]
routes:
  - name: r
    match:
      severity: [">=high", info]
      status: firing
      source: "ci/*"
      name: "x?"
      compliance: [lgpd]
      compliance_all: HIPAA
      matchers: ['env="prod"', 'svc=~"a.*"']
    receivers: [all]
    continue: true
    dedup_window: 5m
    repeat_interval: 30m
`

func TestEveryKeyDecodesAndValidates(t *testing.T) {
	_, err := Parse("rules.yaml", []byte(everyKey), Options{SkipSecrets: true})
	require.NoError(t, err)
	require.NoError(t, compileSchema(t).Validate(yamlInstance(t, everyKey)))
}

func TestMustCoverCatchesDrift(t *testing.T) {
	noop := func(*yaml.Node, string) {}
	tests := []struct {
		name string
		sec  *section
		hs   map[string]handler
		want string
	}{
		{"handler missing", &pagerDutySection, map[string]handler{"routing_key": noop},
			`rules: section pagerduty: key "events_url" has no decoder`},
		{"handler not in table", &webhookSection,
			map[string]handler{"url": noop, "headers": noop, "x": noop},
			`rules: section webhook: decoder for "x" is not in the table`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.PanicsWithValue(t, tt.want, func() { tt.sec.mustCover(tt.hs) })
		})
	}
}

// TestSchemaAgreesWithDecoder feeds the same mistakes to both: the schema
// must reject each one the decoder rejects.
func TestSchemaAgreesWithDecoder(t *testing.T) {
	sch := compileSchema(t)
	const recv = "receivers:\n  a: { console: {} }\n"
	route := func(extra string) string {
		return recv + "routes:\n  - name: r\n    receivers: [a]\n" + extra
	}
	tests := []struct {
		name string
		src  string
	}{
		{"unknown top key", recv + "unrouted: [a]\nrutes: []\n"},
		{"no routes and no unrouted", recv},
		{"unknown route key", route("    contineu: true\n")},
		{"unknown match key", route("    match: { sevrity: high }\n")},
		{"bad severity", route("    match: { severity: urgent }\n")},
		{"bad comparison", route("    match: { severity: '>>high' }\n")},
		{"bad status", route("    match: { status: open }\n")},
		{"bad matcher", route("    match: { matchers: ['=\"x\"'] }\n")},
		{"bad duration", route("    dedup_window: 10 minutes\n")},
		{"route without receivers", recv + "routes:\n  - name: r\n"},
		{"receiver without channel", "receivers:\n  a: { redact: true }\nunrouted: [a]\n"},
		{"bad receiver name", "receivers:\n  'a b': { console: {} }\nunrouted: ['a b']\n"},
		{"console with keys", "receivers:\n  a: { console: { x: 1 } }\nunrouted: [a]\n"},
		{"slack both ways", "receivers:\n  a:\n    slack: { token: t, channel: c, " +
			"webhook_url: 'https://h' }\nunrouted: [a]\n"},
		{"slack token alone", "receivers:\n  a:\n    slack: { token: t }\nunrouted: [a]\n"},
		{"pagerduty without key", "receivers:\n  a:\n    pagerduty: {}\nunrouted: [a]\n"},
		{"pagerduty empty key", "receivers:\n  a:\n    pagerduty: { routing_key: '' }\n" +
			"unrouted: [a]\n"},
		{"slack blank token", "receivers:\n  a:\n    slack: { token: ' ', channel: c }\n" +
			"unrouted: [a]\n"},
		{"slack empty channel", "receivers:\n  a:\n    slack: { token: t, channel: '' }\n" +
			"unrouted: [a]\n"},
		{"slack empty webhook", "receivers:\n  a:\n    slack: { webhook_url: '' }\n" +
			"unrouted: [a]\n"},
		{"webhook empty url", "receivers:\n  a:\n    webhook: { url: '' }\nunrouted: [a]\n"},
		{"email empty host", "receivers:\n  a:\n    email: { host: '', from: f@x.org, " +
			"to: t@x.org }\nunrouted: [a]\n"},
		{"email empty username", "receivers:\n  a:\n    email: { host: h, from: f@x.org, " +
			"to: t@x.org, username: '', password: p }\nunrouted: [a]\n"},
		{"email blank password", "receivers:\n  a:\n    email: { host: h, from: f@x.org, " +
			"to: t@x.org, username: u, password: ' ' }\nunrouted: [a]\n"},
		{"email tls", "receivers:\n  a:\n    email: { host: h, from: f@x.org, to: t@x.org, " +
			"tls: maybe }\nunrouted: [a]\n"},
		{"email port", "receivers:\n  a:\n    email: { host: h, from: f@x.org, to: t@x.org, " +
			"port: 70000 }\nunrouted: [a]\n"},
		{"webhook url scheme", "receivers:\n  a:\n    webhook: { url: 'ftp://h' }\n" +
			"unrouted: [a]\n"},
		{"empty channel list", "receivers:\n  a: { console: [] }\nunrouted: [a]\n"},
		{"redact pattern name", recv + "unrouted: [a]\nredact_patterns: { Patient: x }\n"},
		{"redact pattern not text", recv + "unrouted: [a]\nredact_patterns: { p: [x] }\n"},
		{"sensitive label name", recv + "unrouted: [a]\nsensitive_labels: ['a-b']\n"},
		{"sensitive labels empty", recv + "unrouted: [a]\nsensitive_labels: []\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("rules.yaml", []byte(tt.src), Options{SkipSecrets: true})
			require.Error(t, err, "the decoder must reject this fixture")
			require.Error(t, sch.Validate(yamlInstance(t, tt.src)))
		})
	}
}

func TestDurationPatternAgreesWithDecoder(t *testing.T) {
	re := regexp.MustCompile(durationPattern)
	tests := []string{
		"0", "30s", "10m", "4h", "7d", "1d12h", "1.5h", ".5s", "1h30m", "250ms", "2us",
		"", "d", "7", "1d1", "10 minutes", "-1h", "h", "1w", "1d-1h", "1.2.3s",
	}
	for _, s := range tests {
		t.Run(s, func(t *testing.T) {
			v, err := parseDuration(s)
			require.Equal(t, err == nil && v >= 0, re.MatchString(s))
		})
	}
}

func TestSeverityPatternAgreesWithDecoder(t *testing.T) {
	sch := compileSchema(t)
	tests := []string{
		"critical", ">=high", "> warning", "<info", "!=critical", "=high", "<= high",
		"urgent", ">>high", "=>high", "high+",
	}
	for _, s := range tests {
		t.Run(s, func(t *testing.T) {
			src := "receivers: { a: { console: {} } }\nroutes:\n  - name: r\n" +
				"    receivers: [a]\n    match: { severity: '" + s + "' }\n"
			_, err := parseSeveritySpec(s)
			valid := sch.Validate(yamlInstance(t, src)) == nil
			require.Equal(t, err == nil, valid)
		})
	}
}
