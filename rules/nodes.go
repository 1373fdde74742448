package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder walks the YAML node tree of a rules file, collecting every
// problem with its position instead of stopping at the first.
type decoder struct {
	problems
	opts Options

	// What cross-checks need once the whole file is read.
	receiverOrder []string
	fallbacks     map[string][]item
	refs          []item
	specs         []*routeSpec
	routeNames    map[string]int
	stateTTL      *yaml.Node
	repeat        *yaml.Node
}

// handler decodes the value of one known key.
type handler func(v *yaml.Node, path string)

// item is one scalar of a list, with where it came from.
type item struct {
	val  string
	node *yaml.Node
	path string
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}

// resolve follows YAML aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names the kind of a node for "must be X, not Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "empty"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	}
	return "a string"
}

// pairs calls fn for each key and value of mapping n, in file order. It
// reports duplicate and non-string keys. A null node is an empty mapping.
func (d *decoder) pairs(n *yaml.Node, path string, fn func(key string, k, v *yaml.Node)) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.at(n, path, "must be a mapping, not %s", describe(n))
		return
	}

	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode || isNull(k):
			d.at(k, path, "keys must be strings, not %s", describe(k))
		case k.ShortTag() == "!!merge":
			d.at(k, path, "merge keys (<<) are not supported")
		case seen[k.Value] > 0:
			d.at(k, join(path, k.Value), "duplicate key (first at line %d)", seen[k.Value])
		default:
			seen[k.Value] = k.Line
			fn(k.Value, k, v)
		}
	}
}

// fields decodes mapping n, a mapping of section sec, with one handler
// per key of sec, and reports every key that sec does not list.
func (d *decoder) fields(n *yaml.Node, path string, sec *section, hs map[string]handler) {
	sec.mustCover(hs)
	d.pairs(n, path, func(key string, k, v *yaml.Node) {
		if _, ok := sec.field(key); !ok {
			d.at(k, join(path, key), "unknown key%s", suggest(key, sec.names()))
			return
		}
		hs[key](v, join(path, key))
	})
}

// suggest names the closest of names, the known keys, or lists them all.
func suggest(key string, names []string) string {
	if len(names) == 0 {
		return " (this mapping takes no keys)"
	}

	for _, name := range names {
		if distance(strings.ToLower(key), name) <= 2 {
			return fmt.Sprintf(", did you mean %q?", name)
		}
	}
	return " (want " + strings.Join(names, ", ") + ")"
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// str reads a scalar as text. Numbers and booleans are taken as written.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.at(n, path, "must be a string, not %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// requiredStr reads text a channel cannot work without: empty or blank
// text is refused, and gives "".
func (d *decoder) requiredStr(n *yaml.Node, path string) string {
	if !d.notBlank(n, path) {
		return ""
	}
	s, _ := d.str(n, path)
	return s
}

// notBlank reports whether n is anything but empty or blank text,
// recording a problem when it is not. Other kinds are left to the
// caller's reader, which names what it wants.
func (d *decoder) notBlank(n *yaml.Node, path string) bool {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return true
	}
	switch {
	case n.Value == "":
		d.at(n, path, "must not be empty")
		return false
	case strings.TrimSpace(n.Value) == "":
		d.at(n, path, "must not be blank (only white space)")
		return false
	}
	return true
}

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, path string) bool {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.at(n, path, "must be true or false, not %s", describe(n))
		return false
	}
	b, _ := strconv.ParseBool(strings.ToLower(n.Value))
	return b
}

// integer reads a whole number.
func (d *decoder) integer(n *yaml.Node, path string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.at(n, path, "must be an integer, not %s", describe(n))
		return 0, false
	}
	v, err := strconv.ParseInt(n.Value, 0, 32)
	if err != nil {
		d.at(n, path, "integer %q out of range", n.Value)
		return 0, false
	}
	return int(v), true
}

// list reads a sequence of scalars; one plain scalar counts as a list of
// one when single is true.
func (d *decoder) list(n *yaml.Node, path string, single bool) ([]item, bool) {
	if single && n.Kind == yaml.ScalarNode && !isNull(n) {
		return []item{{val: n.Value, node: n, path: path}}, true
	}
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		d.at(n, path, "must be a list, not %s", describe(n))
		return nil, false
	}

	items := make([]item, 0, len(n.Content))
	ok := true
	for i, c := range n.Content {
		c = resolve(c)
		p := index(path, i)
		s, good := d.str(c, p)
		if good {
			items = append(items, item{val: s, node: c, path: p})
		}
		ok = ok && good
	}
	return items, ok
}

// duration reads a non-negative duration. Besides Go's units it takes a
// leading whole number of days, as in "7d" or "1d12h".
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}

	v, err := parseDuration(s)
	if err != nil {
		d.at(n, path, "%v", err)
		return 0, false
	}
	if v < 0 {
		d.at(n, path, "duration %q must not be negative", s)
		return 0, false
	}
	return v, true
}

// parseDuration is time.ParseDuration plus a leading "<n>d" for days.
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid duration %q (want e.g. 30s, 10m, 4h or 7d)", s)
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}

	neg := strings.HasPrefix(s, "-")
	rest := strings.TrimPrefix(s, "-")
	var days time.Duration
	i := strings.IndexByte(rest, 'd')
	if i > 0 {
		n, err := strconv.ParseUint(rest[:i], 10, 16)
		if err != nil {
			return 0, bad
		}
		days, rest = time.Duration(n)*24*time.Hour, rest[i+1:]
	}

	var v time.Duration
	if rest == "" && i <= 0 {
		return 0, bad
	}
	if rest != "" {
		var err error
		if v, err = time.ParseDuration(rest); err != nil || v < 0 {
			return 0, bad
		}
	}
	if neg {
		return -(days + v), nil
	}
	return days + v, nil
}
