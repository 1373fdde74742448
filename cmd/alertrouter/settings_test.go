package main

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSettingErrorsNameTheirSource checks that a range or choice check
// names the setting where the user set it: the flag, the variable or the
// key of the config file.
func TestSettingErrorsNameTheirSource(t *testing.T) {
	runArgs := []string{"run", "--rules", consoleRules, "--nats-url", "nats://127.0.0.1:1"}
	cfg := writeFile(t, "c.yaml", "workers: 0\nlimit: { slack: fast }\n")
	with := func(base []string, more ...string) []string { return slices.Concat(base, more) }
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"flag", nil, with(runArgs, "--workers", "0"), []string{"--workers 0: want at least 1"}},
		{"variable", map[string]string{"ALERTROUTER_WORKERS": "0"}, runArgs,
			[]string{"$ALERTROUTER_WORKERS 0: want at least 1"}},
		{"config file", nil, with(runArgs, "--config", cfg), []string{
			"workers in config file " + cfg + ": 0: want at least 1",
			"limit in config file " + cfg + ": slack=fast: want EVERY/BURST"}},
		{"log format from the environment", map[string]string{"ALERTROUTER_LOG_FORMAT": "yaml"},
			[]string{"check", consoleRules},
			[]string{`$ALERTROUTER_LOG_FORMAT "yaml": want text or json`}},
		{"two settings compared", map[string]string{"ALERTROUTER_RETRY_INITIAL_INTERVAL": "2s"},
			with(runArgs, "--retry-max-interval", "1s"), []string{"--retry-max-interval 1s: " +
				"want at least $ALERTROUTER_RETRY_INITIAL_INTERVAL (2s)"}},
		{"timeout", map[string]string{"ALERTROUTER_TIMEOUT": "0s"},
			[]string{"audit", "--nats-url", "nats://127.0.0.1:1"},
			[]string{"$ALERTROUTER_TIMEOUT 0s: want a positive duration"}},
		{"output", map[string]string{"ALERTROUTER_OUTPUT": "xml"},
			[]string{"deadletter", "list", "--nats-url", "nats://127.0.0.1:1"},
			[]string{`$ALERTROUTER_OUTPUT "xml": want text or json`}},
		{"replicas", map[string]string{"ALERTROUTER_REPLICAS": "9"},
			[]string{"publish", "--nats-url", "nats://127.0.0.1:1", "--source", "s",
				"--name", "n", "--severity", "info"},
			[]string{"$ALERTROUTER_REPLICAS 9: want 1 to 5"}},
		{"empty url", map[string]string{"ALERTROUTER_NATS_URL": " "},
			[]string{"deadletter", "list"}, []string{"$ALERTROUTER_NATS_URL is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			code, _, errOut := runCLI(t, "", tt.args...)

			require.Equal(t, 1, code, errOut)
			for _, want := range tt.want {
				require.Contains(t, errOut, want)
			}
		})
	}
}
