package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/stretchr/testify/require"
)

// hundredRoutes builds 100 routes that mix every operator; only the last
// matches benchEvent, and the first ten continue, so routing it tests
// every route.
func hundredRoutes(t testing.TB) *Rules {
	t.Helper()
	return mixedRoutes(t, 100)
}

// mixedRoutes builds n routes like hundredRoutes.
func mixedRoutes(t testing.TB, n int) *Rules {
	t.Helper()
	var b strings.Builder
	b.WriteString(receiversYAML + "unrouted: [d]\nroutes:\n")
	severities := []string{"critical", "'>=high'", "[warning, info]", "'<high'"}
	for i := range n - 1 {
		fmt.Fprintf(&b, "  - name: r%d\n    receivers: [a]\n    match:\n", i)
		fmt.Fprintf(&b, "      severity: %s\n", severities[i%4])
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "      source: \"team-%d/*\"\n", i)
		case 1:
			fmt.Fprintf(&b, "      name: \"*_%d_*\"\n      status: firing\n", i)
		case 2:
			fmt.Fprintf(&b, "      compliance: [LGPD, X%d]\n      source: \"other/*\"\n", i)
		case 3:
			fmt.Fprintf(&b, "      matchers: ['env=\"prod\"', 'service=~\"svc-%d-.*\"']\n", i)
		case 4:
			fmt.Fprintf(&b, "      compliance_all: [HIPAA, Y%d]\n      matchers: ['team!~\"a|b\"']\n", i)
		}
		if i < 10 {
			b.WriteString("    continue: true\n")
		}
	}
	b.WriteString(`  - name: last
    match:
      severity: ">=high"
      source: "monitor/*"
      compliance: [LGPD, HIPAA]
      matchers: ['env="prod"', 'service=~"records-.*"', 'team!="qa"', 'x!~"a|b"']
    receivers: [b, c]
`)

	r, err := Parse("bench.yaml", []byte(b.String()), Options{LookupEnv: noEnv})
	require.NoError(t, err)
	require.Len(t, r.Routes, n)
	return r
}

func benchEvent() *alert.Event {
	return &alert.Event{
		Source:     "monitor/db",
		Name:       "database_down",
		Severity:   alert.SeverityCritical,
		Status:     alert.StatusFiring,
		Compliance: []string{"LGPD", "HIPAA"},
		Labels:     map[string]string{"env": "prod", "service": "records-db", "team": "dba"},
	}
}

func TestMixedRoutes(t *testing.T) {
	for _, n := range []int{10, 100, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := mixedRoutes(t, n)

			res := r.Route(benchEvent())

			require.Len(t, res.Routes, 1)
			require.Equal(t, "last", res.Routes[0].Name)
			require.Equal(t, []string{"b", "c"}, res.Receivers)
		})
	}
}

// BenchmarkRoute100 routes one event through 100 routes of mixed
// operators, where only the last matches.
func BenchmarkRoute100(b *testing.B) { benchmarkRoute(b, 100) }

// BenchmarkRoute10 is BenchmarkRoute100 with 10 routes.
func BenchmarkRoute10(b *testing.B) { benchmarkRoute(b, 10) }

// BenchmarkRoute1000 is BenchmarkRoute100 with 1,000 routes.
func BenchmarkRoute1000(b *testing.B) { benchmarkRoute(b, 1000) }

func benchmarkRoute(b *testing.B, n int) {
	r := mixedRoutes(b, n)
	ev := benchEvent()
	b.ReportAllocs()

	for b.Loop() {
		if res := r.Route(ev); len(res.Routes) != 1 {
			b.Fatalf("matched %d routes", len(res.Routes))
		}
	}
}
