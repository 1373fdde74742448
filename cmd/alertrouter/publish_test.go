package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPublishMaxEventSize checks that publish refuses, before connecting,
// an event the worker would dead-letter as too large, naming the file and
// the id, and that a limit above the default lets a larger event through.
func TestPublishMaxEventSize(t *testing.T) {
	big := writeFile(t, "big.json", fmt.Sprintf(`{"id":"evt-big","source":"ci/x","name":"n",
"severity":"info","description":%q}`, strings.Repeat("x", 600)))
	flags := []string{"--source", "ci/x", "--name", "n", "--severity", "info",
		"--description", strings.Repeat("x", 600)}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"file", nil, []string{"--max-event-size", "300", big}, []string{
			"event " + big + " (id evt-big): too_large: event is ",
			"limit is 300 (--max-event-size)"}},
		{"flags, limit from the environment", map[string]string{
			"ALERTROUTER_MAX_EVENT_SIZE": "300"}, flags, []string{
			"event from flags (id ", "limit is 300 ($ALERTROUTER_MAX_EVENT_SIZE)"}},
		{"no size", nil, []string{"--max-event-size", "0", big},
			[]string{"--max-event-size 0: want at least 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := append([]string{"publish", "--nats-url", "nats://127.0.0.1:1"}, tt.args...)

			code, out, errOut := runCLI(t, "", args...)

			require.Equal(t, 1, code, errOut)
			require.Empty(t, out)
			for _, want := range tt.want {
				require.Contains(t, errOut, want)
			}
		})
	}

	t.Run("above the default", func(t *testing.T) {
		huge := writeFile(t, "huge.json", fmt.Sprintf(`{"source":"ci/x","name":"n",
"severity":"info","description":%q}`, strings.Repeat("x", 100_000)))
		url := natsServer(t)

		code, out, errOut := runCLI(t, "", "publish", "--nats-url", url,
			"--max-event-size", "200000", huge)

		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "published ")
	})
}
