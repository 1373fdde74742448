package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/internal/fakeslack"
	"github.com/alertrouter/alertrouter/internal/fakesmtp"
)

const (
	smtpUser     = "alertrouter"
	smtpPassword = "s3cret-pass"
	testTitle    = "alertrouter test notification — ignore"
)

// notifyRules writes a rules file whose receiver "team" has a Slack
// channel on slack and an e-mail channel on mail, with credentials from
// the environment, and returns its path.
func notifyRules(t *testing.T, slack *fakeslack.Server, mail *fakesmtp.Server) string {
	t.Helper()
	return writeFile(t, "rules.yaml", fmt.Sprintf(`receivers:
  team:
    slack: { api_url: %q, channel: "#alerts", token: "${ALERTROUTER_TEST_SLACK_TOKEN}" }
    email:
      host: %s
      port: %d
      tls: none
      from: alertrouter@example.org
      to: [oncall@example.org]
      username: %s
      password: "${ALERTROUTER_TEST_SMTP_PASSWORD}"
  other: { console: {} }
routes: [{ name: all, receivers: [team] }]
`, slack.URL(), mail.Host(), mail.Port(), smtpUser))
}

func newFakes(t *testing.T, smtpOpts ...fakesmtp.Option) (*fakeslack.Server, *fakesmtp.Server) {
	t.Helper()
	slack := fakeslack.New(fakeslack.WithoutRateLimit())
	t.Cleanup(slack.Close)
	mail, err := fakesmtp.New(smtpOpts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, mail.Close()) })
	return slack, mail
}

func TestNotify(t *testing.T) {
	t.Setenv("ALERTROUTER_TEST_SLACK_TOKEN", fakeslack.DefaultToken)
	t.Setenv("ALERTROUTER_TEST_SMTP_PASSWORD", smtpPassword)

	t.Run("every channel gets the marked test message", func(t *testing.T) {
		slack, mail := newFakes(t, fakesmtp.WithAuth(smtpUser, smtpPassword))

		code, out, errOut := runCLI(t, "", "notify", "--rules", notifyRules(t, slack, mail),
			"--receiver", "team")
		require.Equal(t, 0, code, errOut)
		require.Equal(t, "slack: ok (1 attempt)\nemail: ok (1 attempt)\n", out)

		msgs := slack.Messages()
		require.Len(t, msgs, 1)
		require.Equal(t, fakeslack.DefaultChannelID, msgs[0].Channel)
		require.Equal(t, fakeslack.DefaultToken, msgs[0].Token, "the token secret is expanded")
		body := msgs[0].Text + strings.Join(msgs[0].BlockTexts(), "\n")
		require.Contains(t, body, testTitle)
		require.Contains(t, body, "test")

		mails := mail.Messages()
		require.Len(t, mails, 1)
		require.Equal(t, smtpUser, mails[0].AuthUser, "the password secret is expanded")
		require.Contains(t, mails[0].Subject, testTitle)
		require.Contains(t, mails[0].TextBody, "alertrouter notify")
		require.Contains(t, mails[0].TextBody, "receiver team")
		require.Contains(t, mails[0].TextBody, "test")
	})

	t.Run("a permanent failure is reported, exit 1", func(t *testing.T) {
		slack, mail := newFakes(t, fakesmtp.WithAuth(smtpUser, "another-password"))

		code, out, errOut := runCLI(t, "", "notify", "--rules", notifyRules(t, slack, mail),
			"--receiver", "team")
		require.Equal(t, 1, code)
		require.Contains(t, out, "slack: ok (1 attempt)\n")
		require.Regexp(t, `(?m)^email: FAILED: .*535.*\(permanent\)$`, out)
		require.NotContains(t, out+errOut, smtpPassword)
		require.Contains(t, errOut, "receiver team: 1 of 2 channel(s) failed")
		require.Len(t, slack.Messages(), 1)
		require.Empty(t, mail.Messages())
	})

	t.Run("a temporary failure is retried once", func(t *testing.T) {
		slack, mail := newFakes(t, fakesmtp.WithAuth(smtpUser, smtpPassword))
		slack.FailNext(5, 500, 0)

		code, out, _ := runCLI(t, "", "notify", "--rules", notifyRules(t, slack, mail),
			"--receiver", "team")
		require.Equal(t, 1, code)
		require.Regexp(t, `(?m)^slack: FAILED: .*\(temporary, 2 attempts\)$`, out)
		require.Contains(t, out, "email: ok (1 attempt)\n")
		require.Equal(t, 2, slack.Requests(), "at most 2 attempts")
	})
}

func TestNotifyRefuses(t *testing.T) {
	rulesPath := writeFile(t, "rules.yaml", `receivers:
  chat: { console: {} }
  log: { console: {} }
routes: [{ name: all, receivers: [chat] }]
`)
	unsetSecret := writeFile(t, "secret.yaml", `receivers:
  chat: { console: {} }
  pager: { pagerduty: { routing_key: "${ALERTROUTER_TEST_UNSET_KEY}" } }
routes: [{ name: all, receivers: [chat] }]
`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown receiver lists the known ones", []string{"--rules", rulesPath,
			"--receiver", "nobody"}, `unknown receiver "nobody" in ` + rulesPath +
			" (known: chat, log)"},
		{"no receiver", []string{"--rules", rulesPath}, "--receiver is required"},
		{"no rules", []string{"--receiver", "chat"}, "--rules is required"},
		{"secrets are expanded", []string{"--rules", unsetSecret, "--receiver", "chat"},
			"environment variable ALERTROUTER_TEST_UNSET_KEY is not set"},
		{"arguments refused", []string{"--rules", rulesPath, "--receiver", "chat", "extra"},
			"unknown command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"notify"}, tc.args...)...)
			require.Equal(t, 1, code)
			require.Contains(t, errOut, tc.want)
			require.Empty(t, out, "nothing is sent")
		})
	}
}

func TestNotifyConsole(t *testing.T) {
	code, out, errOut := runCLI(t, "", "notify", "--rules", consoleRules, "--receiver", "eng-chat")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "→ eng-chat via route (notify): [FIRING] [info] "+testTitle)
	require.Contains(t, out, "console: ok (1 attempt)\n")
}
