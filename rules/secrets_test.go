package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

const secretValue = "s3cr3t-VALUE-xoxb"

// secretsYAML uses every kind of secret reference.
const secretsYAML = `receivers:
  pd:
    pagerduty: { routing_key: "${PD_KEY}" }
  chat:
    slack: { channel: "#x", token: "${SLACK_TOKEN}" }
  mail:
    email: { host: h, from: f@example.org, to: t@example.org, username: u,
             password: "file:/run/secrets/smtp" }
  hook:
    webhook:
      url: "https://hooks.example/${HOOK_PATH}/x"
      headers: { Authorization: "Bearer ${PD_KEY}", X-Plain: plain }
unrouted: [pd, chat, mail, hook]
`

func fakeEnv(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func fakeFiles(files map[string]string) func(string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		v, ok := files[path]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		return []byte(v), nil
	}
}

func secretOptions() Options {
	return Options{
		LookupEnv: fakeEnv(map[string]string{
			"PD_KEY": secretValue, "SLACK_TOKEN": "xoxb-1", "HOOK_PATH": "abc",
		}),
		ReadFile: fakeFiles(map[string]string{"/run/secrets/smtp": "pw-from-file\r\n\n"}),
	}
}

func TestSecretsExpanded(t *testing.T) {
	r, err := Parse("rules.yaml", []byte(secretsYAML), secretOptions())
	require.NoError(t, err)

	require.Equal(t, secretValue, r.Receivers["pd"].PagerDuty[0].RoutingKey.Value())
	require.Equal(t, "xoxb-1", r.Receivers["chat"].Slack[0].Token.Value())
	require.Equal(t, "pw-from-file", r.Receivers["mail"].Email[0].Password.Value())

	hook := r.Receivers["hook"].Webhook[0]
	require.Equal(t, "https://hooks.example/abc/x", hook.URL.Value())
	require.Equal(t, "Bearer "+secretValue, hook.Headers["Authorization"].Value())
	require.Equal(t, "plain", hook.Headers["X-Plain"].Value())
}

func TestSecretErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		file map[string]string
		want []string
	}{
		{
			name: "unset variables",
			env:  map[string]string{"SLACK_TOKEN": "x", "HOOK_PATH": "p"},
			file: map[string]string{"/run/secrets/smtp": "pw"},
			want: []string{
				"rules.yaml:3:31: receivers.pd.pagerduty.routing_key: " +
					"environment variable PD_KEY is not set",
				"rules.yaml:12:33: receivers.hook.webhook.headers.Authorization: " +
					"environment variable PD_KEY is not set",
			},
		},
		{
			name: "empty variable and missing file",
			env:  map[string]string{"PD_KEY": "k", "SLACK_TOKEN": "", "HOOK_PATH": "p"},
			want: []string{
				"rules.yaml:5:36: receivers.chat.slack.token: environment variable SLACK_TOKEN is empty",
				"rules.yaml:8:24: receivers.mail.email.password: read secret file: " +
					"open /run/secrets/smtp: file does not exist",
			},
		},
		{
			name: "empty file",
			env:  map[string]string{"PD_KEY": "k", "SLACK_TOKEN": "x", "HOOK_PATH": "p"},
			file: map[string]string{"/run/secrets/smtp": "\n"},
			want: []string{
				"rules.yaml:8:24: receivers.mail.email.password: secret file /run/secrets/smtp is empty",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{LookupEnv: fakeEnv(tt.env), ReadFile: fakeFiles(tt.file)}
			_, err := Parse("rules.yaml", []byte(secretsYAML), opts)

			var errs Errors
			require.True(t, errors.As(err, &errs))
			require.Equal(t, tt.want, messages(errs))
		})
	}
}

func messages(errs Errors) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func TestSecretSyntaxChecked(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"unterminated", `"${PD_KEY"`, "unterminated ${ in value"},
		{"bad name", `"${1X}"`, `invalid environment variable name "1X" in ${...}`},
		{"empty name", `"${}"`, `invalid environment variable name "" in ${...}`},
		{"file without path", `"file:"`, "file: needs a path, as in file:/run/secrets/name"},
		{"file with a blank path", `"file:   "`,
			"file: needs a path, as in file:/run/secrets/name"},
	}
	for _, tt := range tests {
		for _, skip := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s skip=%v", tt.name, skip), func(t *testing.T) {
				src := "receivers:\n  pd:\n    pagerduty: { routing_key: " + tt.value + " }\nunrouted: [pd]\n"
				_, err := Parse("rules.yaml", []byte(src), Options{SkipSecrets: skip, LookupEnv: noEnv})
				require.EqualError(t, err,
					"rules.yaml:3:31: receivers.pd.pagerduty.routing_key: "+tt.want)
			})
		}
	}
}

func TestSkipSecrets(t *testing.T) {
	opts := Options{
		SkipSecrets: true,
		LookupEnv:   func(string) (string, bool) { panic("env read with SkipSecrets") },
		ReadFile:    func(string) ([]byte, error) { panic("file read with SkipSecrets") },
	}
	r, err := Parse("rules.yaml", []byte(secretsYAML), opts)
	require.NoError(t, err)

	require.Empty(t, r.Receivers["pd"].PagerDuty[0].RoutingKey.Value())
	require.Empty(t, r.Receivers["mail"].Email[0].Password.Value())
	require.Empty(t, r.Receivers["hook"].Webhook[0].URL.Value())
	require.Equal(t, "plain", r.Receivers["hook"].Webhook[0].Headers["X-Plain"].Value(),
		"values without references are kept")
}

func TestSecretNeverShown(t *testing.T) {
	src := `receivers:
  hook:
    webhook:
      url: "ftp://${PD_KEY}"
      headers: { Authorization: "Bearer ${PD_KEY}", X-Bad: "${BAD}" }
unrouted: [hook]
`
	opts := Options{LookupEnv: fakeEnv(map[string]string{
		"PD_KEY": secretValue, "BAD": "a\r\nInjected: " + secretValue,
	})}
	_, err := Parse("rules.yaml", []byte(src), opts)
	require.Error(t, err)
	require.Equal(t, []string{
		"rules.yaml:4:12: receivers.hook.webhook.url: not an http:// or https:// URL",
		"rules.yaml:5:60: receivers.hook.webhook.headers.X-Bad: " +
			"header value must not contain line breaks",
	}, messages(err.(Errors)))
	require.NotContains(t, err.Error(), secretValue)

	r, err := Parse("rules.yaml", []byte(secretsYAML), secretOptions())
	require.NoError(t, err)
	for _, rc := range r.Receivers {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			require.NotContains(t, fmt.Sprintf(format, *rc), secretValue, format)
		}
		b, err := json.Marshal(rc)
		require.NoError(t, err)
		require.NotContains(t, string(b), secretValue)
	}
	require.NotContains(t, fmt.Sprint(r.Receivers["pd"].PagerDuty), secretValue)
	require.Contains(t, fmt.Sprintf("%#v", r.Receivers["pd"].PagerDuty[0]), `"<secret>"`)
}
