package rulestest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/alertrouter/alertrouter/alert"
)

// maxDepth bounds how deep an event written in YAML may nest; the schema
// needs three levels (event, labels, value).
const maxDepth = 16

// event decodes the event of a step with alert.Decoder, so that it is
// validated exactly as the router would validate it. at is the step's
// time on the fake clock, used as occurred_at when the event gives none.
func (d *decoder) event(n *yaml.Node, path, caseName string, at time.Time,
	id string) *alert.Event {
	var buf bytes.Buffer
	if err := writeJSON(&buf, n, 0); err != nil {
		d.at(n, path, "case %q: %v", caseName, err)
		return nil
	}

	dec := alert.Decoder{
		Now:   func() time.Time { return at },
		NewID: func() string { return id },
	}
	ev, err := dec.Decode(buf.Bytes())
	if err != nil {
		d.at(n, path, "case %q: %v", caseName, err)
		return nil
	}

	// The router ignores unknown fields; in a test they are typos (label
	// for labels) that would quietly change what is tested.
	for _, k := range slices.Sorted(maps.Keys(ev.Extra)) {
		d.at(n, join(path, k), "case %q: unknown event field %q", caseName, k)
	}
	return ev
}

// writeJSON writes node n as JSON. Every scalar becomes a JSON string and
// null stays null: the event schema holds only strings, lists and maps of
// strings, so `env: prod` and `pipeline: 4812` both mean strings. Keys
// are written in file order, repeats included, so that the decoder can
// report a field given twice.
func writeJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	n = resolve(n)
	if depth > maxDepth {
		return fmt.Errorf("event nests deeper than %d levels", maxDepth)
	}

	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			buf.WriteString("null")
			return nil
		}
		return writeString(buf, n.Value)
	case yaml.SequenceNode:
		return writeList(buf, n, depth)
	case yaml.MappingNode:
		return writeObject(buf, n, depth)
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func writeList(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	buf.WriteByte('[')
	for i, item := range n.Content {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeJSON(buf, item, depth+1); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

func writeObject(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	pairs, err := members(n, depth)
	if err != nil {
		return err
	}

	buf.WriteByte('{')
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeString(buf, pairs[i].Value); err != nil {
			return err
		}
		buf.WriteByte(':')
		if err := writeJSON(buf, pairs[i+1], depth+1); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// members returns the key and value nodes of mapping n, with YAML merge
// keys (<<: *base) expanded: a key written in n wins over a merged one,
// so that a step can reuse an event and change its status.
func members(n *yaml.Node, depth int) ([]*yaml.Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("event nests deeper than %d levels", maxDepth)
	}

	var own, merged []*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: a key must be a string", k.Line)
		}
		if k.Tag == "!!merge" {
			m, err := mergeSources(v, depth)
			if err != nil {
				return nil, err
			}
			merged = append(merged, m...)
			continue
		}
		seen[k.Value] = true
		own = append(own, k, v)
	}

	for i := 0; i < len(merged); i += 2 {
		if !seen[merged[i].Value] {
			seen[merged[i].Value] = true
			own = append(own, merged[i], merged[i+1])
		}
	}
	return own, nil
}

// mergeSources returns the members of the mapping, or list of mappings,
// named by a merge key; an earlier mapping in the list wins.
func mergeSources(v *yaml.Node, depth int) ([]*yaml.Node, error) {
	v = resolve(v)
	sources := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		sources = v.Content
	}

	var out []*yaml.Node
	for _, src := range sources {
		src = resolve(src)
		if src.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: << must name a mapping", src.Line)
		}
		m, err := members(src, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	return out, nil
}

func writeString(buf *bytes.Buffer, s string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode %q: %w", s, err)
	}
	buf.Write(b)
	return nil
}
