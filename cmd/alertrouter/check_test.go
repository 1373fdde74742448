package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/rules"
)

// checkSecretRules reads a Slack token and a PagerDuty key from the
// environment and an SMTP password from a file.
const checkSecretRules = `receivers:
  chat:
    slack: { channel: "#alerts", token: "${CHECK_SLACK_TOKEN}" }
  pd:
    pagerduty: { routing_key: "${CHECK_PD_KEY}" }
  mail:
    email: { host: smtp.test, from: a@example.org, to: b@example.org, username: u,
             password: "file:%s" }
routes:
  - name: critical
    match: { severity: critical }
    receivers: [pd, mail]
  - name: rest
    receivers: [chat]
    repeat_interval: 1h
`

func TestCheckPrint(t *testing.T) {
	secrets := map[string]string{
		"slack token":   "xoxb-check-print-token",
		"pd key":        "pd-check-print-key",
		"smtp password": "smtp-check-print-password",
	}
	t.Setenv("CHECK_SLACK_TOKEN", secrets["slack token"])
	t.Setenv("CHECK_PD_KEY", secrets["pd key"])
	pw := writeFile(t, "smtp-password", secrets["smtp password"]+"\n")
	file := writeFile(t, "rules.yaml", fmt.Sprintf(checkSecretRules, pw))

	tests := []struct {
		name string
		args []string
	}{
		{"secrets expanded", []string{"check", "--print", file}},
		{"secrets skipped", []string{"check", "--print", "--skip-secrets", file}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			require.Equal(t, 0, code, errOut)
			require.Contains(t, errOut, "OK (3 receivers, 2 routes)")
			require.NotContains(t, out, "OK", "stdout holds only the YAML")

			for name, value := range secrets {
				require.NotContains(t, out, value, name)
				require.NotContains(t, errOut, value, name)
			}
			require.Contains(t, out, "token: "+rules.Masked)
			require.Contains(t, out, "routing_key: "+rules.Masked)
			require.Contains(t, out, "password: "+rules.Masked)
			require.Contains(t, out, "repeat_interval: 1h")

			back, err := rules.Parse("printed", []byte(out), rules.Options{SkipSecrets: true})
			require.NoError(t, err)
			require.Len(t, back.Routes, 2)
			require.Equal(t, []string{"pd", "mail"}, back.Routes[0].Receivers)
		})
	}
}

func TestCheckWithoutPrint(t *testing.T) {
	code, out, _ := runCLI(t, "", "check", consoleRules)
	require.Equal(t, 0, code)
	require.NotContains(t, out, "receivers:", "rules are printed only when asked")
}

// TestNATSAuthFlags checks that the NATS auth flags and their variables
// reach the connection settings, which refuse bad combinations before
// dialling, name each setting by where it came from (flag, variable or
// config file) and never echo a secret.
func TestNATSAuthFlags(t *testing.T) {
	event := []string{"publish", "--nats-url", "nats://127.0.0.1:1", "--source", "ci/x",
		"--name", "n", "--severity", "info"}
	cfg := writeFile(t, "c.yaml", "nats-token-file: tok\nnats-tls-key: k.pem\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"password from env without user",
			map[string]string{"ALERTROUTER_NATS_PASSWORD": "env-Secret-pw"}, nil,
			"a nats password ($ALERTROUTER_NATS_PASSWORD) needs --nats-user"},
		{"password flag without user", nil, []string{"--nats-password", "flag-Secret-pw"},
			"a nats password needs --nats-user"},
		{"cert without key", nil, []string{"--nats-tls-cert", "c.pem"},
			"--nats-tls-cert needs --nats-tls-key"},
		{"nkey and token", map[string]string{"ALERTROUTER_NATS_TOKEN": "env-Secret-tok"},
			[]string{"--nats-nkey", "seed.nk"}, "$ALERTROUTER_NATS_TOKEN, --nats-nkey"},
		{"token file and token", map[string]string{"ALERTROUTER_NATS_TOKEN_FILE": "tok"},
			[]string{"--nats-token", "flag-Secret-tok"},
			"--nats-token and $ALERTROUTER_NATS_TOKEN_FILE: set one, not both"},
		{"token and token file from the config file",
			map[string]string{"ALERTROUTER_NATS_TOKEN": "env-Secret-tok"},
			[]string{"--config", cfg, "--nats-tls-cert", "c.pem"},
			"$ALERTROUTER_NATS_TOKEN and nats-token-file in config file " + cfg +
				": set one, not both"},
		{"key from the config file without cert", nil, []string{"--config", cfg},
			"nats-tls-key in config file " + cfg + " needs --nats-tls-cert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			code, out, errOut := runCLI(t, "", slices.Concat(event, tt.args)...)
			require.NotEqual(t, 0, code)
			require.Contains(t, errOut, tt.want)
			require.NotContains(t, out+errOut, "Secret")
		})
	}
}

func TestNATSAuthFlagsDocumented(t *testing.T) {
	_, out, _ := runCLI(t, "", "publish", "--help")
	for _, flag := range []string{"--nats-nkey", "--nats-password-file", "--nats-token-file",
		"--nats-tls-cert", "--nats-tls-key", "$ALERTROUTER_NATS_PASSWORD"} {
		require.Contains(t, out, flag)
	}
}

// TestCheckEmptyCredential checks that check refuses, with and without
// --skip-secrets, an empty credential that run would refuse, naming each
// by file, line and column.
func TestCheckEmptyCredential(t *testing.T) {
	file := writeFile(t, "pd.yaml", `receivers: { d: { pagerduty: { routing_key: "" } }, `+
		`e: { slack: { channel: "#x", token: "" } } }`+"\n"+
		"routes: [ { name: r, receivers: [d, e] } ]\n")

	for _, args := range [][]string{{"check", file}, {"check", "--skip-secrets", file}} {
		t.Run(strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", args...)
			require.Equal(t, 1, code)
			require.NotContains(t, out, "OK")
			require.Contains(t, errOut,
				file+":1:45: receivers.d.pagerduty.routing_key: must not be empty\n")
			require.Contains(t, errOut, file+":1:89: receivers.e.slack.token: must not be empty\n")
		})
	}
}

// TestNATSSettingsNeedURLNamed checks that run without --nats-url names
// each credential and TLS setting the embedded server cannot take where
// it was set, and never echoes a secret.
func TestNATSSettingsNeedURLNamed(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "nats-ca: ca.pem\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"user and password from the environment", map[string]string{
			"ALERTROUTER_NATS_USER": "u", "ALERTROUTER_NATS_PASSWORD": "env-Secret-pw"}, nil,
			"$ALERTROUTER_NATS_USER, $ALERTROUTER_NATS_PASSWORD: nats credentials and TLS " +
				"settings need --nats-url"},
		{"token from the environment, CA from the config file",
			map[string]string{"ALERTROUTER_NATS_TOKEN": "env-Secret-tok"},
			[]string{"--config", cfg}, "$ALERTROUTER_NATS_TOKEN, nats-ca in config file " +
				cfg + ": nats credentials and TLS settings need --nats-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := slices.Concat([]string{"run", "--rules", consoleRules, "--state", "memory",
				"--watch=false", "--http", "", "--data", t.TempDir()}, tt.args)

			code, out, errOut := runCLI(t, "", args...)

			require.Equal(t, 1, code, errOut)
			require.Contains(t, errOut, tt.want)
			require.NotContains(t, out+errOut, "Secret")
		})
	}
}
