package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// runCLI runs the command line in-process and returns exit code, stdout
// and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

const consoleRules = "../../examples/rules/console.yaml"

func TestCheck(t *testing.T) {
	t.Run("valid file", func(t *testing.T) {
		code, out, _ := runCLI(t, "", "check", consoleRules)
		require.Equal(t, 0, code)
		require.Contains(t, out, "OK")
	})

	t.Run("every error listed, exit 1", func(t *testing.T) {
		bad := writeFile(t, "bad.yaml", `receivers:
  a: { console: {} }
routes:
  - name: r1
    match: { severity: urgent }
    receivers: [nobody]
  - name: r1
    receivers: [a]
    colour: blue
`)
		code, _, errOut := runCLI(t, "", "check", bad)
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "bad.yaml:5:")
		require.Contains(t, errOut, "urgent")
		require.Contains(t, errOut, "nobody")
		require.Contains(t, errOut, "colour")
		require.Regexp(t, `bad.yaml:7:\d+: .*r1`, errOut)
	})

	t.Run("missing secret unless skipped", func(t *testing.T) {
		p := writeFile(t, "s.yaml", `receivers:
  p: { pagerduty: { routing_key: "${ALERTROUTER_TEST_UNSET_KEY}" } }
routes: [{ name: all, receivers: [p] }]
`)
		code, _, errOut := runCLI(t, "", "check", p)
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "ALERTROUTER_TEST_UNSET_KEY")

		code, _, _ = runCLI(t, "", "check", "--skip-secrets", p)
		require.Equal(t, 0, code)
	})
}

func TestRouteJSON(t *testing.T) {
	cases := []struct {
		event     string
		routes    []string
		receivers []string
		unrouted  bool
	}{
		{"04-database-down.json", []string{"critical-to-oncall", "personal-data", "records-prod"},
			[]string{"oncall-pager", "privacy-office", "eng-chat"}, false},
		{"01-coverage-gate-failed.json", []string{"ci-gates"}, []string{"eng-chat"}, false},
		{"03-latency-p95.json", []string{}, []string{"unrouted-log"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.event, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "route", "--rules", consoleRules, "-o", "json",
				"../../examples/events/"+tc.event)
			require.Equal(t, 0, code, errOut)

			var ans routeAnswer
			require.NoError(t, json.Unmarshal([]byte(out), &ans))
			require.Equal(t, tc.routes, ans.Routes)
			require.Equal(t, tc.receivers, ans.Receivers)
			require.Equal(t, tc.unrouted, ans.Unrouted)
		})
	}
}

func TestRouteText(t *testing.T) {
	code, out, _ := runCLI(t, `{"source":"ci/x","name":"n","severity":"high"}`,
		"route", "--rules", consoleRules, "-")
	require.Equal(t, 0, code)
	require.Contains(t, out, "ci-gates (line")
	require.Contains(t, out, "receivers: eng-chat")
}

func TestBadInputIsNamed(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"event missing name", []string{"route", "--rules", consoleRules, "-"}, "name: is required"},
		{"publish flags bad severity", []string{"publish", "--source", "s", "--name", "n",
			"--severity", "urgent"}, "--severity"},
		{"publish nothing", []string{"publish"}, "nothing to publish"},
		{"publish missing file", []string{"publish", "/nonexistent/e.json"}, "/nonexistent/e.json"},
		{"route bad output", []string{"route", "--rules", consoleRules, "-o", "xml", "-"},
			"--output"},
		{"run without rules", []string{"run"}, "rules"},
		{"unknown rules file", []string{"route", "--rules", "/nonexistent/r.yaml", "-"},
			"/nonexistent/r.yaml"},
		{"publish empty url", []string{"publish", "--nats-url", " ", "--source", "s",
			"--name", "n", "--severity", "info"}, "--nats-url is empty"},
		{"run no workers", []string{"run", "--rules", consoleRules, "--workers", "0"},
			"--workers 0"},
		{"bad log format", []string{"check", "--log-format", "xml", consoleRules},
			"--log-format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, `{"source":"s","severity":"info"}`, tc.args...)
			require.Equal(t, 1, code)
			require.Contains(t, errOut, tc.want)
		})
	}
}

func TestPublishFailsWithoutNATS(t *testing.T) {
	code, _, errOut := runCLI(t, "", "publish", "--nats-url", "nats://127.0.0.1:1",
		"--source", "s", "--name", "n", "--severity", "info")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "nats")
}

func TestDemo(t *testing.T) {
	code, out, errOut := runCLI(t, "", "demo")
	require.Equal(t, 0, code, errOut)

	require.Contains(t, out, "suppressed on route ci-gates: duplicate")
	require.Contains(t, out, "[RESOLVED] [critical] records-db")
	require.Contains(t, out, "(1 suppressed)")
	require.Contains(t, out, "dead-lettered on alerts_deadletter.invalid")
	require.Contains(t, out, "summary: 10 messages, 1 rejected, 1 unrouted, 4 suppressed")
}

func TestHelpEverywhere(t *testing.T) {
	for _, cmd := range []string{"run", "check", "route", "publish", "demo"} {
		code, out, _ := runCLI(t, "", cmd, "--help")
		require.Equal(t, 0, code)
		require.Contains(t, out, "Usage:", cmd)
	}
}

func TestCommandLineMistakes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no command", nil, []string{"Usage:\n  alertrouter [command]\n",
			"alertrouter: a command is required"}},
		{"unknown command", []string{"bogus"}, []string{`unknown command "bogus" for "alertrouter"`}},
		{"deadletter without command", []string{"deadletter"},
			[]string{"alertrouter deadletter [command]", "deadletter: a command is required"}},
		{"deadletter unknown command", []string{"deadletter", "bogus"},
			[]string{`unknown command "bogus" for "alertrouter deadletter"`}},
		{"check two files", []string{"check", "a", "b"},
			[]string{"check: accepts 1 arg(s), received 2 (usage: alertrouter check FILE"}},
		{"run with an argument", []string{"run", "x"},
			[]string{"run: unknown command \"x\"", "usage: alertrouter run --rules FILE"}},
		{"unknown flag", []string{"deadletter", "list", "--bogus"},
			[]string{"deadletter list: unknown flag: --bogus"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			require.Equal(t, 1, code)
			require.Empty(t, out)
			for _, want := range tt.want {
				require.Contains(t, errOut, want)
			}
		})
	}

	for _, args := range [][]string{{"--help"}, {"deadletter", "--help"}, {"help", "run"}} {
		code, out, _ := runCLI(t, "", args...)
		require.Equal(t, 0, code, "%v", args)
		require.Contains(t, out, "Usage:", "%v", args)
	}
}

func TestPublishReportsEveryBadFile(t *testing.T) {
	good := writeFile(t, "good.json", `{"source":"s","name":"n","severity":"info"}`)
	noName := writeFile(t, "no-name.json", `{"source":"s","severity":"info"}`)
	notJSON := writeFile(t, "not-json.json", `{"source":`)
	missing := filepath.Join(t.TempDir(), "missing.json")

	code, out, errOut := runCLI(t, "", "publish", "--nats-url", "nats://127.0.0.1:1",
		good, noName, notJSON, missing)

	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "3 of 4 event file(s) cannot be published, so none was")
	require.Contains(t, errOut, noName+": invalid: name: is required")
	require.Contains(t, errOut, notJSON+": bad_json:")
	require.Contains(t, errOut, missing+": no such file")
	require.NotContains(t, errOut, good)
}

// TestDemoNeedsNoSecrets checks that the demo routes by a rules file whose
// secrets are not set: it sends nothing, so it does not expand them.
func TestDemoNeedsNoSecrets(t *testing.T) {
	for _, name := range []string{"PD_ROUTING_KEY", "SMTP_PASSWORD", "SLACK_BOT_TOKEN"} {
		t.Setenv(name, "")
		require.NoError(t, os.Unsetenv(name))
	}

	code, out, errOut := runCLI(t, "", "demo", "--rules", "../../examples/rules/healthcare.yaml")

	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "rules ../../examples/rules/healthcare.yaml")
	require.Contains(t, out, "summary: 10 messages")
}
