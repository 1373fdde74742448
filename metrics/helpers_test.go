package metrics_test

import (
	"maps"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
)

// series is one sample as a test sees it: the metric's labels and its
// value (the sample count for a histogram).
type series struct {
	labels map[string]string
	value  float64
}

// gather returns every series of the metric family name, failing the test
// if the registry cannot be gathered.
func gather(t *testing.T, g prometheus.Gatherer, name string) []series {
	t.Helper()

	families, err := g.Gather()
	require.NoError(t, err)
	var out []series
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			out = append(out, series{labels: labelMap(m), value: valueOf(m)})
		}
	}
	return out
}

// value returns the value of the series of name with exactly labels,
// failing the test if there is none.
func value(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()

	for _, s := range gather(t, g, name) {
		if maps.Equal(s.labels, labels) {
			return s.value
		}
	}
	require.Failf(t, "series not found", "%s%v", name, labels)
	return 0
}

func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func valueOf(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Histogram != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return 0
}
