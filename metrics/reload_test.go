package metrics_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/metrics"
	"github.com/alertrouter/alertrouter/rules"
)

func TestRulesReloaded(t *testing.T) {
	first := &rules.Rules{File: "rules.yaml", Hash: "aaa"}
	second := &rules.Rules{File: "rules.yaml", Hash: "bbb"}
	bad := errors.New("rules.yaml:3:1: unknown receiver")

	tests := []struct {
		name     string
		steps    func(m *metrics.Metrics)
		info     []labels
		success  float64
		failures float64
	}{
		{"start sets info without a reload", func(m *metrics.Metrics) {
			m.SetRules(first)
		}, []labels{{"file": "rules.yaml", "hash": "aaa"}}, 0, 0},
		{"reload swaps the series", func(m *metrics.Metrics) {
			m.SetRules(first)
			m.RulesReloaded(second, nil)
		}, []labels{{"file": "rules.yaml", "hash": "bbb"}}, 1, 0},
		{"failed reload keeps the old series", func(m *metrics.Metrics) {
			m.SetRules(first)
			m.RulesReloaded(nil, bad)
		}, []labels{{"file": "rules.yaml", "hash": "aaa"}}, 0, 1},
		{"reload of the same file keeps one series", func(m *metrics.Metrics) {
			m.RulesReloaded(first, nil)
			m.RulesReloaded(first, nil)
		}, []labels{{"file": "rules.yaml", "hash": "aaa"}}, 2, 0},
		{"nil rules change nothing", func(m *metrics.Metrics) {
			m.SetRules(nil)
		}, nil, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New(metrics.Options{})

			tc.steps(m)

			reg := m.Registry()
			var info []labels
			for _, s := range gather(t, reg, "alertrouter_rules_info") {
				require.Equal(t, 1.0, s.value)
				info = append(info, s.labels)
			}
			require.Equal(t, tc.info, info)
			require.Equal(t, tc.success, value(t, reg, "alertrouter_rules_reloads_total",
				labels{"result": "success"}))
			require.Equal(t, tc.failures, value(t, reg, "alertrouter_rules_reloads_total",
				labels{"result": "failure"}))
		})
	}
}
