package rules

import (
	"testing"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/stretchr/testify/require"
)

func TestRouteOrderAndContinue(t *testing.T) {
	r := parse(t, receiversYAML+`unrouted: [d]
routes:
  - name: critical
    match: { severity: critical }
    receivers: [a]
    continue: true
  - name: lgpd
    match: { compliance: LGPD }
    receivers: [b, a]
    continue: true
  - name: ci
    match: { source: "ci/*" }
    receivers: [c]
  - name: after-ci
    match: { source: "ci/*" }
    receivers: [d]
  - name: monitors
    match: { source: "monitor/*" }
    receivers: [c, b]
`)
	tests := []struct {
		name      string
		ev        *alert.Event
		routes    []string
		receivers []string
		unrouted  bool
	}{
		{
			name:      "first match stops",
			ev:        event(func(ev *alert.Event) { ev.Source = "ci/lint" }),
			routes:    []string{"ci"},
			receivers: []string{"c"},
		},
		{
			name: "continue collects, receivers once, in order",
			ev: event(func(ev *alert.Event) {
				ev.Severity = alert.SeverityCritical
				ev.Compliance = []string{"LGPD"}
			}),
			routes:    []string{"critical", "lgpd", "monitors"},
			receivers: []string{"a", "b", "c"},
		},
		{
			name: "continue into a stopping route",
			ev: event(func(ev *alert.Event) {
				ev.Severity = alert.SeverityCritical
				ev.Source = "ci/scan"
			}),
			routes:    []string{"critical", "ci"},
			receivers: []string{"a", "c"},
		},
		{
			name: "continue with nothing after",
			ev: event(func(ev *alert.Event) {
				ev.Severity = alert.SeverityCritical
				ev.Source = "cron/backup"
			}),
			routes:    []string{"critical"},
			receivers: []string{"a"},
		},
		{
			name:      "unrouted",
			ev:        event(func(ev *alert.Event) { ev.Source = "cron/backup" }),
			receivers: []string{"d"},
			unrouted:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := r.Route(tt.ev)
			var names []string
			for _, rt := range res.Routes {
				names = append(names, rt.Name)
			}
			require.Equal(t, tt.routes, names)
			require.Equal(t, tt.receivers, res.Receivers)
			require.Equal(t, tt.unrouted, res.Unrouted)
		})
	}
}

func TestRouteUnroutedIsACopy(t *testing.T) {
	r := parse(t, receiversYAML+"unrouted: [a, b]\n")

	res := r.Route(event(nil))
	res.Receivers[0] = "changed"

	require.Equal(t, []string{"a", "b"}, r.Unrouted)
	require.True(t, res.Unrouted)
	require.Empty(t, res.Routes)
}

func TestRouteNoUnroutedReceivers(t *testing.T) {
	r := parse(t, receiversYAML+"routes:\n  - name: x\n    match: {source: x}\n    receivers: [a]\n")

	res := r.Route(event(nil))

	require.True(t, res.Unrouted)
	require.Empty(t, res.Receivers)
}

func TestRouteTimings(t *testing.T) {
	r := parse(t, receiversYAML+`defaults: { dedup_window: 2m, repeat_interval: 1h }
routes:
  - name: own
    receivers: [a]
    continue: true
    dedup_window: 1d2h
    repeat_interval: 30m
  - name: inherited
    receivers: [b]
`)
	require.Equal(t, "26h0m0s", r.Routes[0].DedupWindow.String())
	require.Equal(t, "30m0s", r.Routes[0].RepeatInterval.String())
	require.Equal(t, "2m0s", r.Routes[1].DedupWindow.String())
	require.Equal(t, "1h0m0s", r.Routes[1].RepeatInterval.String())
	require.Equal(t, DefaultStateTTL, r.Defaults.StateTTL)
	require.Equal(t, 8, r.Routes[0].Line)
}

func TestReceiversDecoded(t *testing.T) {
	r := parse(t, `receivers:
  mail:
    email: { host: smtp.example.org, from: a@example.org, to: b@example.org }
  multi:
    slack:
      - { webhook_url: "https://hooks.example/1" }
      - { token: t, channel: "#x", api_url: "http://127.0.0.1:1/api" }
    webhook: { url: "https://x.example", headers: { X-Team: ops } }
    pagerduty: { routing_key: k }
    redact: true
    fallback: mail
unrouted: [multi]
`)
	require.Equal(t, []string{"mail", "multi"}, r.ReceiverNames())

	mail := r.Receivers["mail"].Email[0]
	require.Equal(t, DefaultSMTPPort, mail.Port)
	require.Equal(t, TLSMandatory, mail.TLS)
	require.Equal(t, []string{"b@example.org"}, mail.To)

	multi := r.Receivers["multi"]
	require.Len(t, multi.Slack, 2)
	require.Equal(t, "http://127.0.0.1:1/api/", multi.Slack[1].APIURL)
	require.Equal(t, "ops", multi.Webhook[0].Headers["X-Team"].Value())
	require.Equal(t, "k", multi.PagerDuty[0].RoutingKey.Value())
	require.True(t, multi.Redact)
	require.Equal(t, []string{"mail"}, multi.Fallback)
}
