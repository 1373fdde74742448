package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSettingsPrecedence(t *testing.T) {
	event := writeFile(t, "e.json", `{"source":"ci/x","name":"n","severity":"high"}`)
	other := writeFile(t, "r.yaml", `receivers: { a: { console: {} } }
routes: [{ name: only, receivers: [a] }]
`)

	t.Run("environment sets a flag", func(t *testing.T) {
		t.Setenv("ALERTROUTER_RULES", consoleRules)
		t.Setenv("ALERTROUTER_OUTPUT", "json")
		code, out, errOut := runCLI(t, "", "route", event)
		require.Equal(t, 0, code, errOut)
		var ans routeAnswer
		require.NoError(t, json.Unmarshal([]byte(out), &ans))
		require.Equal(t, []string{"ci-gates"}, ans.Routes)
	})

	t.Run("flag beats environment", func(t *testing.T) {
		t.Setenv("ALERTROUTER_RULES", consoleRules)
		code, out, _ := runCLI(t, "", "route", "--rules", other, "-o", "json", event)
		require.Equal(t, 0, code)
		require.Contains(t, out, `"routes":["only"]`)
	})

	t.Run("config file fills the rest", func(t *testing.T) {
		cfg := writeFile(t, "c.yaml", "rules: "+consoleRules+"\noutput: json\n")
		code, out, errOut := runCLI(t, "", "route", "--config", cfg, event)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, `"routes":["ci-gates"]`)

		t.Setenv("ALERTROUTER_RULES", other)
		code, out, _ = runCLI(t, "", "route", "--config", cfg, event)
		require.Equal(t, 0, code)
		require.Contains(t, out, `"routes":["only"]`, "environment beats the file")
	})

	t.Run("config file named by the environment", func(t *testing.T) {
		cfg := writeFile(t, "c.yaml", "rules: "+consoleRules+"\noutput: json\n")
		t.Setenv("ALERTROUTER_CONFIG", cfg)
		code, out, errOut := runCLI(t, "", "route", event)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, `"routes":["ci-gates"]`)
	})

	t.Run("bad values are named", func(t *testing.T) {
		t.Setenv("ALERTROUTER_WORKERS", "many")
		code, _, errOut := runCLI(t, "", "run", "--rules", consoleRules)
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "$ALERTROUTER_WORKERS")

		cfg := writeFile(t, "c.yaml", "colour: blue\n")
		code, _, errOut = runCLI(t, "", "route", "--config", cfg, event)
		require.Equal(t, 1, code)
		require.Contains(t, errOut, `"colour" is not a flag`)
	})

	t.Run("help lists the variables", func(t *testing.T) {
		_, out, _ := runCLI(t, "", "run", "--help")
		require.Contains(t, out, "$ALERTROUTER_NATS_URL")
		require.Contains(t, out, "$ALERTROUTER_LOG_FORMAT")
	})
}
