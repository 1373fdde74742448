package rules

import (
	"sort"
	"strings"

	"github.com/alertrouter/alertrouter/alert"
	"go.yaml.in/yaml/v3"
)

// matcher is a route's compiled match conditions. Every condition that is
// set must hold; an empty matcher matches every event.
type matcher struct {
	// severities and statuses are bit sets; zero means any.
	severities uint8
	statuses   uint8
	source     *glob
	name       *glob
	// anyOf and allOf are upper-cased compliance regimes.
	anyOf  []string
	allOf  []string
	labels []labelMatcher
	// src is the match section as written, for printing the rules back.
	src *yaml.Node
}

const (
	statusFiring uint8 = 1 << iota
	statusResolved
)

// empty reports whether the matcher has no conditions at all.
func (m *matcher) empty() bool {
	return m.severities == 0 && m.statuses == 0 && m.source == nil && m.name == nil &&
		len(m.anyOf) == 0 && len(m.allOf) == 0 && len(m.labels) == 0
}

// matches tests the cheap conditions first and regexes last.
func (m *matcher) matches(ev *alert.Event) bool {
	if m.severities != 0 && m.severities&severityBit(ev.Severity) == 0 {
		return false
	}
	if m.statuses != 0 && m.statuses&statusBit(ev.Status) == 0 {
		return false
	}
	if m.source != nil && !m.source.match(ev.Source) {
		return false
	}
	if m.name != nil && !m.name.match(ev.Name) {
		return false
	}
	if len(m.anyOf) > 0 && !hasAny(ev.Compliance, m.anyOf) {
		return false
	}
	for _, want := range m.allOf {
		if !has(ev.Compliance, want) {
			return false
		}
	}
	for i := range m.labels {
		if !m.labels[i].matches(ev.Labels[m.labels[i].name]) {
			return false
		}
	}
	return true
}

func severityBit(s alert.Severity) uint8 {
	if !s.Valid() {
		return 0
	}
	return 1 << uint(s)
}

// statusBit maps a status to its bit; an empty status is firing.
func statusBit(s alert.Status) uint8 {
	if s == alert.StatusResolved {
		return statusResolved
	}
	if s == "" || s == alert.StatusFiring {
		return statusFiring
	}
	return 0
}

// hasAny reports whether have holds any of want, ignoring case.
func hasAny(have, want []string) bool {
	for _, w := range want {
		if has(have, w) {
			return true
		}
	}
	return false
}

// has reports whether have holds want, ignoring case.
func has(have []string, want string) bool {
	for _, h := range have {
		if h == want || strings.EqualFold(h, want) {
			return true
		}
	}
	return false
}

// matcher decodes a route's match section.
func (d *decoder) matcher(n *yaml.Node, path string) matcher {
	m := matcher{src: n}
	d.fields(n, path, &matchSection, map[string]handler{
		"severity":       func(v *yaml.Node, p string) { m.severities = d.severitySpec(v, p) },
		"status":         func(v *yaml.Node, p string) { m.statuses = d.statusSpec(v, p) },
		"source":         func(v *yaml.Node, p string) { m.source = d.glob(v, p) },
		"name":           func(v *yaml.Node, p string) { m.name = d.glob(v, p) },
		"compliance":     func(v *yaml.Node, p string) { m.anyOf = d.regimes(v, p) },
		"compliance_all": func(v *yaml.Node, p string) { m.allOf = d.regimes(v, p) },
		"matchers":       func(v *yaml.Node, p string) { m.labels = d.labelMatchers(v, p) },
	})
	return m
}

// glob reads a non-empty source or name pattern.
func (d *decoder) glob(n *yaml.Node, path string) *glob {
	s, ok := d.str(n, path)
	if !ok {
		return nil
	}
	if s == "" {
		d.at(n, path, "pattern must not be empty")
		return nil
	}
	if s == "*" {
		return nil
	}
	return compileGlob(s)
}

// regimes reads compliance regimes, one or a list, upper-cased.
func (d *decoder) regimes(n *yaml.Node, path string) []string {
	items, ok := d.list(n, path, true)
	if ok && len(items) == 0 {
		d.at(n, path, "must list at least one regime")
	}

	out := make([]string, 0, len(items))
	for _, it := range items {
		v := strings.ToUpper(strings.TrimSpace(it.val))
		if v == "" {
			d.at(it.node, it.path, "regime must not be empty")
			continue
		}
		out = append(out, v)
	}
	return out
}

// labelMatchers reads Alertmanager-style matchers, equality first so that
// regexes run only when everything cheaper has passed.
func (d *decoder) labelMatchers(n *yaml.Node, path string) []labelMatcher {
	items, ok := d.list(n, path, true)
	if ok && len(items) == 0 {
		d.at(n, path, "must list at least one matcher")
	}

	out := make([]labelMatcher, 0, len(items))
	for _, it := range items {
		m, err := parseLabelMatcher(it.val)
		if err != nil {
			d.at(it.node, it.path, "%v", err)
			continue
		}
		out = append(out, m)
	}

	sort.SliceStable(out, func(i, j int) bool {
		return out[i].re == nil && out[j].re != nil
	})
	return out
}
