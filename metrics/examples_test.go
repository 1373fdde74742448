package metrics_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/metrics"
	"github.com/alertrouter/alertrouter/rules"
)

// The dashboard and the alerting rules under examples/deploy must only
// use metrics the router exports, so that they cannot rot.
func TestDeployExamplesUseExportedMetrics(t *testing.T) {
	exported := exportedFamilies(t)

	nameRE := regexp.MustCompile(`alertrouter_[a-z_]+`)
	for _, file := range []string{
		"../examples/deploy/grafana-dashboard.json",
		"../examples/deploy/prometheus-alerts.yaml",
	} {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		used := nameRE.FindAllString(string(data), -1)
		require.NotEmpty(t, used, file)
		for _, name := range used {
			require.True(t, exported[family(name)], "%s uses %s, which the router does not export",
				file, name)
		}
	}
}

// exportedFamilies drives every kind of observation once and returns the
// metric families a scrape then shows.
func exportedFamilies(t *testing.T) map[string]bool {
	t.Helper()
	m := metrics.New(metrics.Options{Version: "test", Connected: func() bool { return true },
		Consumer: func(context.Context) (uint64, uint64, uint64, error) { return 1, 2, 3, nil }})

	ev := &alert.Event{ID: "e", Source: "s", Name: "n", Severity: alert.SeverityHigh}
	n := channels.Notification{Event: ev, Route: "r", Receiver: "rcv"}
	rs := &rules.Rules{File: "rules.yaml", Hash: "abc"}
	m.SetRules(rs)
	m.RulesReloaded(rs, nil)
	m.Rejected("alerts.x", &alert.DecodeError{Reason: alert.ReasonInvalid})
	m.Routed(ev, rules.Result{Routes: []*rules.Route{{Name: "r"}}})
	m.Routed(ev, rules.Result{Unrouted: true})
	m.Suppressed(ev, "r", dedup.Decision{SuppressReason: dedup.SuppressDuplicate})
	m.Retrying(n, "slack", 1, time.Second, errors.New("503"))
	m.Delivered(n, "slack", 2, time.Second, nil)
	m.DeadLettered("delivery")
	m.BreakerChanged("slack:alerts", "closed", "open")

	families, err := m.Registry().Gather()
	require.NoError(t, err)
	out := make(map[string]bool)
	for _, f := range families {
		out[f.GetName()] = true
	}
	return out
}

// family strips the series suffixes of histograms and summaries.
func family(name string) string {
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			return base
		}
	}
	return name
}
