package rules

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRequiredFieldsNotBlank checks that every channel field an adapter
// cannot work without is refused when written empty or blank, with or
// without SkipSecrets, at the value's position: `check` must refuse what
// `run` would refuse.
func TestRequiredFieldsNotBlank(t *testing.T) {
	const empty = "must not be empty"
	const blank = "must not be blank (only white space)"
	tests := []struct {
		name    string
		channel string
		want    string
	}{
		{"pagerduty routing_key", `pagerduty: { routing_key: "" }`,
			"3:31: receivers.a.pagerduty.routing_key: " + empty},
		{"pagerduty routing_key blank", `pagerduty: { routing_key: "  " }`,
			"3:31: receivers.a.pagerduty.routing_key: " + blank},
		{"slack token", `slack: { channel: "#x", token: "" }`,
			"3:36: receivers.a.slack.token: " + empty},
		{"slack token blank", `slack: { channel: "#x", token: "\t" }`,
			"3:36: receivers.a.slack.token: " + blank},
		{"slack channel", `slack: { channel: "", token: t }`,
			"3:23: receivers.a.slack.channel: " + empty},
		{"slack channel blank", `slack: { channel: " ", token: t }`,
			"3:23: receivers.a.slack.channel: " + blank},
		{"slack webhook_url", `slack: { webhook_url: "" }`,
			"3:27: receivers.a.slack.webhook_url: " + empty},
		{"webhook url", `webhook: { url: "" }`,
			"3:21: receivers.a.webhook.url: " + empty},
		{"webhook url blank", `webhook: { url: " " }`,
			"3:21: receivers.a.webhook.url: " + blank},
		{"email host", `email: { host: "", from: f@x.org, to: t@x.org }`,
			"3:20: receivers.a.email.host: " + empty},
		{"email host blank", `email: { host: "  ", from: f@x.org, to: t@x.org }`,
			"3:20: receivers.a.email.host: " + blank},
		{"email username",
			`email: { host: h, from: f@x.org, to: t@x.org, username: "", password: p }`,
			"3:61: receivers.a.email.username: " + empty},
		{"email password",
			`email: { host: h, from: f@x.org, to: t@x.org, username: u, password: "" }`,
			"3:74: receivers.a.email.password: " + empty},
	}
	for _, tt := range tests {
		for _, skip := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s skip=%v", tt.name, skip), func(t *testing.T) {
				src := "receivers:\n  a:\n    " + tt.channel + "\nunrouted: [a]\n"
				_, err := Parse("rules.yaml", []byte(src),
					Options{SkipSecrets: skip, LookupEnv: noEnv})
				require.EqualError(t, err, "rules.yaml:"+tt.want)
			})
		}
	}
}

// TestRequiredFieldsUserReport is the file from the report: check, with
// and without --skip-secrets, passed it, and run then refused it.
func TestRequiredFieldsUserReport(t *testing.T) {
	src := `receivers: { d: { pagerduty: { routing_key: "" } }, ` +
		`e: { slack: { channel: "#x", token: "" } } }` + "\n" +
		"routes: [ { name: r, receivers: [d, e] } ]\n"
	for _, skip := range []bool{false, true} {
		t.Run(fmt.Sprintf("skip=%v", skip), func(t *testing.T) {
			_, err := Parse("pd.yaml", []byte(src), Options{SkipSecrets: skip, LookupEnv: noEnv})
			require.Error(t, err)
			require.Equal(t, []string{
				"pd.yaml:1:45: receivers.d.pagerduty.routing_key: must not be empty",
				"pd.yaml:1:89: receivers.e.slack.token: must not be empty",
			}, messages(err.(Errors)))
		})
	}
}

// TestRequiredSecretExpandsBlank checks that a reference which expands
// to nothing usable is refused, naming the variable or file, while
// SkipSecrets leaves references alone.
func TestRequiredSecretExpandsBlank(t *testing.T) {
	env := fakeEnv(map[string]string{"EMPTY": "", "SPACE": "  ", "TAB": "\t", "KEY": "k"})
	files := fakeFiles(map[string]string{"/s/blank": " \n", "/s/key": "k\n"})
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"empty variable", `"${EMPTY}"`, "environment variable EMPTY is empty"},
		{"unset variable", `"${UNSET}"`, "environment variable UNSET is not set"},
		{"blank variable", `"${SPACE}"`, "environment variable SPACE is blank (only white space)"},
		{"blank variables", `"${SPACE}${TAB}"`,
			"environment variables SPACE, TAB expand to blank text"},
		{"blank file", `"file:/s/blank"`, "secret file /s/blank is blank (only white space)"},
	}
	for _, tt := range tests {
		src := "receivers:\n  a:\n    pagerduty: { routing_key: " + tt.value + " }\n" +
			"unrouted: [a]\n"
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("rules.yaml", []byte(src), Options{LookupEnv: env, ReadFile: files})
			require.EqualError(t, err,
				"rules.yaml:3:31: receivers.a.pagerduty.routing_key: "+tt.want)
		})
		t.Run(tt.name+" skipped", func(t *testing.T) {
			_, err := Parse("rules.yaml", []byte(src), Options{SkipSecrets: true})
			require.NoError(t, err)
		})
	}

	for _, value := range []string{`"${KEY}"`, `" ${KEY} "`, `"${SPACE}${KEY}"`, `"file:/s/key"`} {
		src := "receivers:\n  a:\n    pagerduty: { routing_key: " + value + " }\nunrouted: [a]\n"
		_, err := Parse("rules.yaml", []byte(src), Options{LookupEnv: env, ReadFile: files})
		require.NoError(t, err, value)
	}
}
