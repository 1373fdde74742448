package rulestest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDiff(t *testing.T) {
	cases := []struct {
		name string
		a, b []string
		want string
	}{
		{"both empty", nil, nil, ""},
		{"equal", []string{"a", "b"}, []string{"a", "b"}, "  a\n  b\n"},
		{"added", []string{"a"}, []string{"a", "b"}, "  a\n+ b\n"},
		{"removed", []string{"a", "b"}, []string{"b"}, "- a\n  b\n"},
		{"replaced", []string{"oncall"}, []string{"eng-chat"}, "- oncall\n+ eng-chat\n"},
		{"swapped", []string{"a", "b"}, []string{"b", "a"}, "- a\n  b\n+ a\n"},
		{"all new", nil, []string{"x"}, "+ x\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, diff(tc.a, tc.b, ""))
		})
	}

	t.Run("indent", func(t *testing.T) {
		require.Equal(t, ">>  a\n>>+ b\n", diff([]string{"a"}, []string{"a", "b"}, ">>"))
	})
}
