package rulestest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/router"
)

const (
	dbDown = `{ source: monitor/db, name: down, severity: critical }`
	dbWarn = `{ source: monitor/db, name: down, severity: warning }`
	info   = `{ source: app/x, name: n, severity: info }`
)

func TestRun(t *testing.T) {
	cases := []struct {
		name  string
		cases string
		want  []Failure // only Case, Step, Got* and Diff are compared
	}{
		{name: "first route wins the receiver, in delivery order",
			cases: "  - { name: c, event: " + dbDown + ", receivers: [pager, chat] }\n"},
		{name: "unrouted goes to the unrouted receivers",
			cases: "  - { name: c, event: " + info + ", receivers: [log] }\n"},
		{name: "wrong order is a failure",
			cases: "  - { name: c, event: " + dbDown + ", receivers: [chat, pager] }\n",
			want: []Failure{{Case: "c", GotReceivers: []string{"pager", "chat"},
				GotSuppressed: []string{},
				Diff:          "receivers (- expected, + actual):\n  - chat\n    pager\n  + chat\n"}}},
		{name: "missing and extra receivers",
			cases: "  - { name: c, event: " + dbWarn + ", receivers: [log] }\n",
			want: []Failure{{Case: "c", GotReceivers: []string{"chat", "pager"},
				GotSuppressed: []string{},
				Diff:          "receivers (- expected, + actual):\n  - log\n  + chat\n  + pager\n"}}},
		{name: "duplicate suppressed per route, each with its own window",
			cases: "  - name: c\n    sequence:\n" +
				"      - { at: 0s, event: " + dbDown + ", receivers: [pager, chat] }\n" +
				"      - { at: 4m, event: " + dbDown + ", receivers: [], " +
				"suppressed: [critical, db] }\n" +
				// 6m after the last firing: past db's 5m window, not critical's 10m.
				"      - { at: 10m, event: " + dbDown + ", receivers: [chat, pager], " +
				"suppressed: [critical] }\n"},
		{name: "unexpected suppression shows in both lists",
			cases: "  - name: c\n    sequence:\n" +
				"      - { at: 0s, event: " + info + ", receivers: [log] }\n" +
				"      - { at: 1m, event: " + info + ", receivers: [log] }\n",
			want: []Failure{{Case: "c", Step: 2, GotReceivers: []string{},
				GotSuppressed: []string{router.UnroutedRoute},
				Diff: "receivers (- expected, + actual):\n  - log\n" +
					"suppressed routes (- expected, + actual):\n  + (unrouted)\n"}}},
		{name: "resolved goes out once, where the firing went",
			cases: "  - name: c\n    sequence:\n" +
				"      - { at: 0s, event: &w " + dbWarn + ", receivers: [chat, pager] }\n" +
				"      - { at: 1h, event: { <<: *w, status: resolved }, receivers: [chat, pager] }\n" +
				"      - { at: 2h, event: { <<: *w, status: resolved }, receivers: [], " +
				"suppressed: [db] }\n"},
		{name: "a rise in severity notifies at once",
			cases: "  - name: c\n    sequence:\n" +
				"      - { at: 0s, event: " + dbWarn + ", receivers: [chat, pager] }\n" +
				"      - { at: 1m, event: " + dbDown + ", receivers: [pager, chat] }\n"},
		{name: "every failing step of a sequence is reported",
			cases: "  - name: c\n    sequence:\n" +
				"      - { at: 0s, event: " + info + ", receivers: [] }\n" +
				"      - { at: 1m, event: " + info + ", receivers: [log] }\n",
			want: []Failure{
				{Case: "c", Step: 1, GotReceivers: []string{"log"}, GotSuppressed: []string{},
					Diff: "receivers (- expected, + actual):\n  + log\n"},
				{Case: "c", Step: 2, GotReceivers: []string{},
					GotSuppressed: []string{router.UnroutedRoute},
					Diff: "receivers (- expected, + actual):\n  - log\n" +
						"suppressed routes (- expected, + actual):\n  + (unrouted)\n"}}},
		{name: "cases do not share dedup state",
			cases: "  - { name: a, event: " + info + ", receivers: [log] }\n" +
				"  - { name: b, event: " + info + ", receivers: [log] }\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := loadSuite(t, "rules: rules.yaml\ncases:\n"+tc.cases)

			got := s.Run()
			for i := range got {
				got[i].At, got[i].Line = 0, 0
				got[i].WantReceivers, got[i].WantSuppressed = nil, nil
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// TestRunAgreesWithRoute checks the receiver rule against rules.Route,
// which the route command and the router share: a first firing is never
// suppressed, so its receivers are the route result's, in the same order.
func TestRunAgreesWithRoute(t *testing.T) {
	for _, name := range []string{"console_test.yaml", "healthcare_test.yaml"} {
		t.Run(name, func(t *testing.T) {
			s, err := Load(filepath.Join("..", "examples", "rules", name))
			require.NoError(t, err)

			for _, c := range s.Cases {
				ev := c.Steps[0].Event
				if ev.Status == alert.StatusResolved {
					continue // a resolved with no firing before is suppressed
				}
				got := plan(dedup.NewMemory(epoch), s.Rules, ev, epoch())
				want := append([]string{}, s.Rules.Route(ev).Receivers...)
				require.Equal(t, want, got.receivers, c.Name)
			}
		})
	}
}

func TestExamplesPass(t *testing.T) {
	for _, name := range []string{"console_test.yaml", "healthcare_test.yaml"} {
		t.Run(name, func(t *testing.T) {
			s, err := Load(filepath.Join("..", "examples", "rules", name))
			require.NoError(t, err)
			require.NotEmpty(t, s.Cases)

			var sequences int
			for _, c := range s.Cases {
				if c.Sequence {
					sequences++
				}
			}
			require.Positive(t, sequences, "each example has a dedup sequence")
			require.Empty(t, s.Run())
		})
	}
}

func TestFailureWhere(t *testing.T) {
	cases := []struct {
		f    Failure
		want string
	}{
		{Failure{Line: 3}, "event"},
		{Failure{Step: 2, At: 2 * time.Minute}, "step 2 at 2m"},
		{Failure{Step: 3, At: 90 * time.Minute}, "step 3 at 1h30m"},
		{Failure{Step: 4, At: 2 * time.Hour}, "step 4 at 2h"},
		{Failure{Step: 1}, "step 1 at 0s"},
		{Failure{Step: 1, At: 1500 * time.Millisecond}, "step 1 at 1.5s"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, tc.f.Where())
		})
	}
}
