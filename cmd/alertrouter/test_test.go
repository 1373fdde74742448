package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	consoleTests    = "../../examples/rules/console_test.yaml"
	healthcareTests = "../../examples/rules/healthcare_test.yaml"
)

// wrongTests is a test file for console.yaml with one right and two wrong
// cases: a receiver missing and a duplicate expected to go through.
func wrongTests(t *testing.T) string {
	t.Helper()
	rulesPath, err := filepath.Abs(consoleRules)
	require.NoError(t, err)
	return writeFile(t, "wrong_test.yaml", "rules: "+rulesPath+`
cases:
  - name: gates go to chat
    event: { source: ci/x, name: n, severity: high }
    receivers: [eng-chat]
  - name: outage pages only
    event: { source: monitor/db, name: down, severity: critical, compliance: [LGPD] }
    receivers: [oncall-pager]
  - name: duplicate goes through
    sequence:
      - { at: 0s, event: &e { source: ci/x, name: n, severity: high }, receivers: [eng-chat] }
      - { at: 2m, event: *e, receivers: [eng-chat] }
`)
}

func TestTestCommand(t *testing.T) {
	cases := []struct {
		name     string
		args     func(t *testing.T) []string
		code     int
		out      []string
		notOut   []string
		errOut   []string
		noErrOut bool
	}{
		{name: "examples pass",
			args: func(*testing.T) []string { return []string{consoleTests, healthcareTests} },
			out: []string{"=== " + consoleTests + "\nPASS a failed coverage gate goes to the " +
				"engineering chat", "=== " + healthcareTests + "\n",
				"PASS duplicates are suppressed per route, and the resolution goes out once",
				" passed, 0 failed\n"},
			notOut: []string{"FAIL"}, noErrOut: true},
		{name: "one file needs no header",
			args: func(*testing.T) []string { return []string{consoleTests} },
			out:  []string{"PASS "}, notOut: []string{"==="}, noErrOut: true},
		{name: "wrong expectations fail with a diff",
			args: func(t *testing.T) []string { return []string{wrongTests(t)} },
			code: 1,
			out: []string{"PASS gates go to chat\n",
				"FAIL outage pages only\n    ",
				"wrong_test.yaml:6: event\n" +
					"      receivers (- expected, + actual):\n" +
					"          oncall-pager\n" +
					"        + privacy-office\n" +
					"        + eng-chat\n",
				"FAIL duplicate goes through\n",
				"wrong_test.yaml:12: step 2 at 2m\n" +
					"      receivers (- expected, + actual):\n" +
					"        - eng-chat\n" +
					"      suppressed routes (- expected, + actual):\n" +
					"        + ci-gates\n",
				"1 passed, 2 failed\n"}},
		{name: "invalid file is reported with its line, exit 1",
			args: func(t *testing.T) []string {
				bad := writeFile(t, "bad_test.yaml", "rules: "+mustAbs(t, consoleRules)+`
cases:
  - name: typo
    event: { source: ci/x, name: n, severity: high }
    receivers: [eng-chat, nobody]
`)
				return []string{consoleTests, bad}
			},
			code:   1,
			out:    []string{"PASS ", "0 failed, 1 invalid file(s)\n"},
			errOut: []string{"bad_test.yaml:5:27: cases[0].receivers[1]", `no receiver "nobody"`}},
		{name: "invalid rules file named by a test file",
			args: func(t *testing.T) []string {
				return []string{writeFile(t, "r_test.yaml", "rules: missing.yaml\ncases: []\n")}
			},
			code: 1, out: []string{"1 invalid file(s)"},
			errOut: []string{"r_test.yaml:1:8: rules: read rules file"}},
		{name: "missing test file",
			args: func(*testing.T) []string { return []string{"/nonexistent/x_test.yaml"} },
			code: 1, errOut: []string{"/nonexistent/x_test.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"test"}, tc.args(t)...)...)
			require.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, w := range tc.out {
				require.Contains(t, out, w)
			}
			for _, w := range tc.notOut {
				require.NotContains(t, out, w)
			}
			for _, w := range tc.errOut {
				require.Contains(t, errOut, w)
			}
			if tc.noErrOut {
				require.Empty(t, errOut)
			}
		})
	}
}

func TestTestCommandNeedsFiles(t *testing.T) {
	code, _, errOut := runCLI(t, "", "test")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "requires at least 1 arg")
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	require.NoError(t, err)
	return abs
}
