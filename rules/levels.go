package rules

import (
	"fmt"
	"strings"

	"github.com/alertrouter/alertrouter/alert"
	"go.yaml.in/yaml/v3"
)

// severityOps are the comparisons a severity spec may start with, longer
// ones first so that ">=" is not read as ">".
var severityOps = []string{">=", "<=", "!=", ">", "<", "="}

// severitySpec reads one level, a list of levels, or comparisons such as
// ">=high", into a bit set of the levels that match.
func (d *decoder) severitySpec(n *yaml.Node, path string) uint8 {
	items, ok := d.list(n, path, true)
	if ok && len(items) == 0 {
		d.at(n, path, "must list at least one severity")
	}

	var mask uint8
	for _, it := range items {
		m, err := parseSeveritySpec(it.val)
		switch {
		case err != nil:
			d.at(it.node, it.path, "%v", err)
		case m == 0:
			d.at(it.node, it.path, "severity %q matches no level", it.val)
		}
		mask |= m
	}
	return mask
}

// parseSeveritySpec turns "critical", ">=high", "<warning"... into the
// bit set of matching levels.
func parseSeveritySpec(s string) (uint8, error) {
	t := strings.TrimSpace(s)
	op := "="
	for _, o := range severityOps {
		if rest, ok := strings.CutPrefix(t, o); ok {
			op, t = o, strings.TrimSpace(rest)
			break
		}
	}

	level, err := alert.ParseSeverity(t)
	if err != nil {
		return 0, fmt.Errorf("unknown severity %q (want critical, high, warning or info, "+
			"optionally after >=, >, <=, < or !=)", s)
	}

	var mask uint8
	for _, l := range alert.Severities {
		if compareLevel(l, op, level) {
			mask |= severityBit(l)
		}
	}
	return mask, nil
}

func compareLevel(l alert.Severity, op string, ref alert.Severity) bool {
	switch op {
	case ">=":
		return l >= ref
	case "<=":
		return l <= ref
	case ">":
		return l > ref
	case "<":
		return l < ref
	case "!=":
		return l != ref
	}
	return l == ref
}

// statusSpec reads firing, resolved, or a list of them, into a bit set.
func (d *decoder) statusSpec(n *yaml.Node, path string) uint8 {
	items, ok := d.list(n, path, true)
	if ok && len(items) == 0 {
		d.at(n, path, "must list at least one status")
	}

	var mask uint8
	for _, it := range items {
		st, err := alert.ParseStatus(it.val)
		if err != nil || strings.TrimSpace(it.val) == "" {
			d.at(it.node, it.path, "unknown status %q (want firing or resolved)", it.val)
			continue
		}
		mask |= statusBit(st)
	}
	return mask
}
