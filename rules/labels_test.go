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
	tests := []struct {
		in   string
		want string
	}{
		{`="prod"`, "must start with a label name"},
		{`1env="prod"`, "must start with a label name"},
		{`env "prod"`, "needs an operator"},
		{`env=="prod"`, "unbalanced quote"},
		{`env~"prod"`, "needs an operator"},
		{`env="prod`, "missing closing quote"},
		{`env="prod" x`, "unexpected text after the closing quote"},
		{`env=pro"d`, "unbalanced quote"},
		{`svc=~"rec(ords"`, "invalid regular expression"},
		{`svc!~"a)|(b"`, "invalid regular expression"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseLabelMatcher(tt.in)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestLabelMatcherString(t *testing.T) {
	m, err := parseLabelMatcher(`service =~ "records-.*"`)
	require.NoError(t, err)
	require.Equal(t, `service=~"records-.*"`, m.String())
}
