package rules

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseLabelMatcher(t *testing.T) {
	tests := []struct {
		in      string
		name    string
		op      labelOp
		value   string
		literal bool
	}{
		{`env="prod"`, "env", opEqual, "prod", true},
		{` env = "prod" `, "env", opEqual, "prod", true},
		{`env=prod`, "env", opEqual, "prod", true},
		{`team!="qa"`, "team", opNotEqual, "qa", true},
		{`service=~"records-.*"`, "service", opRegex, "records-.*", false},
		{`service=~"records"`, "service", opRegex, "records", true},
		{`x!~"a|b"`, "x", opNotRegex, "a|b", false},
		{`msg="say \"hi\"\n"`, "msg", opEqual, "say \"hi\"\n", true},
		{`path="C:\\dir"`, "path", opEqual, `C:\dir`, true},
		{`host=~"db\.example"`, "host", opRegex, "db.example", true},
		{`host=~"db\.ex.*"`, "host", opRegex, `db\.ex.*`, false},
		{`_x1=""`, "_x1", opEqual, "", true},
		{`expr="a=b!~c"`, "expr", opEqual, "a=b!~c", true},
		{`team !~ "a b"`, "team", opNotRegex, "a b", true},
		{`note="x, y"`, "note", opEqual, "x, y", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := parseLabelMatcher(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.name, m.name)
			require.Equal(t, tt.op, m.op)
			require.Equal(t, tt.value, m.value)
			require.Equal(t, tt.literal, m.re == nil)
		})
	}
}

func TestParseLabelMatcherErrors(t *testing.T) {
	const nameRule = " is invalid (letters, digits and _, not starting with a digit)"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", ``, `matcher is empty (want e.g. env="prod")`},
		{"blank", "  \t", `matcher is empty (want e.g. env="prod")`},
		{"dot in name", `a.b="c"`, "matcher `a.b=\"c\"`: label name \"a.b\"" + nameRule},
		{"non-ASCII name", `é="1"`, "matcher `é=\"1\"`: label name \"é\"" + nameRule},
		{"digit first", `1env="prod"`, "matcher `1env=\"prod\"`: label name \"1env\"" + nameRule},
		{"space in name", `my env="prod"`,
			"matcher `my env=\"prod\"`: label name \"my env\"" + nameRule},
		{"quoted name", `"env"="prod"`,
			"matcher `\"env\"=\"prod\"`: label name \"env\" must not be quoted: write env"},
		{"quoted invalid name", `"a.b"="c"`,
			"matcher `\"a.b\"=\"c\"`: label name \"a.b\"" + nameRule},
		{"empty name", `="prod"`, "matcher `=\"prod\"`: label name is missing before \"=\""},
		{"empty name regex", ` =~ "x"`,
			"matcher ` =~ \"x\"`: label name is missing before \"=~\""},
		{"operator only", `!~`, "matcher `!~`: only an operator; " +
			`want label name, operator and value, e.g. env="prod"`},
		{"name only", `env`, "matcher `env`: needs an operator (=, !=, =~ or !~) " +
			`and a value after label name "env"`},
		{"no operator before value", `env "prod"`, "matcher `env \"prod\"`: needs an operator " +
			`(=, !=, =~ or !~) and a value after label name "env"`},
		{"no operator, bad name", `a.b`, "matcher `a.b`: needs label name, operator " +
			`(=, !=, =~ or !~) and value, e.g. env="prod"`},
		{"double equals", `env=="prod"`,
			"matcher `env==\"prod\"`: unknown operator \"==\" (want =, !=, =~ or !~)"},
		{"tilde alone", `env~"prod"`,
			"matcher `env~\"prod\"`: unknown operator \"~\" (want =, !=, =~ or !~)"},
		{"bang alone", `env!"prod"`,
			"matcher `env!\"prod\"`: unknown operator \"!\" (want =, !=, =~ or !~)"},
		{"reversed regex operator", `env~="prod"`,
			"matcher `env~=\"prod\"`: unknown operator \"~=\" (want =, !=, =~ or !~)"},
		{"missing value", `env=`,
			"matcher `env=`: value is missing after \"=\" (write \"\" for the empty string)"},
		{"missing regex", `env=~ `,
			"matcher `env=~ `: value is missing after \"=~\" (write \"\" for the empty string)"},
		{"unterminated quote", `env="prod`, "matcher `env=\"prod`: value has no closing quote: " +
			"`\"prod`"},
		{"escaped last quote", `env="prod\"`, "matcher `env=\"prod\\\"`: value has no closing " +
			"quote: `\"prod\\\"`"},
		{"trailing text", `env="prod" x`,
			"matcher `env=\"prod\" x`: unexpected `x` after the value's closing quote"},
		{"two matchers in one", `env="prod", team="db"`, "matcher `env=\"prod\", team=\"db\"`: " +
			"unexpected `, team=\"db\"` after the value; write one matcher per list item"},
		{"quote inside bare value", `env=pro"d`, "matcher `env=pro\"d`: unquoted value `pro\"d` " +
			`contains a quote; put the whole value in double quotes, writing \" for a quote inside`},
		{"space inside bare value", `env=prod x`, "matcher `env=prod x`: unquoted value " +
			"`prod x` contains white space; put it in double quotes"},
		{"bad regex", `svc=~"rec(ords"`, "matcher `svc=~\"rec(ords\"`: invalid regular " +
			"expression: error parsing regexp: missing closing ): `rec(ords`"},
		{"bad negative regex", `svc!~"a)|(b"`, "matcher `svc!~\"a)|(b\"`: invalid regular " +
			"expression: error parsing regexp: unexpected ): `a)|(b`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseLabelMatcher(tt.in)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestLabelMatcherString(t *testing.T) {
	m, err := parseLabelMatcher(`service =~ "records-.*"`)
	require.NoError(t, err)
	require.Equal(t, `service=~"records-.*"`, m.String())
}

// A \Q left open quotes to the end of the pattern, and only there: the
// anchoring around it is not swallowed.
func TestRegexMatcherWithOpenQuote(t *testing.T) {
	m, err := parseLabelMatcher(`host=~"db.*\Q.ex*"`)
	require.NoError(t, err)
	require.NotNil(t, m.re)

	require.True(t, m.re.MatchString("db-1.ex*"))
	require.False(t, m.re.MatchString("db-1.exx"), "the quoted part is literal")
	require.False(t, m.re.MatchString("db-1.ex*tail"), "the match is still anchored")
}
