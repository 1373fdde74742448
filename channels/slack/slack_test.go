package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/fakeslack"
)

const hostile = "<!channel> hi <@U123> <https://evil|click> & stuff <#C999> <!here>"

func notification(ev *alert.Event) channels.Notification {
	return channels.Notification{
		Event: ev, Route: "ci-gates", Receiver: "eng-chat", Key: ev.Key(),
		Reason: channels.ReasonRepeat, Suppressed: 12,
	}
}

func sampleEvent() *alert.Event {
	return &alert.Event{
		ID: "e1", Source: "ci/quality-gates", Name: "coverage_below_threshold",
		Severity: alert.SeverityHigh, Status: alert.StatusFiring,
		Title: "Coverage 71% < 80%", Description: "records-api coverage fell",
		Labels:      map[string]string{"service": "records-api", "env": "prod"},
		Annotations: map[string]string{"runbook_url": "https://runbooks.example/cov?a=1&b=2"},
		Compliance:  []string{"LGPD"},
		OccurredAt:  time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
	}
}

func apiNotifier(t *testing.T, fake *fakeslack.Server, token, channel string) *Notifier {
	t.Helper()
	n, err := New(Config{APIURL: strings.TrimSuffix(fake.URL(), "/"), Token: token,
		Channel: channel})
	require.NoError(t, err)
	return n
}

func TestSendByAPI(t *testing.T) {
	fake := fakeslack.New(fakeslack.WithoutRateLimit())
	defer fake.Close()
	n := apiNotifier(t, fake, fakeslack.DefaultToken, "#alerts")

	err := n.Send(context.Background(), notification(sampleEvent()))

	require.NoError(t, err)
	msgs := fake.Messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.Equal(t, fakeslack.ViaAPI, m.Via)
	require.Equal(t, fakeslack.DefaultChannelID, m.Channel)
	require.Equal(t, fakeslack.DefaultToken, m.Token)
	require.Equal(t, "none", m.Params["parse"])
	require.Equal(t, "false", m.Params["unfurl_links"])
	require.Contains(t, m.Text, "[FIRING] [high] Coverage 71% &lt; 80%")
	require.Contains(t, m.Text, "12 duplicates suppressed since last notification")

	all := strings.Join(m.BlockTexts(), "\n")
	for _, want := range []string{
		"Reminder: still firing", "records-api coverage fell", "service: records-api",
		"route ci-gates → receiver eng-chat", "compliance LGPD", "2024-05-01T10:00:00Z",
		"<https://runbooks.example/cov?a=1&amp;b=2|Runbook>",
	} {
		require.Contains(t, all, want)
	}
}

func TestSendByWebhook(t *testing.T) {
	fake := fakeslack.New(fakeslack.WithoutRateLimit())
	defer fake.Close()
	n, err := New(Config{WebhookURL: fake.WebhookURL("T1/B1/secret")})
	require.NoError(t, err)

	ev := sampleEvent()
	ev.Status = alert.StatusResolved
	note := notification(ev)
	note.Reason, note.Suppressed = channels.ReasonResolved, 0
	require.NoError(t, n.Send(context.Background(), note))

	msgs := fake.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, fakeslack.ViaWebhook, msgs[0].Via)
	require.Equal(t, "T1/B1/secret", msgs[0].Channel)
	require.Contains(t, msgs[0].Text, "[RESOLVED] [high]")
	require.NotContains(t, msgs[0].Text, "suppressed")
	require.Contains(t, strings.Join(msgs[0].BlockTexts(), "\n"), ":white_check_mark:")
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		channel    string
		webhook    bool
		prepare    func(*fakeslack.Server)
		retryable  bool
		retryAfter time.Duration
		errHas     string
	}{
		{name: "invalid token", token: "xoxb-bad", errHas: "invalid_auth"},
		{name: "unknown channel", channel: "#nope", errHas: "channel_not_found"},
		{name: "429 with Retry-After", retryable: true, retryAfter: 7 * time.Second,
			prepare: func(s *fakeslack.Server) { s.FailNext(1, 429, 7) }},
		{name: "429 without Retry-After", retryable: true,
			prepare: func(s *fakeslack.Server) { s.FailNext(1, 429, 0) }},
		{name: "500", retryable: true, errHas: "500",
			prepare: func(s *fakeslack.Server) { s.FailNext(1, 500, 0) }},
		{name: "api internal_error", retryable: true, errHas: "internal_error",
			prepare: func(s *fakeslack.Server) { s.FailNextAPIError(1, "internal_error") }},
		{name: "api ratelimited", retryable: true,
			prepare: func(s *fakeslack.Server) { s.FailNextAPIError(1, "ratelimited") }},
		{name: "api not_in_channel", errHas: "not_in_channel",
			prepare: func(s *fakeslack.Server) { s.FailNextAPIError(1, "not_in_channel") }},
		{name: "webhook 400 invalid payload", webhook: true, errHas: "400",
			prepare: func(s *fakeslack.Server) { s.FailNext(1, 400, 0) }},
		{name: "webhook 502", webhook: true, retryable: true,
			prepare: func(s *fakeslack.Server) { s.FailNext(1, 502, 0) }},
		{name: "webhook 429", webhook: true, retryable: true, retryAfter: 3 * time.Second,
			prepare: func(s *fakeslack.Server) { s.FailNext(1, 429, 3) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakeslack.New(fakeslack.WithoutRateLimit())
			defer fake.Close()
			if tt.prepare != nil {
				tt.prepare(fake)
			}
			n := testNotifier(t, fake, tt.webhook, tt.token, tt.channel)

			err := n.Send(context.Background(), notification(sampleEvent()))

			require.Error(t, err)
			require.Equal(t, tt.retryable, channels.IsRetryable(err), "err: %v", err)
			require.Equal(t, tt.retryAfter, channels.RetryAfterOf(err))
			require.Contains(t, err.Error(), tt.errHas)
			require.NotContains(t, err.Error(), fakeslack.DefaultToken)
			require.Empty(t, fake.Messages())
		})
	}
}

func testNotifier(t *testing.T, fake *fakeslack.Server, webhook bool,
	token, channel string) *Notifier {
	t.Helper()
	if webhook {
		n, err := New(Config{WebhookURL: fake.WebhookURL("T1/B1/x")})
		require.NoError(t, err)
		return n
	}
	if token == "" {
		token = fakeslack.DefaultToken
	}
	if channel == "" {
		channel = "#alerts"
	}
	return apiNotifier(t, fake, token, channel)
}

func TestRealRateLimit(t *testing.T) {
	fake := fakeslack.New(fakeslack.WithRateLimit(1, 1),
		fakeslack.WithClock(func() time.Time { return time.Unix(1700000000, 0) }))
	defer fake.Close()
	n := apiNotifier(t, fake, fakeslack.DefaultToken, "alerts")

	require.NoError(t, n.Send(context.Background(), notification(sampleEvent())))
	err := n.Send(context.Background(), notification(sampleEvent()))

	require.True(t, channels.IsRetryable(err))
	require.Equal(t, time.Second, channels.RetryAfterOf(err))
	require.Len(t, fake.Messages(), 1)
}

func TestTransportErrors(t *testing.T) {
	fake := fakeslack.New()
	webhookURL := fake.WebhookURL("T1/B1/very-secret")
	apiURL := fake.URL()
	fake.Close()

	t.Run("network error is retryable and hides the webhook URL", func(t *testing.T) {
		n, err := New(Config{WebhookURL: webhookURL})
		require.NoError(t, err)

		err = n.Send(context.Background(), notification(sampleEvent()))

		require.True(t, channels.IsRetryable(err))
		require.NotContains(t, err.Error(), "very-secret")
	})
	t.Run("cancelled context is not retryable", func(t *testing.T) {
		n, err := New(Config{APIURL: apiURL, Token: "xoxb-t", Channel: "c"})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		err = n.Send(ctx, notification(sampleEvent()))

		require.ErrorIs(t, err, context.Canceled)
		require.False(t, channels.IsRetryable(err))
	})
}

func TestHostileTextIsEscaped(t *testing.T) {
	fake := fakeslack.New(fakeslack.WithoutRateLimit())
	defer fake.Close()
	n := apiNotifier(t, fake, fakeslack.DefaultToken, "alerts")
	ev := &alert.Event{
		Source: hostile, Name: "x", Severity: alert.SeverityCritical,
		Status: alert.StatusFiring, Title: hostile, Description: hostile,
		Labels:      map[string]string{"svc": hostile, hostile: "v"},
		Annotations: map[string]string{"runbook_url": "https://evil|click", "note": hostile},
		Compliance:  []string{hostile},
	}
	note := notification(ev)
	note.Route, note.Receiver, note.Key = hostile, hostile, hostile

	require.NoError(t, n.Send(context.Background(), note))

	msgs := fake.Messages()
	require.Len(t, msgs, 1)
	require.Empty(t, msgs[0].ControlSequences())
	require.Contains(t, msgs[0].Text, "&lt;!channel&gt; hi &lt;@U123&gt;")
	require.Contains(t, msgs[0].Text, "&amp; stuff")
}

func TestLongTextIsTruncatedNotRejected(t *testing.T) {
	fake := fakeslack.New(fakeslack.WithoutRateLimit())
	defer fake.Close()
	n := apiNotifier(t, fake, fakeslack.DefaultToken, "alerts")
	ev := sampleEvent()
	ev.Title = strings.Repeat("T<", 30000)
	ev.Description = strings.Repeat("d&", 60000)
	ev.Labels = map[string]string{}
	for i := range 300 {
		ev.Labels[strings.Repeat("k", i+1)] = strings.Repeat("v", 100)
	}

	require.NoError(t, n.Send(context.Background(), notification(ev)))

	msgs := fake.Messages()
	require.Len(t, msgs, 1)
	require.Empty(t, msgs[0].Warning, "text kept within 40,000 by the sender")
	require.LessOrEqual(t, len([]rune(msgs[0].Text)), maxText)
	require.True(t, strings.HasSuffix(msgs[0].Text, Truncated))
	for _, s := range msgs[0].BlockTexts() {
		require.LessOrEqual(t, len([]rune(s)), maxSection)
	}
	require.Contains(t, strings.Join(msgs[0].BlockTexts(), ""), Truncated)
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"token and channel", Config{Token: "xoxb", Channel: "#a"}, true},
		{"webhook", Config{WebhookURL: "https://hooks.slack.com/services/x"}, true},
		{"token without channel", Config{Token: "xoxb"}, false},
		{"nothing", Config{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := New(tt.cfg)
			if !tt.ok {
				require.ErrorIs(t, err, ErrNoDestination)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "slack", n.Name())
		})
	}
}

func TestSendWithoutEvent(t *testing.T) {
	n, err := New(Config{Token: "xoxb", Channel: "#a"})
	require.NoError(t, err)

	err = n.Send(context.Background(), channels.Notification{})

	require.ErrorIs(t, err, ErrNoEvent)
	require.False(t, channels.IsRetryable(err))
}
