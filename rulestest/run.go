package rulestest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

// Failure is one step whose outcome differs from what the case expects.
type Failure struct {
	// Case is the case's name.
	Case string
	// Step is the 1-based step of a sequence case, 0 for a single event.
	Step int
	// At is the step's time on the fake clock.
	At time.Duration
	// Line is where the step starts in the test file.
	Line int

	WantReceivers, GotReceivers   []string
	WantSuppressed, GotSuppressed []string
	// Diff shows each list that differs under a heading, one name a line,
	// indented: "  " for a name both have, "- " for one expected but
	// missing, "+ " for one not expected.
	Diff string
}

// Where names the step that failed: "event" for a single-event case,
// "step 2 at 2m" in a sequence.
func (f Failure) Where() string {
	if f.Step == 0 {
		return "event"
	}
	return fmt.Sprintf("step %d at %s", f.Step, FormatOffset(f.At))
}

// FormatOffset writes a step time the way a test file would: 2m rather
// than 2m0s, 1h30m rather than 1h30m0s.
func FormatOffset(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// outcome is what the rules did with one event.
type outcome struct {
	receivers  []string
	suppressed []string
}

// Run runs every case, each with a fresh dedup state, and returns the
// steps that did not do what their case expects, in file order. No
// failures means the suite passed.
func (s *Suite) Run() []Failure {
	var out []Failure
	for _, c := range s.Cases {
		out = append(out, s.runCase(c)...)
	}
	return out
}

func (s *Suite) runCase(c Case) []Failure {
	var clock time.Time
	store := dedup.NewMemory(func() time.Time { return clock })

	var out []Failure
	for i, st := range c.Steps {
		clock = epoch().Add(st.At)
		got := plan(store, s.Rules, st.Event, clock)

		f, failed := compare(c, i, st, got)
		if failed {
			out = append(out, f)
		}
	}
	return out
}

// plan follows router.Router's plan: dedup is asked once per matched route
// in file order (or once under router.UnroutedRoute with the rules'
// defaults), and each receiver is notified once, on behalf of the first
// route that notifies it.
func plan(store *dedup.Memory, rs *rules.Rules, ev *alert.Event, at time.Time) outcome {
	type scope struct {
		name      string
		receivers []string
		policy    dedup.Policy
	}

	res := rs.Route(ev)
	var scopes []scope
	for _, rt := range res.Routes {
		scopes = append(scopes, scope{rt.Name, rt.Receivers, dedup.Policy{
			Window: rt.DedupWindow, Repeat: rt.RepeatInterval, StateTTL: rs.Defaults.StateTTL}})
	}
	if res.Unrouted {
		def := rs.Defaults
		scopes = append(scopes, scope{router.UnroutedRoute, rs.Unrouted, dedup.Policy{
			Window: def.DedupWindow, Repeat: def.RepeatInterval, StateTTL: def.StateTTL}})
	}

	got := outcome{receivers: []string{}, suppressed: []string{}}
	for _, sc := range scopes {
		// The memory store's only error is a done context, and this one
		// is never done.
		d, _ := store.Observe(context.Background(), dedup.Observation{Route: sc.name,
			Key: ev.Key(), Status: ev.Status, Severity: ev.Severity, At: at,
			Policy: sc.policy, EventID: ev.ID})
		if !d.Notify {
			got.suppressed = append(got.suppressed, sc.name)
			continue
		}
		for _, rcv := range sc.receivers {
			if !slices.Contains(got.receivers, rcv) {
				got.receivers = append(got.receivers, rcv)
			}
		}
	}
	return got
}

// compare checks one step's outcome against its expectation.
func compare(c Case, i int, st Step, got outcome) (Failure, bool) {
	f := Failure{Case: c.Name, At: st.At, Line: st.Line,
		WantReceivers: st.Receivers, GotReceivers: got.receivers,
		WantSuppressed: st.Suppressed, GotSuppressed: got.suppressed}
	if c.Sequence {
		f.Step = i + 1
	}

	var b strings.Builder
	if !slices.Equal(st.Receivers, got.receivers) {
		b.WriteString("receivers (- expected, + actual):\n")
		b.WriteString(diff(st.Receivers, got.receivers, "  "))
	}
	if !slices.Equal(st.Suppressed, got.suppressed) {
		b.WriteString("suppressed routes (- expected, + actual):\n")
		b.WriteString(diff(st.Suppressed, got.suppressed, "  "))
	}
	f.Diff = b.String()
	return f, f.Diff != ""
}
