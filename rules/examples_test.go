package rules

import (
	"path/filepath"
	"testing"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/stretchr/testify/require"
)

func loadExample(t *testing.T, name string, opts Options) *Rules {
	t.Helper()
	r, err := Load(filepath.Join("..", "examples", "rules", name), opts)
	require.NoError(t, err)
	return r
}

func TestHealthcareExample(t *testing.T) {
	t.Run("skip secrets", func(t *testing.T) {
		r := loadExample(t, "healthcare.yaml", Options{SkipSecrets: true})
		require.NotEmpty(t, r.Routes)
	})

	t.Run("with secrets", func(t *testing.T) {
		r := loadExample(t, "healthcare.yaml", Options{LookupEnv: fakeEnv(map[string]string{
			"PD_ROUTING_KEY": "pd", "SLACK_BOT_TOKEN": "xoxb", "SMTP_PASSWORD": "pw",
		})})
		require.Equal(t, "pd", r.Receivers["oncall"].PagerDuty[0].RoutingKey.Value())
		require.Equal(t, []string{"eng-chat"}, r.Unrouted)
	})

	t.Run("secrets missing", func(t *testing.T) {
		_, err := Load(filepath.Join("..", "examples", "rules", "healthcare.yaml"),
			Options{LookupEnv: noEnv})
		require.ErrorContains(t, err, "environment variable PD_ROUTING_KEY is not set")
	})
}

// sampleEvents mirror the demo's example events.
func sampleEvents() map[string]*alert.Event {
	ev := func(source, name string, sev alert.Severity, status alert.Status,
		compliance []string, labels map[string]string) *alert.Event {
		return &alert.Event{Source: source, Name: name, Severity: sev, Status: status,
			Compliance: compliance, Labels: labels}
	}
	db := map[string]string{"service": "records-db", "env": "prod"}
	return map[string]*alert.Event{
		"coverage": ev("ci/quality-gates", "coverage_below_threshold", alert.SeverityHigh,
			alert.StatusFiring, nil, map[string]string{"pipeline": "p", "service": "records-api"}),
		"vulnerability": ev("ci/security-scan", "critical_vulnerability", alert.SeverityCritical,
			alert.StatusFiring, []string{"ANVISA"}, nil),
		"latency": ev("monitor/api-latency", "p95_over_budget", alert.SeverityWarning,
			alert.StatusFiring, nil, nil),
		"db-down": ev("monitor/db", "database_down", alert.SeverityCritical,
			alert.StatusFiring, []string{"LGPD", "HIPAA"}, db),
		"db-resolved": ev("monitor/db", "database_down", alert.SeverityCritical,
			alert.StatusResolved, []string{"LGPD", "HIPAA"}, db),
		"cert": ev("monitor/certs", "cert_expiring", alert.SeverityWarning,
			alert.StatusFiring, nil, nil),
		"cpf": ev("monitor/records-api", "patient_data_in_logs", alert.SeverityHigh,
			alert.StatusFiring, []string{"LGPD"}, nil),
	}
}

func TestConsoleExample(t *testing.T) {
	r := loadExample(t, "console.yaml", Options{LookupEnv: noEnv})
	require.Equal(t, DefaultDedupWindow, r.Defaults.DedupWindow)

	tests := []struct {
		event     string
		receivers []string
	}{
		{"coverage", []string{"eng-chat"}},
		{"vulnerability", []string{"oncall-pager", "compliance-team", "eng-chat"}},
		{"latency", []string{"unrouted-log"}},
		{"db-down", []string{"oncall-pager", "privacy-office", "eng-chat"}},
		{"db-resolved", []string{"oncall-pager", "privacy-office", "eng-chat"}},
		{"cert", []string{"eng-chat"}},
		{"cpf", []string{"privacy-office", "eng-chat"}},
	}
	events := sampleEvents()
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			res := r.Route(events[tt.event])
			require.Equal(t, tt.receivers, res.Receivers)
			require.Equal(t, tt.event == "latency", res.Unrouted)
		})
	}
}
