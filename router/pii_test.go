package router

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/channels/email"
	"github.com/alertrouter/alertrouter/channels/slack"
	"github.com/alertrouter/alertrouter/internal/fakeslack"
	"github.com/alertrouter/alertrouter/internal/fakesmtp"
	"github.com/alertrouter/alertrouter/redact"
	"github.com/alertrouter/alertrouter/rules"
)

const piiRules = `
sensitive_labels: [patient_id]
receivers:
  chat:
    slack: { api_url: "%s", token: "%s", channel: "%s" }
    redact: true
  privacy:
    email: { host: 127.0.0.1, port: %d, from: a@example.org, to: [dpo@example.org], tls: none }
routes:
  - { name: records, receivers: [chat, privacy] }
`

const piiEvent = `{"id":"pii-1","source":"monitor/records-api","name":"export_failed",
 "severity":"high","compliance":["LGPD"],"occurred_at":"2026-12-04T08:00:00Z",
 "title":"Export failed for maria.souza@example.org",
 "description":"Patient CPF 529.982.247-25, phone +55 11 91234-5678, card 4111 1111 1111 1111.",
 "labels":{"service":"records-api","patient_id":"P-00912"}}`

// The same personal data goes to a redacting Slack receiver and a
// non-redacting email receiver: each far side gets exactly what a direct
// send of the masked, respectively the original, event produces.
func TestPersonalDataMaskedForSlackOnly(t *testing.T) {
	slackFake := fakeslack.New(fakeslack.WithoutRateLimit())
	defer slackFake.Close()
	mail, err := fakesmtp.New()
	require.NoError(t, err)
	defer mail.Close()

	rs, err := rules.Parse("pii.yaml", fmt.Appendf(nil, piiRules, slackFake.URL(),
		fakeslack.DefaultToken, fakeslack.DefaultChannel, mail.Port()), rules.Options{})
	require.NoError(t, err)
	h := start(t, newRecorder(), func(o *Options) {
		o.Rules = rs
		o.Channels = Adapters(AdapterOptions{})
	})
	h.publish(t, piiEvent)
	h.waitDone(t, 1)

	// What a direct send of the masked and of the original event gives.
	var dec alert.Decoder
	ev, err := dec.Decode([]byte(piiEvent))
	require.NoError(t, err)
	masked := redact.New(nil, rs.SensitiveLabels).Event(ev)
	n := channels.Notification{Route: "records", Key: ev.Key(), Reason: channels.ReasonNew}
	sl, err := slack.New(slack.Config{APIURL: slackFake.URL(), Token: fakeslack.DefaultToken,
		Channel: fakeslack.DefaultChannel})
	require.NoError(t, err)
	n.Event, n.Receiver = masked, "chat"
	require.NoError(t, sl.Send(context.Background(), n))
	em, err := email.New(email.Config{Host: "127.0.0.1", Port: mail.Port(),
		From: "a@example.org", To: []string{"dpo@example.org"}, TLS: "none"})
	require.NoError(t, err)
	n.Event, n.Receiver = ev, "privacy"
	require.NoError(t, em.Send(context.Background(), n))

	chat := slackFake.Messages()
	require.Len(t, chat, 2)
	require.Equal(t, chat[1].Text, chat[0].Text, "Slack got the masked event, byte for byte")
	require.JSONEq(t, string(chat[1].Blocks), string(chat[0].Blocks))
	for _, pii := range []string{"529.982.247-25", "52998224725", "91234-5678",
		"4111 1111 1111 1111", "maria.souza@example.org", "P-00912"} {
		require.NotContains(t, chat[0].Text+string(chat[0].Blocks), pii)
	}
	require.Contains(t, chat[0].Text+string(chat[0].Blocks), "[REDACTED:cpf]")

	msgs, err := mail.WaitFor(2, 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, msgs[1].Subject, msgs[0].Subject)
	require.Equal(t, msgs[1].TextBody, msgs[0].TextBody, "email got the original, byte for byte")
	require.Equal(t, msgs[1].HTMLBody, msgs[0].HTMLBody)
	require.Contains(t, msgs[0].TextBody, "529.982.247-25")
	require.Contains(t, msgs[0].TextBody, "P-00912")
}
