package rules

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// redactNameRe is what a redact_patterns name may be: it is written into
// masks as [REDACTED:name].
var redactNameRe = regexp.MustCompile(redactNamePattern)

// redactPatterns reads redact_patterns: name to regular expression, in
// file order. A pattern that matches the empty string would mask nothing
// useful and is refused.
func (d *decoder) redactPatterns(n *yaml.Node, path string) []RedactPattern {
	var out []RedactPattern
	d.pairs(n, path, func(name string, k, v *yaml.Node) {
		p := join(path, name)
		if !redactNameRe.MatchString(name) {
			d.at(k, p, "invalid pattern name (want a-z, 0-9, '_' or '-')")
		}

		src, ok := d.str(v, p)
		if !ok {
			return
		}
		re, err := regexp.Compile(src)
		switch {
		case err != nil:
			d.at(v, p, "invalid regular expression: %v", err)
		case re.MatchString(""):
			d.at(v, p, "pattern %q matches the empty string", src)
		default:
			out = append(out, RedactPattern{Name: name, Pattern: re})
		}
	})
	return out
}

// labelNames reads sensitive_labels: one label name or a list, each
// named once (compared case-insensitively, as the redactor compares).
func (d *decoder) labelNames(n *yaml.Node, path string) []string {
	items, ok := d.list(n, path, true)
	if ok && len(items) == 0 {
		d.at(n, path, "must list at least one label name")
	}

	seen := map[string]bool{}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if err := checkLabelName(it.val); err != nil {
			d.at(it.node, it.path, "%v", err)
			continue
		}
		if seen[strings.ToLower(it.val)] {
			d.at(it.node, it.path, "label %q listed twice", it.val)
			continue
		}
		seen[strings.ToLower(it.val)] = true
		out = append(out, it.val)
	}
	return out
}
