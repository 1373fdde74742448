package rules

import (
	"testing"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/stretchr/testify/require"
)

// receiversYAML defines console receivers a, b, c and d for tests.
const receiversYAML = `receivers:
  a: { console: {} }
  b: { console: {} }
  c: { console: {} }
  d: { console: {} }
`

// parse loads inline YAML with no environment and fails the test on error.
func parse(t *testing.T, src string) *Rules {
	t.Helper()
	r, err := Parse("rules.yaml", []byte(src), Options{LookupEnv: noEnv})
	require.NoError(t, err)
	return r
}

// parseErrs loads inline YAML that must be invalid and returns its
// messages.
func parseErrs(t *testing.T, src string) []string {
	t.Helper()
	_, err := Parse("rules.yaml", []byte(src), Options{LookupEnv: noEnv})
	require.Error(t, err)

	var errs Errors
	require.ErrorAs(t, err, &errs)
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return msgs
}

func noEnv(string) (string, bool) { return "", false }

// routeWith builds rules with one route whose match section is match.
func routeWith(t *testing.T, match string) *Route {
	t.Helper()
	r := parse(t, receiversYAML+"routes:\n  - name: r\n    match: "+match+"\n    receivers: [a]\n")
	require.Len(t, r.Routes, 1)
	return r.Routes[0]
}

// event is a firing warning from monitor/api with the given changes.
func event(change func(*alert.Event)) *alert.Event {
	ev := &alert.Event{
		Source:   "monitor/api",
		Name:     "latency_high",
		Severity: alert.SeverityWarning,
		Status:   alert.StatusFiring,
	}
	if change != nil {
		change(ev)
	}
	return ev
}

func withSeverity(s alert.Severity) func(*alert.Event) {
	return func(ev *alert.Event) { ev.Severity = s }
}

func withLabels(kv ...string) func(*alert.Event) {
	return func(ev *alert.Event) {
		ev.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			ev.Labels[kv[i]] = kv[i+1]
		}
	}
}
