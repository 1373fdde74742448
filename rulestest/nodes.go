package rulestest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// handler decodes the value of one mapping key; p is its key path.
type handler func(v *yaml.Node, p string)

// decoder turns the YAML tree of a test file into a Suite, collecting
// every problem on the way.
type decoder struct {
	problems
}

// join appends key to a key path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends a list index to a key path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// fields calls the handler of each key of mapping n. Unknown and repeated
// keys are problems; so is n not being a mapping.
func (d *decoder) fields(n *yaml.Node, path string, hs map[string]handler) bool {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.at(n, path, "want a mapping of %s", knownKeys(hs))
		return false
	}

	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		h, ok := hs[k.Value]
		switch {
		case !ok:
			d.at(k, p, "unknown key %q (want %s)", k.Value, knownKeys(hs))
		case seen[k.Value]:
			d.at(k, p, "given more than once")
		default:
			seen[k.Value] = true
			h(v, p)
		}
	}
	return true
}

func knownKeys(hs map[string]handler) string {
	keys := make([]string, 0, len(hs))
	for k := range hs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// str reads a non-empty string.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.at(n, path, "want a string")
		return "", false
	}
	if strings.TrimSpace(n.Value) == "" {
		d.at(n, path, "must not be empty")
		return "", false
	}
	return n.Value, true
}

// names reads a list of distinct non-empty strings; [] is an empty list.
func (d *decoder) names(n *yaml.Node, path string) ([]string, bool) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.at(n, path, "want a list of names, [] for none")
		return nil, false
	}

	out := []string{}
	ok := true
	for i, item := range n.Content {
		s, good := d.str(item, index(path, i))
		switch {
		case !good:
			ok = false
		case slices.Contains(out, s):
			d.at(item, index(path, i), "%q is listed twice", s)
			ok = false
		default:
			out = append(out, s)
		}
	}
	return out, ok
}

// offset reads the time of a sequence step: a Go duration such as 90s or
// 2m, with an optional leading whole number of days ("1d", "1d12h").
func (d *decoder) offset(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}

	v, err := parseOffset(s)
	if err != nil {
		d.at(n, path, "%v", err)
		return 0, false
	}
	return v, true
}

func parseOffset(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid time %q (want an offset from the first step, e.g. 0s, 2m, "+
		"1h30m or 1d)", s)
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}

	var days time.Duration
	rest := s
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, bad
		}
		days, rest = time.Duration(n)*24*time.Hour, s[i+1:]
	}
	if rest == "" {
		return days, nil
	}

	v, err := time.ParseDuration(rest)
	if err != nil || v < 0 {
		return 0, bad
	}
	return days + v, nil
}
