package rules

import (
	"sort"

	"github.com/alertrouter/alertrouter/alert"
)

// Route finds where ev goes. Routes are tried in file order; the first
// that matches wins, unless it says continue, in which case later routes
// are tried too. With no match the result is Unrouted and its receivers
// are the rules' unrouted ones.
func (r *Rules) Route(ev *alert.Event) Result {
	var res Result
	for _, rt := range r.Routes {
		if !rt.match.matches(ev) {
			continue
		}

		res.Routes = append(res.Routes, rt)
		for _, name := range rt.Receivers {
			if !contains(res.Receivers, name) {
				res.Receivers = append(res.Receivers, name)
			}
		}
		if !rt.Continue {
			break
		}
	}

	if len(res.Routes) == 0 {
		res.Unrouted = true
		res.Receivers = append([]string(nil), r.Unrouted...)
	}
	return res
}

// Matches reports whether ev satisfies every match condition of the
// route. A route without conditions matches every event.
func (rt *Route) Matches(ev *alert.Event) bool {
	return rt.match.matches(ev)
}

// ReceiverNames returns the names of all receivers, sorted.
func (r *Rules) ReceiverNames() []string {
	names := make([]string, 0, len(r.Receivers))
	for name := range r.Receivers {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
