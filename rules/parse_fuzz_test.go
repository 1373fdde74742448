package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// parseCeiling is a sanity bound on one Parse of fuzz input, against a
// hang or a blow-up; it is not a performance assertion.
const parseCeiling = 2 * time.Second

// hostileCeiling bounds one step of the hostile-input tests, whose inputs
// reach megabytes and which CI runs with -race: still far below what an
// exponential blow-up would take.
const hostileCeiling = 5 * time.Second

// fuzzOptions parse without touching the environment or the disk.
var fuzzOptions = Options{
	SkipSecrets: true,
	LookupEnv:   noEnv,
	ReadFile:    func(string) ([]byte, error) { return nil, errors.New("no files in tests") },
}

// FuzzParse checks that no rules file makes Parse panic or hang, and that
// every error it reports has a position a person can go to.
func FuzzParse(f *testing.F) {
	paths, err := filepath.Glob("../examples/rules/*.yaml")
	require.NoError(f, err)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(data)
	}
	for _, s := range []string{
		receiversYAML + "routes:\n  - name: r\n    match: { severity: \">=high\" }\n" +
			"    receivers: [a]\n",
		"a: &a [1]\nb: *a\n",
		"receivers: { x: { slack: { token: ${SLACK} } } }\nunrouted: [x]\n",
		"receivers:\n\ta: {}\n",
		"--- {}\n--- {}\n",
		"",
		"\x00",
		"? [a]\n: b\n",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseWithin(t, data)
		if err == nil {
			require.NotNil(t, r)
			return
		}

		var errs Errors
		require.True(t, errors.As(err, &errs), "error %T: %v", err, err)
		require.NotEmpty(t, errs)
		for _, e := range errs {
			require.GreaterOrEqual(t, e.Line, 1, "%v", e)
			require.GreaterOrEqual(t, e.Col, 1, "%v", e)
			require.Equal(t, "fuzz.yaml", e.File)
			require.NotEmpty(t, e.Msg)
		}
	})
}

// parseWithin parses data, failing the test if Parse does not return
// within parseCeiling: a check that also catches a hang.
func parseWithin(t *testing.T, data []byte) (*Rules, error) {
	t.Helper()
	type result struct {
		r   *Rules
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := Parse("fuzz.yaml", data, fuzzOptions)
		done <- result{r, err}
	}()

	select {
	case res := <-done:
		return res.r, res.err
	case <-time.After(parseCeiling):
		t.Fatalf("Parse of %d bytes did not return within %s", len(data), parseCeiling)
		return nil, nil
	}
}

// laughs builds a "billion laughs" file: each level is a list of ten
// aliases of the level before, so walking it through the aliases would
// visit 10^depth nodes.
func laughs(depth int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [lol]\n")
	for i := 1; i <= depth; i++ {
		b.WriteString("l" + strconv.Itoa(i) + ": &l" + strconv.Itoa(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*l" + strconv.Itoa(i-1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// TestParseHostileInput feeds Parse files built to exhaust a naive
// parser. Each must come back, accepted or with located errors, within a
// sanity ceiling.
func TestParseHostileInput(t *testing.T) {
	route := receiversYAML + "routes:\n  - name: r\n    match:\n      matchers: ['%s']\n" +
		"    receivers: [a]\n"
	tests := []struct {
		name string
		src  string
		ok   bool
	}{
		{"billion laughs at top level", laughs(9), false},
		{"billion laughs as receivers", "receivers: &r\n  a: { console: {} }\n" +
			laughs(9) + "unrouted: [a]\n", false},
		{"billion laughs as route receivers", receiversYAML + laughs(9) +
			"routes:\n  - name: r\n    receivers: *l9\n", false},
		{"100k nested flow sequences", strings.Repeat("[", 100_000), false},
		{"deep block nesting", deepMapping(1000), false},
		{"64 KB of comments", strings.Repeat("# "+strings.Repeat("x", 60)+"\n", 1050) +
			receiversYAML + "unrouted: [a]\n", true},
		{"1 MB scalar", receiversYAML + "unrouted: [a]\nx: " + strings.Repeat("v", 1<<20) +
			"\n", false},
		{"NUL byte", receiversYAML + "unrouted: [a\x00]\n", false},
		{"invalid UTF-8", receiversYAML + "unrouted: [\xff\xfe]\n", false},
		{"slow backtracking regex", strings.Replace(route, "%s",
			`svc=~"(a+)+$"`, 1), true},
		{"huge regex repeat", strings.Replace(route, "%s",
			`svc=~"((a{1000}){1000}){1000}"`, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("rules.yaml", []byte(tt.src), fuzzOptions)
			require.Less(t, time.Since(start), hostileCeiling, "sanity ceiling")

			if tt.ok {
				require.NoError(t, err)
				return
			}
			var errs Errors
			require.ErrorAs(t, err, &errs)
			for _, e := range errs {
				require.GreaterOrEqual(t, e.Line, 1, "%v", e)
				require.GreaterOrEqual(t, e.Col, 1, "%v", e)
			}
		})
	}
}

// deepMapping nests depth block mappings, one more indent each line.
func deepMapping(depth int) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	return b.String()
}
