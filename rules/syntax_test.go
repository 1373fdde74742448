package rules

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMatcherErrorsInFile(t *testing.T) {
	msgs := parseErrs(t, receiversYAML+`routes:
  - name: r
    match:
      matchers:
        - a.b="c"
        - é="1"
        - env=
        - 'env="prod'
        - '=~"x"'
        - env="prod" x
        - svc=~"(x"
        - ''
        - '!='
    receivers: [a]
`)
	const rule = " is invalid (letters, digits and _, not starting with a digit)"
	require.Equal(t, []string{
		"rules.yaml:10:11: routes[0].match.matchers[0]: matcher `a.b=\"c\"`: " +
			`label name "a.b"` + rule,
		"rules.yaml:11:11: routes[0].match.matchers[1]: matcher `é=\"1\"`: " +
			`label name "é"` + rule,
		"rules.yaml:12:11: routes[0].match.matchers[2]: matcher `env=`: " +
			`value is missing after "=" (write "" for the empty string)`,
		"rules.yaml:13:11: routes[0].match.matchers[3]: matcher `env=\"prod`: " +
			"value has no closing quote: `\"prod`",
		"rules.yaml:14:11: routes[0].match.matchers[4]: matcher `=~\"x\"`: " +
			`label name is missing before "=~"`,
		"rules.yaml:15:11: routes[0].match.matchers[5]: matcher `env=\"prod\" x`: " +
			"unexpected `x` after the value's closing quote",
		"rules.yaml:16:11: routes[0].match.matchers[6]: matcher `svc=~\"(x\"`: " +
			"invalid regular expression: error parsing regexp: missing closing ): `(x`",
		`rules.yaml:17:11: routes[0].match.matchers[7]: matcher is empty (want e.g. env="prod")`,
		"rules.yaml:18:11: routes[0].match.matchers[8]: matcher `!=`: only an operator; " +
			`want label name, operator and value, e.g. env="prod"`,
	}, msgs)
}

func TestTabIndentationHint(t *testing.T) {
	const hint = "tabs are not allowed for indentation in YAML; use spaces"
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"tab on the reported line", "receivers:\n\ta: { console: {} }\nunrouted: [a]\n",
			"rules.yaml:2:1: invalid YAML: found character that cannot start any token; " + hint},
		{"tab after spaces", "receivers:\n  a:\n  \tconsole: {}\nunrouted: [a]\n",
			"rules.yaml:3:1: invalid YAML: found character that cannot start any token; " + hint},
		{"tab on another line", receiversYAML + "routes:\n  - name: r\n\treceivers: [a]\n",
			"rules.yaml:7:1: invalid YAML: found a tab character that violates indentation; " +
				"line 8 is indented with a tab: " + hint},
		{"tab in a list", receiversYAML + "unrouted:\n\t- a\n",
			"rules.yaml:7:1: invalid YAML: found character that cannot start any token; " + hint},
		{"no tab, no hint", "routes: [\n  - a\n", "rules.yaml:2:1: invalid YAML: " +
			"did not find expected node content (in the block that starts here)"},
		{"tab inside a line is not indentation", "routes: [\n  - a\t\n",
			"rules.yaml:2:1: invalid YAML: " +
				"did not find expected node content (in the block that starts here)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, []string{tt.want}, parseErrs(t, tt.src))
		})
	}
}

func TestAliasUseIsNamed(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"mapping alias", receiversYAML + `routes:
  - name: r1
    match: &m { severity: urgent }
    receivers: [a]
  - name: r2
    match: *m
    receivers: [b]
`, []string{
			`rules.yaml:8:27: routes[0].match.severity: unknown severity "urgent" ` +
				`(want critical, high, warning or info, optionally after >=, >, <=, < or !=)`,
			`rules.yaml:8:27: routes[1].match.severity: unknown severity "urgent" ` +
				`(want critical, high, warning or info, optionally after >=, >, <=, < or !=)` +
				` (via alias at line 11)`,
		}},
		{"alias inside an aliased value", `receivers:
  a: { console: {}, fallback: &f [nobody] }
  b: &x { console: {}, fallback: *f }
  c: *x
unrouted: [a, b, c]
`, []string{
			`rules.yaml:2:35: receivers.a.fallback[0]: unknown receiver "nobody" ` +
				`(defined: a, b, c)`,
			`rules.yaml:2:35: receivers.b.fallback[0]: unknown receiver "nobody" ` +
				`(defined: a, b, c) (via alias at line 3)`,
			`rules.yaml:2:35: receivers.c.fallback[0]: unknown receiver "nobody" ` +
				`(defined: a, b, c) (via aliases at lines 4, then 3)`,
		}},
		{"list item alias", receiversYAML + "unrouted: [&n nobody, *n]\n", []string{
			`rules.yaml:6:12: unrouted[1]: receiver "nobody" listed twice (via alias at line 6)`,
			`rules.yaml:6:12: unrouted[0]: unknown receiver "nobody" (defined: a, b, c, d)`,
		}},
		{"unknown anchor", "unrouted: [*nope]\n",
			[]string{"rules.yaml:1:1: invalid YAML: unknown anchor 'nope' referenced"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, parseErrs(t, tt.src))
		})
	}
}

func TestSelfReferencingAnchorEnds(t *testing.T) {
	msgs := parseErrs(t, "receivers:\n  a: &x { console: {}, fallback: *x }\nunrouted: [a]\n")
	require.Equal(t, []string{
		"rules.yaml:2:6: receivers.a.fallback: must be a list, not a mapping (via alias at line 2)",
	}, msgs)
}
