package rulestest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
)

func TestLoadValid(t *testing.T) {
	s := loadSuite(t, `rules: rules.yaml
cases:
  - name: single
    event: &db { source: monitor/db, name: down, severity: critical, labels: { port: 5432 } }
    receivers: [pager, chat]
  - name: seq
    sequence:
      - { at: 0s, event: *db, receivers: [pager, chat] }
      - at: 1d2h
        event: { <<: *db, status: resolved }
        receivers: []
        suppressed: [critical, db]
`)

	require.Equal(t, filepath.Join(filepath.Dir(s.File), "rules.yaml"), s.RulesFile)
	require.Len(t, s.Cases, 2)

	single := s.Cases[0]
	require.False(t, single.Sequence)
	require.Len(t, single.Steps, 1)
	require.Equal(t, 3, single.Steps[0].Line, "a single event starts with its case")
	require.Equal(t, "5432", single.Steps[0].Event.Labels["port"], "scalars are strings")
	require.Equal(t, []string{"pager", "chat"}, single.Steps[0].Receivers)
	require.Equal(t, []string{}, single.Steps[0].Suppressed)

	seq := s.Cases[1]
	require.True(t, seq.Sequence)
	require.Len(t, seq.Steps, 2)
	require.Equal(t, 26*time.Hour, seq.Steps[1].At)
	require.Equal(t, alert.StatusResolved, seq.Steps[1].Event.Status, "the merge key is overridden")
	require.Equal(t, "monitor/db", seq.Steps[1].Event.Source)
	require.Equal(t, epoch().Add(26*time.Hour), seq.Steps[1].Event.OccurredAt)
	require.Equal(t, []string{"critical", "db"}, seq.Steps[1].Suppressed)
}

func TestLoadInvalid(t *testing.T) {
	const ev = `{ source: s, name: n, severity: info }`
	cases := []struct {
		name string
		body string
		want []string
	}{
		{"empty file", ``, []string{"t_test.yaml:1:1: the file is empty"}},
		{"syntax error", "rules: x\ncases:\n\t- name: y\n", []string{"t_test.yaml:3:"}},
		{"no rules key", "cases: []\n", []string{"t_test.yaml:1:1: rules: required"}},
		{"unknown top key", "rules: rules.yaml\ncolour: blue\ncases: [{name: a, event: " + ev +
			", receivers: []}]\n", []string{`t_test.yaml:2:1: colour: unknown key "colour"`}},
		{"no cases", "rules: rules.yaml\n", []string{"cases: required"}},
		{"missing rules file", "rules: nothere.yaml\ncases: [{name: a, event: " + ev +
			", receivers: []}]\n", []string{"t_test.yaml:1:8: rules: read rules file",
			"nothere.yaml"}},
		{"invalid event names the case", "rules: rules.yaml\ncases:\n  - name: my case\n" +
			"    event: { source: s, severity: urgent }\n    receivers: []\n",
			[]string{`t_test.yaml:4:12: cases[0].event: case "my case": invalid: name: is required`,
				`unknown severity "urgent"`}},
		{"unknown event field", "rules: rules.yaml\ncases:\n  - name: a\n" +
			"    event: { source: s, name: n, severity: info, label: { a: b } }\n" +
			"    receivers: []\n", []string{`cases[0].event.label: case "a": unknown event field`}},
		{"receivers required", "rules: rules.yaml\ncases:\n  - name: a\n    event: " + ev + "\n",
			[]string{`t_test.yaml:3:5: cases[0].receivers: case "a": required`}},
		{"receivers must be a list", "rules: rules.yaml\ncases:\n  - name: a\n    event: " + ev +
			"\n    receivers: pager\n", []string{"t_test.yaml:5:16: cases[0].receivers: want a list"}},
		{"unknown receiver", "rules: rules.yaml\ncases:\n  - name: a\n    event: " + ev +
			"\n    receivers: [pager, pagr]\n",
			[]string{`t_test.yaml:5:24: cases[0].receivers[1]: case "a": no receiver "pagr"`}},
		{"unknown suppressed route", "rules: rules.yaml\ncases:\n  - name: a\n    event: " + ev +
			"\n    receivers: []\n    suppressed: [crit]\n",
			[]string{`cases[0].suppressed[0]: case "a": no route "crit" in the rules`}},
		{"receiver twice", "rules: rules.yaml\ncases:\n  - name: a\n    event: " + ev +
			"\n    receivers: [log, log]\n", []string{`receivers[1]: "log" is listed twice`}},
		{"duplicate case name", "rules: rules.yaml\ncases:\n  - {name: a, event: " + ev +
			", receivers: []}\n  - {name: a, event: " + ev + ", receivers: []}\n",
			[]string{`t_test.yaml:4:5: cases[1].name: case "a" is already defined on line 3`}},
		{"missing name", "rules: rules.yaml\ncases:\n  - {event: " + ev + ", receivers: []}\n",
			[]string{"t_test.yaml:3:5: cases[0].name: required"}},
		{"event and sequence", "rules: rules.yaml\ncases:\n  - name: a\n    event: " + ev +
			"\n    receivers: []\n    sequence: []\n", []string{`case "a": give either event`}},
		{"at outside a sequence", "rules: rules.yaml\ncases:\n  - name: a\n    at: 1m\n" +
			"    event: " + ev + "\n    receivers: []\n", []string{`cases[0].at: unknown key "at"`}},
		{"empty sequence", "rules: rules.yaml\ncases:\n  - name: a\n    sequence: []\n",
			[]string{`cases[0].sequence: case "a": want a list of steps`}},
		{"bad time", "rules: rules.yaml\ncases:\n  - name: a\n    sequence:\n" +
			"      - { at: soon, event: " + ev + ", receivers: [] }\n",
			[]string{`t_test.yaml:5:15: cases[0].sequence[0].at: invalid time "soon"`}},
		{"time goes back", "rules: rules.yaml\ncases:\n  - name: a\n    sequence:\n" +
			"      - { at: 5m, event: " + ev + ", receivers: [] }\n" +
			"      - { at: 1m, event: " + ev + ", receivers: [] }\n",
			[]string{`t_test.yaml:6:15: cases[0].sequence[1].at: case "a": 1m is before ` +
				`the previous step's 5m`}},
		{"every problem listed in file order", "rules: rules.yaml\ncases:\n" +
			"  - { name: a, event: " + ev + ", receivers: [nobody] }\n" +
			"  - { name: b, event: " + ev + " }\n",
			[]string{"t_test.yaml:3:", "nobody", "t_test.yaml:4:", `case "b": required`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeSuite(t, tc.body))
			require.Error(t, err)

			msg := err.Error()
			last := -1
			for _, w := range tc.want {
				require.Contains(t, msg, w)
				i := strings.Index(msg, w)
				require.Greater(t, i, last, "problems out of order in:\n%s", msg)
				last = i
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none_test.yaml"))
	require.ErrorContains(t, err, "read test file")
	require.ErrorContains(t, err, "none_test.yaml")
}

func TestParseOffset(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"0s", 0, true},
		{"90s", 90 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"2d", 48 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"-1m", 0, false},
		{"d", 0, false},
		{"xd1h", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseOffset(tc.in)
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
