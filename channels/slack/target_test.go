package slack

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTarget(t *testing.T) {
	hook := "https://hooks.slack.com/services/T000/B000/SECRET"
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"bot token names the channel",
			Config{Token: "xoxb-SECRET", Channel: "C0123", WebhookURL: hook}, `^slack:C0123$`},
		{"webhook is hashed", Config{WebhookURL: hook}, `^slack-webhook:[0-9a-f]{12}$`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := New(tc.cfg)
			require.NoError(t, err)

			got := n.Target()

			require.Regexp(t, tc.want, got)
			require.NotContains(t, got, "SECRET")
		})
	}

	other, err := New(Config{WebhookURL: hook + "2"})
	require.NoError(t, err)
	first, err := New(Config{WebhookURL: hook})
	require.NoError(t, err)
	require.NotEqual(t, first.Target(), other.Target(), "each webhook is its own target")
}
