package rules

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Masked is what Print writes in place of every secret, whether it was
// expanded or, with Options.SkipSecrets, left empty.
const Masked = "<secret>"

// Print writes the effective rules as YAML: defaults applied to every
// route, every receiver with all its channel settings, and the match
// conditions of each route as written in the file. Every secret (tokens,
// routing keys, passwords, secret URLs, webhook header values) is written
// as Masked, never its value, so the output is safe to paste into a
// ticket. The output is a rules file in its own right; see the README for
// the one case where it does not read back as it stands.
func (r *Rules) Print(w io.Writer) error {
	doc := mapping()
	doc.HeadComment = fmt.Sprintf("effective rules of %s: defaults applied, secrets masked",
		r.File)
	put(doc, "defaults", r.Defaults.node())
	if len(r.Receivers) > 0 {
		put(doc, "receivers", r.receiversNode())
	}
	if len(r.Unrouted) > 0 {
		put(doc, "unrouted", flowList(r.Unrouted))
	}
	if len(r.RedactPatterns) > 0 {
		patterns := mapping()
		for _, p := range r.RedactPatterns {
			put(patterns, p.Name, scalar(p.Pattern.String()))
		}
		put(doc, "redact_patterns", patterns)
	}
	if len(r.SensitiveLabels) > 0 {
		put(doc, "sensitive_labels", flowList(r.SensitiveLabels))
	}
	if len(r.Routes) > 0 {
		routes := &yaml.Node{Kind: yaml.SequenceNode}
		for _, rt := range r.Routes {
			routes.Content = append(routes.Content, rt.node())
		}
		put(doc, "routes", routes)
	}

	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("print rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("print rules: %w", err)
	}
	return nil
}

func (def Defaults) node() *yaml.Node {
	m := mapping()
	put(m, "dedup_window", scalar(formatDuration(def.DedupWindow)))
	put(m, "repeat_interval", scalar(formatDuration(def.RepeatInterval)))
	put(m, "state_ttl", scalar(formatDuration(def.StateTTL)))
	return m
}

// receiversNode writes the receivers sorted by name.
func (r *Rules) receiversNode() *yaml.Node {
	m := mapping()
	for _, name := range r.ReceiverNames() {
		put(m, name, r.Receivers[name].node())
	}
	return m
}

func (rc *Receiver) node() *yaml.Node {
	m := mapping()
	channels := []struct {
		key   string
		nodes []*yaml.Node
	}{
		{"slack", eachNode(rc.Slack, SlackConfig.node)},
		{"pagerduty", eachNode(rc.PagerDuty, PagerDutyConfig.node)},
		{"email", eachNode(rc.Email, EmailConfig.node)},
		{"webhook", eachNode(rc.Webhook, WebhookConfig.node)},
		{"console", eachNode(rc.Console, func(ConsoleConfig) *yaml.Node { return mapping() })},
	}
	for _, c := range channels {
		if len(c.nodes) > 0 {
			put(m, c.key, &yaml.Node{Kind: yaml.SequenceNode, Content: c.nodes})
		}
	}

	if rc.Redact {
		put(m, "redact", boolean(true))
	}
	if len(rc.Fallback) > 0 {
		put(m, "fallback", flowList(rc.Fallback))
	}
	return m
}

func eachNode[T any](configs []T, node func(T) *yaml.Node) []*yaml.Node {
	out := make([]*yaml.Node, len(configs))
	for i, c := range configs {
		out[i] = node(c)
	}
	return out
}

// node writes a Slack destination. With SkipSecrets both secrets are
// empty, so which one was set is told by the channel: token goes with a
// channel, webhook_url goes alone.
func (c SlackConfig) node() *yaml.Node {
	m := mapping()
	if c.WebhookURL != "" || c.Channel == "" {
		put(m, "webhook_url", masked())
	}
	if c.Token != "" || c.Channel != "" {
		put(m, "token", masked())
		put(m, "channel", scalar(c.Channel))
	}
	if c.APIURL != "" {
		put(m, "api_url", scalar(c.APIURL))
	}
	return m
}

func (c PagerDutyConfig) node() *yaml.Node {
	m := mapping()
	put(m, "routing_key", masked())
	if c.EventsURL != "" {
		put(m, "events_url", scalar(c.EventsURL))
	}
	return m
}

// node writes an SMTP destination; username and password go together.
func (c EmailConfig) node() *yaml.Node {
	m := mapping()
	put(m, "host", scalar(c.Host))
	put(m, "port", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(c.Port)})
	put(m, "tls", scalar(c.TLS))
	put(m, "from", scalar(c.From))
	put(m, "to", flowList(c.To))
	if c.Username != "" || c.Password != "" {
		put(m, "username", scalar(c.Username))
		put(m, "password", masked())
	}
	return m
}

// node writes a webhook destination; header names show, values do not.
func (c WebhookConfig) node() *yaml.Node {
	m := mapping()
	put(m, "url", masked())
	if len(c.Headers) == 0 {
		return m
	}

	h := mapping()
	for _, name := range sortedKeys(c.Headers) {
		put(h, name, masked())
	}
	put(m, "headers", h)
	return m
}

// node writes a route with its effective timings.
func (rt *Route) node() *yaml.Node {
	m := mapping()
	put(m, "name", scalar(rt.Name))
	if src := plain(rt.match.src); src != nil && len(src.Content) > 0 {
		put(m, "match", src)
	}
	put(m, "receivers", flowList(rt.Receivers))
	if rt.Continue {
		put(m, "continue", boolean(true))
	}
	put(m, "dedup_window", scalar(formatDuration(rt.DedupWindow)))
	put(m, "repeat_interval", scalar(formatDuration(rt.RepeatInterval)))
	return m
}

// plain copies a node as written, aliases resolved and without anchors
// or comments, so that it prints on its own.
func plain(n *yaml.Node) *yaml.Node {
	n = resolve(n)
	if n == nil || isNull(n) {
		return nil
	}

	out := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value}
	for _, c := range n.Content {
		out.Content = append(out.Content, plain(c))
	}
	return out
}

// formatDuration writes d the way the rules file reads durations, in
// whole days and the rest without zero units: 7d, 1d12h, 4h, 1h30m, 0s.
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d == 0 {
		return "0s"
	}

	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	if d >= day {
		b.WriteString(strconv.FormatInt(int64(d/day), 10) + "d")
		d %= day
	}
	if d > 0 {
		s := d.String()
		for _, zero := range []string{"m0s", "h0m"} {
			if strings.HasSuffix(s, zero) {
				s = strings.TrimSuffix(s, zero[1:])
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func put(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, scalar(key), v)
}

// scalar is a string node; the encoder quotes it where YAML would read
// it as something else.
func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func masked() *yaml.Node { return scalar(Masked) }

func boolean(v bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
}

// flowList is a flow list of strings, as in [a, b].
func flowList(list []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range list {
		n.Content = append(n.Content, scalar(s))
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
