package rules

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// routeSpec keeps what the checks after decoding need to know about a
// route: where it is, and which timings it set itself.
type routeSpec struct {
	route    *Route
	node     *yaml.Node
	path     string
	dedup    *yaml.Node
	repeat   *yaml.Node
	matchBad bool
}

// routes decodes the list of routes.
func (d *decoder) routes(n *yaml.Node, path string, r *Rules) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.at(n, path, "must be a list of routes, not %s", describe(n))
		return
	}

	for i, c := range n.Content {
		if rt := d.route(resolve(c), index(path, i)); rt != nil {
			r.Routes = append(r.Routes, rt)
		}
	}
}

// route decodes one route.
func (d *decoder) route(n *yaml.Node, path string) *Route {
	if n.Kind != yaml.MappingNode {
		d.at(n, path, "route must be a mapping, not %s", describe(n))
		return nil
	}

	rt := &Route{Line: n.Line}
	spec := &routeSpec{route: rt, node: n, path: path}
	has := map[string]bool{}
	d.fields(n, path, &routeSection, map[string]handler{
		"name": func(v *yaml.Node, p string) {
			has["name"] = true
			rt.Name = d.routeName(v, p)
		},
		"match": func(v *yaml.Node, p string) {
			before := len(d.errs)
			rt.match = d.matcher(v, p)
			spec.matchBad = len(d.errs) > before
		},
		"receivers": func(v *yaml.Node, p string) {
			has["receivers"] = true
			rt.Receivers = d.receiverRefs(v, p)
		},
		"continue": func(v *yaml.Node, p string) { rt.Continue = d.boolean(v, p) },
		"dedup_window": func(v *yaml.Node, p string) {
			spec.dedup = v
			rt.DedupWindow, _ = d.duration(v, p)
		},
		"repeat_interval": func(v *yaml.Node, p string) {
			spec.repeat = v
			rt.RepeatInterval = d.positive(v, p)
		},
	})

	if !has["name"] {
		d.at(n, join(path, "name"), "route has no name")
	}
	if !has["receivers"] {
		d.at(n, join(path, "receivers"), "route has no receivers")
	}
	d.specs = append(d.specs, spec)
	return rt
}

// routeName reads a route name and checks that it is unique.
func (d *decoder) routeName(n *yaml.Node, path string) string {
	name, ok := d.str(n, path)
	if !ok {
		return ""
	}
	if !validName(name) {
		d.at(n, path, "invalid route name %q (want letters, digits, '-', '_' or '.')", name)
	}
	if first, dup := d.routeNames[name]; dup {
		d.at(n, path, "duplicate route name %q (first at line %d)", name, first)
		return name
	}
	d.routeNames[name] = n.Line
	return name
}

// receiverRefs reads a list of receiver names, checked once all are known.
func (d *decoder) receiverRefs(n *yaml.Node, path string) []string {
	items, ok := d.list(n, path, true)
	if ok && len(items) == 0 {
		d.at(n, path, "must list at least one receiver")
	}

	names := make([]string, 0, len(items))
	for _, it := range items {
		if contains(names, it.val) {
			d.at(it.node, it.path, "receiver %q listed twice", it.val)
			continue
		}
		names = append(names, it.val)
		d.refs = append(d.refs, it)
	}
	return names
}

// positive reads a duration that must be above zero.
func (d *decoder) positive(n *yaml.Node, path string) time.Duration {
	v, ok := d.duration(n, path)
	if ok && v == 0 {
		d.at(n, path, "must be more than zero")
	}
	return v
}

// defaults decodes the rules-wide timing settings over the built-in ones.
func (d *decoder) defaults(n *yaml.Node, path string, def *Defaults) {
	d.fields(n, path, &defaultsSection, map[string]handler{
		"dedup_window": func(v *yaml.Node, p string) { def.DedupWindow, _ = d.duration(v, p) },
		"repeat_interval": func(v *yaml.Node, p string) {
			d.repeat = v
			def.RepeatInterval = d.positive(v, p)
		},
		"state_ttl": func(v *yaml.Node, p string) {
			d.stateTTL = v
			def.StateTTL = d.positive(v, p)
		},
	})
}

// finishRoutes fills in default timings and reports routes that can
// never match, because an earlier route matches every event and stops.
func (d *decoder) finishRoutes(r *Rules) {
	def := r.Defaults
	if def.StateTTL > 0 && def.StateTTL < def.RepeatInterval {
		where, path := d.stateTTL, "defaults.state_ttl"
		if where == nil {
			where, path = d.repeat, "defaults.repeat_interval"
		}
		d.at(where, path, "state_ttl (%s) is shorter than repeat_interval (%s): "+
			"alerts would be forgotten before they repeat", def.StateTTL, def.RepeatInterval)
	}

	var catchAll *routeSpec
	for _, s := range d.specs {
		rt := s.route
		if s.dedup == nil {
			rt.DedupWindow = def.DedupWindow
		}
		if s.repeat == nil {
			rt.RepeatInterval = def.RepeatInterval
		}
		if s.repeat != nil && def.StateTTL > 0 && rt.RepeatInterval > def.StateTTL {
			d.at(s.repeat, s.path+".repeat_interval",
				"longer than defaults.state_ttl (%s): the alert would be forgotten first",
				def.StateTTL)
		}

		if catchAll != nil {
			d.at(s.node, s.path, "unreachable: route %q at line %d matches every event",
				catchAll.route.Name, catchAll.node.Line)
			continue
		}
		if !rt.Continue && !s.matchBad && rt.match.empty() {
			catchAll = s
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
