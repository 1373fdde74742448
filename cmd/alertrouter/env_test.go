package main

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/audit"
	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/router"
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

// TestOneSettingsServeEveryCommand checks that a config file written for
// run, and an environment set for every command, do not break the others.
func TestOneSettingsServeEveryCommand(t *testing.T) {
	url := natsServer(t)
	ensureStreams(t, url)
	event := writeFile(t, "e.json", `{"source":"ci/x","name":"n","severity":"high"}`)
	cfg := writeFile(t, "c.yaml", "rules: "+consoleRules+"\nnats-url: "+url+"\n"+
		"limit: { slack: 2s/3 }\nhttp: 127.0.0.1:0\nworkers: 4\nstate: memory\n"+
		"replicas: 1\nlog-format: json\noutput: json\n")
	t.Setenv("ALERTROUTER_CONFIG", cfg)
	t.Setenv("ALERTROUTER_LIMIT", "smtp=1s/5")
	t.Setenv("ALERTROUTER_OUTPUT", "text")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"route", []string{"route", event}, "receivers: eng-chat"},
		{"check", []string{"check", consoleRules}, "OK"},
		{"audit", []string{"audit"}, "no audit records"},
		{"deadletter list", []string{"deadletter", "list"}, "no dead letters"},
		{"deadletter list, old flag name", []string{"deadletter", "list", "--limit", "1"},
			"no dead letters"},
		{"publish", []string{"publish", event}, "published"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out+errOut, tt.want)
		})
	}
}

// TestFlagNamesMeanOneThing checks that a flag name has one kind of value
// in every command, and is a setting in all or per invocation in all, so
// that its variable or config key fits them all. An old name that a
// command still takes (see renamed) is neither: no variable or key sets it.
func TestFlagNamesMeanOneThing(t *testing.T) {
	root := newRootCmd(nil, io.Discard, io.Discard)
	kinds := map[string]map[string][]string{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if isOldName(f) {
				return
			}
			if kinds[f.Name] == nil {
				kinds[f.Name] = map[string][]string{}
			}
			kind := f.Value.Type()
			if isPerInvocation(f) {
				kind += " per invocation"
			}
			kinds[f.Name][kind] = append(kinds[f.Name][kind], c.CommandPath())
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)

	for name, byType := range kinds {
		require.Len(t, byType, 1, "--%s has several kinds of value: %v", name, byType)
	}
}

// ensureStreams creates the streams a worker would, so that the reading
// commands find them.
func ensureStreams(t *testing.T, url string) {
	t.Helper()
	js := natstest.JetStream(t, natstest.Dial(t, url))
	ctx := context.Background()
	require.NoError(t, router.EnsureStreams(ctx, js, 1))
	require.NoError(t, audit.EnsureStream(ctx, js, 0, 1))
}

// TestPerInvocationFlagsStayOnTheCommandLine checks that an event's fields
// and the filters of audit are not read from the environment or the config
// file, nor advertised with a variable, while the settings still are.
func TestPerInvocationFlagsStayOnTheCommandLine(t *testing.T) {
	url := natsServer(t)
	ensureStreams(t, url)
	event := writeFile(t, "e.json", `{"source":"ci/x","name":"n","severity":"high"}`)

	t.Run("publish makes a new id each time", func(t *testing.T) {
		t.Setenv("ALERTROUTER_EVENT_ID", "evt-from-env")
		t.Setenv("ALERTROUTER_NATS_URL", url)
		for range 2 {
			code, out, errOut := runCLI(t, "", "publish", "--source", "ci/x", "--name", "n",
				"--severity", "info")
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out, "published ")
			require.NotContains(t, out, "evt-from-env")
			require.NotContains(t, out, "duplicate")
		}
	})

	t.Run("publish of a file ignores event fields in the environment", func(t *testing.T) {
		t.Setenv("ALERTROUTER_SOURCE", "env/source")
		code, out, errOut := runCLI(t, "", "publish", "--nats-url", url, event)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "to alerts.ci_x.high")
	})

	t.Run("audit ignores filters in the environment", func(t *testing.T) {
		t.Setenv("ALERTROUTER_KIND", "bogus")
		t.Setenv("ALERTROUTER_SINCE", "yesterday")
		code, _, errOut := runCLI(t, "", "audit", "--nats-url", url)
		require.Equal(t, 0, code, errOut)
	})

	t.Run("a config file cannot set one", func(t *testing.T) {
		cfg := writeFile(t, "c.yaml", "event-id: evt-from-file\n")
		code, _, errOut := runCLI(t, "", "route", "--config", cfg, "--rules", consoleRules,
			event)
		require.Equal(t, 1, code)
		require.Contains(t, errOut, "config file "+cfg+": event-id: give --event-id on the "+
			"command line")
	})

	t.Run("help shows no variable for them", func(t *testing.T) {
		for cmd, flags := range map[string][]string{
			"publish": {"EVENT_ID", "SOURCE", "NAME", "SEVERITY", "STATUS", "TITLE",
				"DESCRIPTION", "DEDUP_KEY", "COMPLIANCE", "LABEL", "ANNOTATION"},
			"audit":             {"EVENT_ID", "KEY", "ROUTE", "RECEIVER", "OUTCOME", "KIND"},
			"deadletter replay": {"ID", "ALL"},
			"notify":            {"RECEIVER"},
		} {
			_, out, _ := runCLI(t, "", append(strings.Fields(cmd), "--help")...)
			require.Contains(t, out, "[$ALERTROUTER_LOG_FORMAT]", cmd)
			for _, f := range flags {
				require.NotContains(t, out, "[$ALERTROUTER_"+f+"]", cmd)
			}
		}
		_, out, _ := runCLI(t, "", "publish", "--help")
		require.Contains(t, out, "[$ALERTROUTER_NATS_URL]")
		require.Contains(t, out, "[$ALERTROUTER_TIMEOUT]")
	})
}

// TestOldAndNewFlagNameRefused checks that a flag given by both its old and
// its new name is refused, naming both, rather than the last one winning.
func TestOldAndNewFlagNameRefused(t *testing.T) {
	offline := []string{"--nats-url", "nats://127.0.0.1:1"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"publish", []string{"publish", "--id", "a", "--event-id", "b", "--source", "s",
			"--name", "n", "--severity", "info"},
			"publish: give --event-id or its old name --id, not both"},
		{"publish, new name first", []string{"publish", "--event-id=b", "--id=a",
			"--source", "s", "--name", "n", "--severity", "info"},
			"publish: give --event-id or its old name --id, not both"},
		{"audit", []string{"audit", "--max", "1", "--limit", "3"},
			"audit: give --max or its old name --limit, not both"},
		{"deadletter list", []string{"deadletter", "list", "--limit", "1", "--max", "1"},
			"deadletter list: give --max or its old name --limit, not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", slices.Concat(tt.args, offline)...)

			require.Equal(t, 1, code, errOut)
			require.Empty(t, out)
			require.Equal(t, "alertrouter: "+tt.want+"\n", errOut)
		})
	}

	t.Run("old name alone counts as given", func(t *testing.T) {
		url := natsServer(t)
		ensureStreams(t, url)
		t.Setenv("ALERTROUTER_MAX", "-1")

		code, out, errOut := runCLI(t, "", "deadletter", "list", "--nats-url", url,
			"--limit", "1")

		require.Equal(t, 0, code, errOut)
		require.Contains(t, out+errOut, "no dead letters")
	})
}
