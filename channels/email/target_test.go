package email

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTarget(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"explicit port", Config{Host: "smtp.example.org", Port: 2525}, "smtp:smtp.example.org:2525"},
		{"default port", Config{Host: "smtp.example.org"}, "smtp:smtp.example.org:587"},
		{"ipv6 host", Config{Host: "::1", Port: 25}, "smtp:[::1]:25"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.From = "alertrouter@example.com"
			tc.cfg.To = []string{"oncall@example.org"}
			tc.cfg.Username, tc.cfg.Password = "SECRET-user", "SECRET-password"

			got := newNotifier(t, tc.cfg).Target()

			require.Equal(t, tc.want, got)
			require.NotContains(t, got, "SECRET")
		})
	}
}
