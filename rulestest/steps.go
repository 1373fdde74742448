package rulestest

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/alertrouter/alertrouter/router"
)

// epoch is the fake clock's time at 0s; any fixed instant would do.
func epoch() time.Time {
	return time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)
}

// sequence decodes the steps of a sequence case. Times must not go
// backwards.
func (d *decoder) sequence(n *yaml.Node, path, caseName string, ci int) []Step {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.at(n, path, "case %q: want a list of steps {at, event, receivers}", caseName)
		return nil
	}

	var steps []Step
	var last time.Duration
	for i, item := range n.Content {
		p := index(path, i)
		st := d.step(item, p, caseName, true, stepID(ci, i))
		if st.atOK && st.At < last {
			d.at(st.atNode, join(p, "at"), "case %q: %s is before the previous step's %s",
				caseName, FormatOffset(st.At), FormatOffset(last))
		}
		if st.atOK {
			last = st.At
		}
		steps = append(steps, st)
	}
	return steps
}

// step decodes one step; at is accepted only in a sequence. A step with
// problems is returned too, with what could be read.
func (d *decoder) step(n *yaml.Node, path, caseName string, inSeq bool, id string) Step {
	n = resolve(n)
	st := Step{Line: n.Line, path: path, atNode: n, atOK: true}
	var evNode *yaml.Node

	hs := map[string]handler{
		"event": func(v *yaml.Node, _ string) { evNode = v },
		"receivers": func(v *yaml.Node, p string) {
			st.rcvNode = v
			st.Receivers, _ = d.names(v, p)
		},
		"suppressed": func(v *yaml.Node, p string) {
			st.suppressed = v
			st.Suppressed, _ = d.names(v, p)
		},
	}
	if inSeq {
		hs["at"] = func(v *yaml.Node, p string) {
			st.atNode = v
			st.At, st.atOK = d.offset(v, p)
		}
	}
	if !d.fields(n, path, hs) {
		st.atOK = false
		return st
	}

	if evNode == nil {
		d.at(n, join(path, "event"), "case %q: required: the event to route", caseName)
	} else {
		st.Event = d.event(evNode, join(path, "event"), caseName, epoch().Add(st.At), id)
	}
	if st.rcvNode == nil {
		d.at(n, join(path, "receivers"),
			"case %q: required: the receivers expected, in delivery order, [] for none",
			caseName)
	}
	if st.Suppressed == nil {
		st.Suppressed = []string{}
	}
	return st
}

// checkNames reports expected receivers and suppressed routes that the
// rules do not define, which would otherwise fail with a puzzling diff.
func (d *decoder) checkNames(s *Suite) {
	routes := []string{router.UnroutedRoute}
	for _, rt := range s.Rules.Routes {
		routes = append(routes, rt.Name)
	}
	receivers := s.Rules.ReceiverNames()

	for _, c := range s.Cases {
		for _, st := range c.Steps {
			d.known(st.rcvNode, join(st.path, "receivers"), c.Name, "receiver", receivers)
			d.known(st.suppressed, join(st.path, "suppressed"), c.Name, "route", routes)
		}
	}
}

func (d *decoder) known(n *yaml.Node, path, caseName, kind string, known []string) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return
	}
	reported := map[string]bool{}
	for i, item := range n.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode || item.Value == "" || reported[item.Value] ||
			slices.Contains(known, item.Value) {
			continue
		}
		reported[item.Value] = true
		d.at(item, index(path, i), "case %q: no %s %q in the rules (have %s)",
			caseName, kind, item.Value, strings.Join(known, ", "))
	}
}
