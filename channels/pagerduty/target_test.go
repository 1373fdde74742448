package pagerduty

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTarget(t *testing.T) {
	keys := []string{"SECRET0123456789abcdef0123456789", "SECRETfedcba9876543210fedcba9876"}
	var targets []string

	for _, key := range keys {
		n, err := New(Config{RoutingKey: key})
		require.NoError(t, err)

		got := n.Target()

		require.Regexp(t, `^pagerduty:[0-9a-f]{12}$`, got)
		require.NotContains(t, got, "SECRET")
		targets = append(targets, got)
	}
	require.NotEqual(t, targets[0], targets[1], "each routing key is its own target")
}
