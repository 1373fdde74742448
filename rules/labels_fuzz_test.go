package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzMatcher checks that no matcher text makes the parser panic, and
// that a parsed matcher written back with String parses to the same
// matcher: same name, operator, value and meaning.
func FuzzMatcher(f *testing.F) {
	for _, s := range []string{
		`env="prod"`, ` env = "prod" `, `env=prod`, `team!="qa"`, `service=~"records-.*"`,
		`service=~"records"`, `x!~"a|b"`, `msg="say \"hi\"\n"`, `path="C:\\dir"`,
		`host=~"db\.example"`, `host=~"db\.ex.*"`, `_x1=""`, `expr="a=b!~c"`,
		`team !~ "a b"`, `note="x, y"`, `a=~"\Qa.b"`, `a="\t\x00\u202e"`, `a="x\`,
		`a=~"(a+)+$"`, `=`, `!~`, `a==b`, `a=~"[[:alpha:]]"`, "a=\"\xff\"",
	} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseLabelMatcher(s)
		if err != nil {
			require.NotEmpty(t, err.Error())
			return
		}

		text := m.String()
		back, err := parseLabelMatcher(text)
		require.NoError(t, err, "String() of %q gave %q", s, text)
		require.Equal(t, m.name, back.name)
		require.Equal(t, m.op, back.op)
		require.Equal(t, m.value, back.value, "String() of %q gave %q", s, text)
		require.Equal(t, m.re == nil, back.re == nil)
		if m.re != nil {
			require.Equal(t, m.re.String(), back.re.String())
		}
		require.Equal(t, text, back.String())
	})
}

// TestMatcherHostileValues checks matchers against input that is slow for
// backtracking regex engines or simply huge. Go's regexp runs in linear
// time, so each must answer at once; the bound is only a sanity ceiling.
func TestMatcherHostileValues(t *testing.T) {
	tests := []struct {
		name    string
		matcher string
		value   string
		want    bool
	}{
		{"nested plus on a near miss", `s=~"(a+)+$"`, strings.Repeat("a", 100_000) + "b", false},
		{"nested plus on a match", `s=~"(a+)+$"`, strings.Repeat("a", 100_000), true},
		{"alternation blow-up", `s=~"(a|aa)+c"`, strings.Repeat("a", 100_000), false},
		{"1 MB label value", `s=~".*x"`, strings.Repeat("y", 1<<20) + "x", true},
		{"1 MB literal miss", `s="x"`, strings.Repeat("x", 1<<20), false},
		{"NUL in value", `s=~"a.b"`, "a\x00b", true},
		{"invalid UTF-8 value", `s=~"a.b"`, "a\xffb", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseLabelMatcher(tt.matcher)
			require.NoError(t, err)

			start := time.Now()
			got := m.matches(tt.value)
			require.Less(t, time.Since(start), hostileCeiling, "sanity ceiling")
			require.Equal(t, tt.want, got)
		})
	}
}
