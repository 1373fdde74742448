package main

import (
	"encoding/json"
	"slices"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
)

const redactRulesYAML = `receivers:
  pager: { console: {} }
  chat: { console: {}, redact: true }
  chat2: { console: {}, redact: true }
redact_patterns: { mrn: 'MRN-[0-9]+' }
sensitive_labels: [patient]
routes:
  - name: all
    receivers: [pager, chat, chat2]
`

const cpfEvent = `{"source":"monitor/records","name":"export_failed","severity":"high",
"title":"export of MRN-0042 failed","description":"patient CPF 529.982.247-25",
"labels":{"service":"records","patient":"Maria Souza"}}`

func TestRouteShowsRedactedText(t *testing.T) {
	p := writeFile(t, "r.yaml", redactRulesYAML)

	code, out, errOut := runCLI(t, cpfEvent, "route", "--rules", p, "-")

	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "redacted:  what chat, chat2 would get\n")
	require.Contains(t, out, "  title:       export of [REDACTED:mrn] failed\n")
	require.Contains(t, out, "  description: patient CPF [REDACTED:cpf]\n")
	require.Contains(t, out, "  labels:      patient=[REDACTED], service=records\n")
}

func TestRouteJSONRedacted(t *testing.T) {
	p := writeFile(t, "r.yaml", redactRulesYAML)

	code, out, errOut := runCLI(t, cpfEvent, "route", "--rules", p, "-o", "json", "-")

	require.Equal(t, 0, code, errOut)
	var ans routeAnswer
	require.NoError(t, json.Unmarshal([]byte(out), &ans))
	require.Equal(t, []string{"pager", "chat", "chat2"}, ans.Receivers)
	require.Len(t, ans.Redacted, 2, "only receivers marked redact")
	require.Equal(t, redactedText{
		Title:       "export of [REDACTED:mrn] failed",
		Description: "patient CPF [REDACTED:cpf]",
		Labels:      map[string]string{"service": "records", "patient": "[REDACTED]"},
	}, ans.Redacted["chat"])
	require.Equal(t, ans.Redacted["chat"], ans.Redacted["chat2"])
}

func TestRouteWithoutRedactReceivers(t *testing.T) {
	p := writeFile(t, "r.yaml", "receivers:\n  pager: { console: {} }\n"+
		"routes: [{ name: all, receivers: [pager] }]\n")

	code, out, errOut := runCLI(t, cpfEvent, "route", "--rules", p, "-o", "json", "-")
	require.Equal(t, 0, code, errOut)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &keys))
	require.NotContains(t, keys, "redacted")
	require.Contains(t, keys, "receivers")

	code, out, _ = runCLI(t, cpfEvent, "route", "--rules", p, "-")
	require.Equal(t, 0, code)
	require.NotContains(t, out, "redacted")
}

// TestRouteTextEscapesEventText checks that the text output shows an
// event's control characters and bidi controls as escapes, never raw. The
// decoder refuses them in the id, source, name and dedup key, so only the
// text and the labels can hold them.
func TestRouteTextEscapesEventText(t *testing.T) {
	p := writeFile(t, "r.yaml", redactRulesYAML)
	event := `{"source":"ci/x","name":"disk_full","severity":"high",
"title":"a\u0007b","description":"one\ntwo","labels":{"k\u009b":"v\u2066"}}`

	code, out, errOut := runCLI(t, event, "route", "--rules", p, "-")

	require.Equal(t, 0, code, errOut)
	for _, r := range out {
		require.True(t, r == '\n' || unicode.IsPrint(r), "%U printed raw in:\n%s", r, out)
	}
	require.Contains(t, out, `event:     disk_full from ci/x (high, firing)`)
	require.Contains(t, out, `title:       "a\ab"`)
	require.Contains(t, out, `description: "one\ntwo"`)
	require.Contains(t, out, `labels:      "k\u009b"="v\u2066"`)
}

// TestEmptyDedupKeyRefused checks that an empty dedup key is an error, as
// an empty id is, in an event file and from publish's flags.
func TestEmptyDedupKeyRefused(t *testing.T) {
	flags := []string{"publish", "--nats-url", "nats://127.0.0.1:1", "--source", "s",
		"--name", "n", "--severity", "info"}
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"event file", `{"source":"s","name":"n","severity":"info","dedup_key":""}`,
			[]string{"route", "--rules", consoleRules, "-"}, "dedup_key: must not be empty"},
		{"publish flag", "", slices.Concat(flags, []string{"--dedup-key", ""}),
			"--dedup-key: must not be empty"},
		{"publish id flag", "", slices.Concat(flags, []string{"--event-id", " "}),
			"--event-id: must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.stdin, tt.args...)
			require.Equal(t, 1, code)
			require.Contains(t, errOut, tt.want)
		})
	}
}
