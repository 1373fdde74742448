package rules

import (
	"testing"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/stretchr/testify/require"
)

func TestMatchSeverity(t *testing.T) {
	all := []alert.Severity{
		alert.SeverityInfo, alert.SeverityWarning, alert.SeverityHigh, alert.SeverityCritical,
	}
	tests := []struct {
		spec string
		want []alert.Severity
	}{
		{"critical", []alert.Severity{alert.SeverityCritical}},
		{"HIGH", []alert.Severity{alert.SeverityHigh}},
		{"'=warning'", []alert.Severity{alert.SeverityWarning}},
		{"[critical, info]", []alert.Severity{alert.SeverityInfo, alert.SeverityCritical}},
		{"'>=high'", []alert.Severity{alert.SeverityHigh, alert.SeverityCritical}},
		{"'>high'", []alert.Severity{alert.SeverityCritical}},
		{"'>critical'", nil},
		{"'<=warning'", []alert.Severity{alert.SeverityInfo, alert.SeverityWarning}},
		{"'<warning'", []alert.Severity{alert.SeverityInfo}},
		{"'>= info'", all},
		{"'!=info'", all[1:]},
		{"['<warning', '>high']", []alert.Severity{alert.SeverityInfo, alert.SeverityCritical}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			if tt.want == nil {
				msgs := parseErrs(t, receiversYAML+
					"routes:\n  - name: r\n    match: {severity: "+tt.spec+"}\n    receivers: [a]\n")
				require.Contains(t, msgs[0], "matches no level")
				return
			}

			rt := routeWith(t, "{severity: "+tt.spec+"}")
			for _, s := range all {
				got := rt.Matches(event(withSeverity(s)))
				require.Equal(t, contains2(tt.want, s), got, "severity %s", s)
			}
			require.False(t, rt.Matches(event(withSeverity(alert.SeverityUnknown))))
		})
	}
}

func contains2(list []alert.Severity, s alert.Severity) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestMatchStatus(t *testing.T) {
	tests := []struct {
		spec     string
		firing   bool
		resolved bool
	}{
		{"firing", true, false},
		{"resolved", false, true},
		{"Resolved", false, true},
		{"[firing, resolved]", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			rt := routeWith(t, "{status: "+tt.spec+"}")
			require.Equal(t, tt.firing, rt.Matches(event(nil)))
			require.Equal(t, tt.firing, rt.Matches(event(func(ev *alert.Event) { ev.Status = "" })),
				"an empty status is firing")
			require.Equal(t, tt.resolved, rt.Matches(event(func(ev *alert.Event) {
				ev.Status = alert.StatusResolved
			})))
		})
	}
}

func TestMatchSourceAndName(t *testing.T) {
	tests := []struct {
		name   string
		match  string
		source string
		event  string
		want   bool
	}{
		{"exact", `{source: ci/quality-gates}`, "ci/quality-gates", "x", true},
		{"exact differs", `{source: ci/quality-gates}`, "ci/quality", "x", false},
		{"star spans slash", `{source: "ci/*"}`, "ci/security/scan", "x", true},
		{"star matches empty", `{source: "ci/*"}`, "ci/", "x", true},
		{"prefix missing", `{source: "ci/*"}`, "monitor/ci/x", "x", false},
		{"suffix", `{source: "*/db"}`, "monitor/db", "x", true},
		{"suffix differs", `{source: "*/db"}`, "monitor/dbx", "x", false},
		{"middle", `{source: "*/records-*"}`, "monitor/records-api", "x", true},
		{"overlap", `{name: "a*a"}`, "s", "a", false},
		{"question mark", `{name: "cert_?"}`, "s", "cert_é", true},
		{"question mark one char", `{name: "cert_?"}`, "s", "cert_ab", false},
		{"question and star", `{name: "?ert*_exp*"}`, "s", "cert_soon_expiring", true},
		{"name glob", `{name: "coverage_*"}`, "s", "coverage_below_threshold", true},
		{"case sensitive", `{name: "coverage_*"}`, "s", "Coverage_low", false},
		{"brackets are literal", `{name: "[a]"}`, "s", "[a]", true},
		{"lone star", `{source: "*"}`, "anything/at/all", "x", true},
		{"both must hold", `{source: "ci/*", name: "cov*"}`, "ci/x", "lint", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := routeWith(t, tt.match)
			ev := event(func(ev *alert.Event) { ev.Source, ev.Name = tt.source, tt.event })
			require.Equal(t, tt.want, rt.Matches(ev))
		})
	}
}

func TestMatchCompliance(t *testing.T) {
	tests := []struct {
		name  string
		match string
		have  []string
		want  bool
	}{
		{"any one of", `{compliance: [LGPD, HIPAA]}`, []string{"HIPAA"}, true},
		{"any none", `{compliance: [LGPD, HIPAA]}`, []string{"ANVISA"}, false},
		{"any empty event", `{compliance: [LGPD]}`, nil, false},
		{"single value", `{compliance: lgpd}`, []string{"LGPD"}, true},
		{"event lower case", `{compliance: LGPD}`, []string{"lgpd"}, true},
		{"all present", `{compliance_all: [LGPD, ANVISA]}`, []string{"ANVISA", "X", "LGPD"}, true},
		{"all one missing", `{compliance_all: [LGPD, ANVISA]}`, []string{"LGPD"}, false},
		{"all case", `{compliance_all: [lgpd, Anvisa]}`, []string{"LGPD", "ANVISA"}, true},
		{"any and all", `{compliance: [HIPAA], compliance_all: [LGPD]}`, []string{"LGPD"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := routeWith(t, tt.match)
			require.Equal(t, tt.want, rt.Matches(event(func(ev *alert.Event) {
				ev.Compliance = tt.have
			})))
		})
	}
}

func TestMatchLabels(t *testing.T) {
	tests := []struct {
		name    string
		matcher string
		labels  []string
		want    bool
	}{
		{"equal", `env="prod"`, []string{"env", "prod"}, true},
		{"equal differs", `env="prod"`, []string{"env", "production"}, false},
		{"equal missing", `env="prod"`, nil, false},
		{"equal empty matches missing", `env=""`, nil, true},
		{"not equal", `team!="qa"`, []string{"team", "dev"}, true},
		{"not equal same", `team!="qa"`, []string{"team", "qa"}, false},
		{"not equal missing", `team!="qa"`, nil, true},
		{"regex", `service=~"records-.*"`, []string{"service", "records-api"}, true},
		{"regex anchored end", `service=~"records"`, []string{"service", "records-api"}, false},
		{"regex anchored start", `service=~"api"`, []string{"service", "records-api"}, false},
		{"regex literal", `service=~"records"`, []string{"service", "records"}, true},
		{"regex alternation anchored", `x=~"a|b"`, []string{"x", "ab"}, false},
		{"regex alternation", `x=~"a|b"`, []string{"x", "b"}, true},
		{"regex missing", `service=~"records-.*"`, nil, false},
		{"regex empty-able missing", `service=~"x?"`, nil, true},
		{"regex case flag", `env=~"(?i)PROD"`, []string{"env", "prod"}, true},
		{"regex escape", `host=~"db\\.example"`, []string{"host", "dbxexample"}, false},
		{"not regex", `x!~"a|b"`, []string{"x", "c"}, true},
		{"not regex hit", `x!~"a|b"`, []string{"x", "a"}, false},
		{"not regex anchored", `x!~"a|b"`, []string{"x", "ab"}, true},
		{"not regex missing", `x!~"a|b"`, nil, true},
		{"not regex literal", `x!~"abc"`, []string{"x", "abc"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := routeWith(t, "{matchers: ['"+tt.matcher+"']}")
			require.Equal(t, tt.want, rt.Matches(event(withLabels(tt.labels...))))
		})
	}
}

func TestMatchAllConditions(t *testing.T) {
	rt := routeWith(t, `{severity: ">=high", status: firing, source: "monitor/*",
      compliance: [LGPD, HIPAA], matchers: ['env="prod"', 'service=~"records-.*"']}`)
	good := func(ev *alert.Event) {
		ev.Severity = alert.SeverityCritical
		ev.Source = "monitor/db"
		ev.Compliance = []string{"LGPD"}
		ev.Labels = map[string]string{"env": "prod", "service": "records-db"}
	}
	require.True(t, rt.Matches(event(good)))

	spoil := map[string]func(*alert.Event){
		"severity":   func(ev *alert.Event) { ev.Severity = alert.SeverityWarning },
		"status":     func(ev *alert.Event) { ev.Status = alert.StatusResolved },
		"source":     func(ev *alert.Event) { ev.Source = "ci/db" },
		"compliance": func(ev *alert.Event) { ev.Compliance = []string{"ANVISA"} },
		"label":      func(ev *alert.Event) { ev.Labels["env"] = "staging" },
		"regex":      func(ev *alert.Event) { ev.Labels["service"] = "billing" },
	}
	for name, fn := range spoil {
		t.Run(name, func(t *testing.T) {
			require.False(t, rt.Matches(event(func(ev *alert.Event) { good(ev); fn(ev) })))
		})
	}
}
