package webhook

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTarget(t *testing.T) {
	cases := []struct {
		name string
		url  string
		want string
	}{
		{"token in path and query", "https://hooks.example.org/SECRET/in?token=SECRET",
			"webhook:hooks.example.org"},
		{"user info", "https://bot:SECRET@hooks.example.org:8443/x",
			"webhook:hooks.example.org:8443"},
		{"host case folded", "http://Hooks.Example.ORG/SECRET", "webhook:hooks.example.org"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := New(Config{URL: tc.url, Headers: map[string]string{"Authorization": "SECRET"}})
			require.NoError(t, err)

			got := n.Target()

			require.Equal(t, tc.want, got)
			require.NotContains(t, got, "SECRET")
		})
	}
}
