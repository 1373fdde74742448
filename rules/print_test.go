package rules

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/stretchr/testify/require"
)

// printSecrets maps each secret of printYAML to its value.
var printSecrets = map[string]string{
	"SLACK_TOKEN":  "xoxb-slack-token-value",
	"SLACK_HOOK":   "https://hooks.slack.test/services/T0/B0/hook-secret",
	"PD_KEY":       "pd-routing-key-0123456789abcdef",
	"HOOK_PATH":    "hook-path-secret",
	"BEARER":       "bearer-secret-token",
	"/run/smtp-pw": "smtp-password-from-file",
	"/run/sig":     "signature-from-file",
}

// printYAML holds every channel setting and every kind of secret.
const printYAML = `defaults: { repeat_interval: 2h }
receivers:
  chat:
    slack:
      - { channel: "#alerts", token: "${SLACK_TOKEN}", api_url: "https://slack.test/api" }
      - webhook_url: "${SLACK_HOOK}"
    redact: true
    fallback: [mail]
  pd:
    pagerduty: { routing_key: "${PD_KEY}", events_url: "https://events.eu.pagerduty.com" }
  mail:
    email: { host: smtp.test, port: 2525, tls: opportunistic, from: a@example.org,
             to: [b@example.org, c@example.org], username: alerts,
             password: "file:/run/smtp-pw" }
  hook:
    webhook:
      url: "https://hooks.example/${HOOK_PATH}"
      headers: { Authorization: "Bearer ${BEARER}", X-Signature: "file:/run/sig" }
  log: { console: {} }
unrouted: [log]
routes:
  - name: critical
    match: { severity: ">=high", compliance: [LGPD], matchers: ['env="prod"'] }
    receivers: [pd, chat]
    continue: true
  - name: hooks
    match: { source: "ci/*" }
    receivers: [hook, mail]
    dedup_window: 0s
`

func printOptions(skip bool) Options {
	env, files := map[string]string{}, map[string]string{}
	for k, v := range printSecrets {
		if strings.HasPrefix(k, "/") {
			files[k] = v + "\n"
		} else {
			env[k] = v
		}
	}
	return Options{LookupEnv: fakeEnv(env), ReadFile: fakeFiles(files), SkipSecrets: skip}
}

// printed parses src and returns what Print writes.
func printed(t *testing.T, src string, opts Options) string {
	t.Helper()
	r, err := Parse("rules.yaml", []byte(src), opts)
	require.NoError(t, err)

	var b bytes.Buffer
	require.NoError(t, r.Print(&b))
	return b.String()
}

func TestPrintMasksSecrets(t *testing.T) {
	expanded := printed(t, printYAML, printOptions(false))
	skipped := printed(t, printYAML, printOptions(true))

	for name, value := range printSecrets {
		t.Run(name, func(t *testing.T) {
			require.NotContains(t, expanded, value)
			require.NotContains(t, skipped, value)
		})
	}
	t.Run("placeholders match expanded output", func(t *testing.T) {
		require.Equal(t, expanded, skipped)
	})
	t.Run("every secret key is masked", func(t *testing.T) {
		for _, line := range []string{
			"token: " + Masked, "webhook_url: " + Masked, "routing_key: " + Masked,
			"password: " + Masked, "url: " + Masked, "Authorization: " + Masked,
			"X-Signature: " + Masked,
		} {
			require.Contains(t, expanded, line)
		}
	})
	t.Run("plain settings are shown", func(t *testing.T) {
		for _, line := range []string{
			"channel: '#alerts'", "api_url: https://slack.test/api/",
			"events_url: https://events.eu.pagerduty.com", "host: smtp.test", "port: 2525",
			"tls: opportunistic", "from: a@example.org", "to: [b@example.org, c@example.org]",
			"username: alerts", "redact: true", "fallback: [mail]", "console:\n      - {}",
			"unrouted: [log]",
		} {
			require.Contains(t, expanded, line)
		}
	})
}

func TestPrintEffectiveTimings(t *testing.T) {
	out := printed(t, printYAML, printOptions(true))

	require.Contains(t, out, "defaults:\n  dedup_window: 10m\n  repeat_interval: 2h\n"+
		"  state_ttl: 7d\n")
	require.Contains(t, out, "continue: true\n    dedup_window: 10m\n    repeat_interval: 2h\n")
	require.Contains(t, out, "receivers: [hook, mail]\n    dedup_window: 0s\n"+
		"    repeat_interval: 2h\n")
	require.Contains(t, out, `severity: ">=high"`, "match conditions print as written")
}

// routingYAML exercises every kind of match condition, aliases included.
const routingYAML = receiversYAML + `defaults: { dedup_window: 1d12h, state_ttl: 30d }
unrouted: [d]
routes:
  - name: prod-critical
    match: &prod
      severity: [">=high"]
      status: firing
      compliance: [lgpd, HIPAA]
      matchers: ['env="prod"', 'service=~"records-.*"', 'team!~"x|y"']
    receivers: [a, b]
    continue: true
    repeat_interval: 30m
  - name: ci
    match: { source: "ci/*", name: "cover?ge*", compliance_all: [LGPD] }
    receivers: [c]
  - name: prod-again
    match: *prod
    receivers: [c]
  - name: resolved
    match: { status: resolved, severity: info }
    receivers: [b]
    dedup_window: 5m
  - name: rest
    receivers: [a]
`

func TestPrintRoundTrip(t *testing.T) {
	orig := parse(t, routingYAML)
	var b bytes.Buffer
	require.NoError(t, orig.Print(&b))
	back, err := Parse("rules.yaml", b.Bytes(), Options{SkipSecrets: true})
	require.NoError(t, err, b.String())

	require.Equal(t, orig.Defaults, back.Defaults)
	require.Equal(t, orig.Unrouted, back.Unrouted)
	require.Equal(t, orig.ReceiverNames(), back.ReceiverNames())
	require.Len(t, back.Routes, len(orig.Routes))
	for i, rt := range orig.Routes {
		got := back.Routes[i]
		require.Equal(t, []any{rt.Name, rt.Receivers, rt.Continue, rt.DedupWindow,
			rt.RepeatInterval}, []any{got.Name, got.Receivers, got.Continue, got.DedupWindow,
			got.RepeatInterval}, "route %s", rt.Name)
	}

	for name, ev := range routingEvents() {
		t.Run(name, func(t *testing.T) {
			want, got := orig.Route(ev), back.Route(ev)
			require.Equal(t, routeNames(want), routeNames(got))
			require.Equal(t, want.Receivers, got.Receivers)
			require.Equal(t, want.Unrouted, got.Unrouted)
		})
	}

	var again bytes.Buffer
	require.NoError(t, back.Print(&again))
	require.Equal(t, b.String(), again.String(), "printing is stable")
}

// routingEvents reach each route of routingYAML, and none.
func routingEvents() map[string]*alert.Event {
	prod := withLabels("env", "prod", "service", "records-api", "team", "z")
	return map[string]*alert.Event{
		"prod critical": event(func(ev *alert.Event) {
			prod(ev)
			ev.Severity, ev.Compliance = alert.SeverityCritical, []string{"HIPAA"}
		}),
		"prod wrong team": event(func(ev *alert.Event) {
			prod(ev)
			ev.Severity, ev.Compliance = alert.SeverityHigh, []string{"LGPD"}
			ev.Labels["team"] = "x"
		}),
		"ci gate": event(func(ev *alert.Event) {
			ev.Source, ev.Name, ev.Compliance = "ci/gates", "coverage_low", []string{"LGPD"}
		}),
		"resolved info": event(func(ev *alert.Event) {
			ev.Severity, ev.Status = alert.SeverityInfo, alert.StatusResolved
		}),
		"anything else": event(nil),
	}
}

func routeNames(res Result) []string {
	var names []string
	for _, rt := range res.Routes {
		names = append(names, rt.Name)
	}
	return names
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{90 * time.Second, "1m30s"},
		{10 * time.Minute, "10m"},
		{90 * time.Minute, "1h30m"},
		{4 * time.Hour, "4h"},
		{7 * 24 * time.Hour, "7d"},
		{36 * time.Hour, "1d12h"},
		{24*time.Hour + time.Second, "1d1s"},
		{1500 * time.Millisecond, "1.5s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			require.Equal(t, tt.want, formatDuration(tt.in))

			back, err := parseDuration(tt.want)
			require.NoError(t, err)
			require.Equal(t, tt.in, back)
		})
	}
}

func TestPrintKeepsRedactionSettings(t *testing.T) {
	src := "redact_patterns:\n  mrn: 'MRN-\\d{6}'\nsensitive_labels: [patient_id]\n" +
		"receivers:\n  a: { console: {} }\nroutes:\n  - { name: r, receivers: [a] }\n"
	rs, err := Parse("r.yaml", []byte(src), Options{})
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, rs.Print(&out))
	again, err := Parse("printed.yaml", out.Bytes(), Options{SkipSecrets: true})
	require.NoError(t, err, out.String())

	require.Equal(t, []string{"patient_id"}, again.SensitiveLabels)
	require.Len(t, again.RedactPatterns, 1)
	require.Equal(t, "mrn", again.RedactPatterns[0].Name)
	require.Equal(t, rs.RedactPatterns[0].Pattern.String(), again.RedactPatterns[0].Pattern.String())
}
