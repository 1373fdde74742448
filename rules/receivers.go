package rules

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// channelKinds lists the channel keys a receiver may hold.
const channelKinds = "slack, pagerduty, email, webhook or console"

// receivers decodes the receivers mapping, name to receiver.
func (d *decoder) receivers(n *yaml.Node, path string, r *Rules) {
	d.pairs(n, path, func(name string, k, v *yaml.Node) {
		p := join(path, name)
		if !validName(name) {
			d.at(k, p, "invalid receiver name (want letters, digits, '-', '_' or '.')")
		}

		rc := &Receiver{Name: name}
		d.receiver(k, v, p, rc)
		r.Receivers[name] = rc
		d.receiverOrder = append(d.receiverOrder, name)
	})
}

// receiver decodes one receiver: its channels, redact and fallback.
func (d *decoder) receiver(k, n *yaml.Node, path string, rc *Receiver) {
	kinds := 0
	channel := func(decode func(m *yaml.Node, p string)) handler {
		return func(v *yaml.Node, p string) {
			kinds++
			d.each(v, p, decode)
		}
	}

	d.fields(n, path, &receiverSection, map[string]handler{
		"redact": func(v *yaml.Node, p string) { rc.Redact = d.boolean(v, p) },
		"fallback": func(v *yaml.Node, p string) {
			items, _ := d.list(v, p, true)
			for _, it := range items {
				rc.Fallback = append(rc.Fallback, it.val)
			}
			d.fallbacks[rc.Name] = items
		},
		"slack": channel(func(m *yaml.Node, p string) {
			rc.Slack = append(rc.Slack, d.slack(m, p))
		}),
		"pagerduty": channel(func(m *yaml.Node, p string) {
			rc.PagerDuty = append(rc.PagerDuty, d.pagerDuty(m, p))
		}),
		"email": channel(func(m *yaml.Node, p string) {
			rc.Email = append(rc.Email, d.email(m, p))
		}),
		"webhook": channel(func(m *yaml.Node, p string) {
			rc.Webhook = append(rc.Webhook, d.webhook(m, p))
		}),
		"console": channel(func(m *yaml.Node, p string) {
			d.fields(m, p, &consoleSection, map[string]handler{})
			rc.Console = append(rc.Console, ConsoleConfig{})
		}),
	})

	if kinds == 0 && (n.Kind == yaml.MappingNode || isNull(n)) {
		d.at(k, path, "receiver has no channel (want %s)", channelKinds)
	}
}

// each calls decode for one mapping, or for every mapping of a list.
func (d *decoder) each(n *yaml.Node, path string, decode func(m *yaml.Node, p string)) {
	if n.Kind != yaml.SequenceNode {
		decode(n, path)
		return
	}
	if len(n.Content) == 0 {
		d.at(n, path, "must not be an empty list")
	}
	for i, c := range n.Content {
		decode(resolve(c), index(path, i))
	}
}

// checkFallbacks reports fallbacks to unknown receivers, repeats, and
// cycles (a receiver that falls back, directly or not, to itself).
func (d *decoder) checkFallbacks(r *Rules) {
	for _, name := range d.receiverOrder {
		seen := map[string]bool{}
		for _, it := range d.fallbacks[name] {
			switch {
			case it.val == name:
				d.at(it.node, it.path, "receiver %q falls back to itself", name)
			case r.Receivers[it.val] == nil:
				d.unknownReceiver(it, r)
			case seen[it.val]:
				d.at(it.node, it.path, "receiver %q listed twice", it.val)
			default:
				if loop := fallbackPath(r, it.val, name, nil); loop != nil {
					chain := strings.Join(append([]string{name}, loop...), " -> ")
					d.at(it.node, it.path, "fallback cycle: %s", chain)
				}
			}
			seen[it.val] = true
		}
	}
}

// fallbackPath returns the chain of fallbacks from "from" that reaches
// "to", or nil. visited guards against cycles that do not include "to".
func fallbackPath(r *Rules, from, to string, visited map[string]bool) []string {
	if from == to {
		return []string{to}
	}
	if visited == nil {
		visited = map[string]bool{}
	}
	if visited[from] || r.Receivers[from] == nil {
		return nil
	}
	visited[from] = true

	for _, next := range r.Receivers[from].Fallback {
		if rest := fallbackPath(r, next, to, visited); rest != nil {
			return append([]string{from}, rest...)
		}
	}
	return nil
}

// unknownReceiver reports a reference to a receiver that is not defined.
func (d *decoder) unknownReceiver(it item, r *Rules) {
	names := r.ReceiverNames()
	if len(names) == 0 {
		d.at(it.node, it.path, "unknown receiver %q (no receivers are defined)", it.val)
		return
	}
	d.at(it.node, it.path, "unknown receiver %q (defined: %s)", it.val, strings.Join(names, ", "))
}

// validName reports whether s is usable as a receiver name: it shows up
// in metrics labels and NATS subjects, so it stays plain.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		isAlnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !isAlnum && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}
