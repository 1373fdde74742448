package rulestest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/rules"
)

// Suite is a loaded, validated test file with the rules it tests.
type Suite struct {
	// File is the test file's path, for messages.
	File string
	// RulesFile is the path of the rules under test, as opened.
	RulesFile string
	// Rules are the rules under test, loaded without expanding secrets.
	Rules *rules.Rules
	// Cases in file order; their names are unique.
	Cases []Case
}

// Case is one named test: a single event, or a sequence of events that
// share one dedup state.
type Case struct {
	Name string
	// Line is where the case starts in the test file.
	Line int
	// Sequence reports whether the case was written as a sequence; a
	// single event is one step at 0s.
	Sequence bool
	Steps    []Step
}

// Step is one event and what it must do.
type Step struct {
	// At is the step's time on the fake clock, from the case's start.
	At    time.Duration
	Event *alert.Event
	// Receivers are the receivers expected to be notified, in delivery
	// order; empty when none is.
	Receivers []string
	// Suppressed are the routes expected to suppress the event, in route
	// order; empty when none does.
	Suppressed []string
	// Line is where the step starts in the test file.
	Line int

	path                        string
	rcvNode, suppressed, atNode *yaml.Node
	atOK                        bool
}

// Load reads the test file at path and the rules file it names, relative
// to the test file's folder, without expanding the rules' secrets. A test
// file with problems gives Errors, listing every one; an invalid rules
// file gives its rules.Errors, wrapped.
func Load(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read test file: %w", err)
	}

	d := &decoder{problems: problems{file: path}}
	s := &Suite{File: path}
	rulesNode := d.top(data, s)
	if s.RulesFile == "" {
		return nil, sorted(d.errs)
	}

	if !filepath.IsAbs(s.RulesFile) {
		s.RulesFile = filepath.Join(filepath.Dir(path), s.RulesFile)
	}
	s.Rules, err = rules.Load(s.RulesFile, rules.Options{SkipSecrets: true})
	if err != nil {
		err = fmt.Errorf("%s:%d:%d: rules: %w", path, rulesNode.Line, rulesNode.Column, err)
		if len(d.errs) > 0 {
			return nil, errors.Join(sorted(d.errs), err)
		}
		return nil, err
	}

	d.checkNames(s)
	if len(d.errs) > 0 {
		return nil, sorted(d.errs)
	}
	return s, nil
}

// yamlLine finds the line number in a yaml.v3 syntax error.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// top decodes the whole file into s and returns the node of the rules
// key. On a syntax error or a missing rules key, s.RulesFile stays empty.
func (d *decoder) top(data []byte, s *Suite) *yaml.Node {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.at(nil, "", "the file is empty; want rules: and cases:")
			return nil
		}
		d.syntax(err)
		return nil
	}

	if len(doc.Content) == 0 {
		d.at(nil, "", "the file is empty; want rules: and cases:")
		return nil
	}
	root := doc.Content[0]
	var rulesNode *yaml.Node
	var rulesFile string
	ok := d.fields(root, "", map[string]handler{
		"rules": func(v *yaml.Node, p string) {
			rulesNode = v
			rulesFile, _ = d.str(v, p)
		},
		"cases": func(v *yaml.Node, p string) { s.Cases = d.cases(v, p) },
	})
	if ok && rulesNode == nil {
		d.at(root, "rules", "required: the rules file under test, relative to this file")
	}
	if ok && len(s.Cases) == 0 && len(d.errs) == 0 {
		d.at(root, "cases", "required: at least one case")
	}
	s.RulesFile = rulesFile
	return rulesNode
}

// syntax records a YAML syntax error at the line yaml.v3 names.
func (d *decoder) syntax(err error) {
	line, msg := 1, err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Col: 1, Msg: msg})
}

// cases decodes the list of cases; names must be unique.
func (d *decoder) cases(n *yaml.Node, path string) []Case {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.at(n, path, "want a list of cases")
		return nil
	}

	var out []Case
	names := map[string]int{}
	for i, item := range n.Content {
		p := index(path, i)
		c, ok := d.testCase(item, p, i)
		if !ok {
			continue
		}
		if first, dup := names[c.Name]; dup {
			d.at(item, p+".name", "case %q is already defined on line %d", c.Name, first)
		}
		names[c.Name] = c.Line
		out = append(out, c)
	}
	return out
}

// testCase decodes one case: name, and either event with receivers (and
// suppressed) or sequence. A case with problems is still returned, so
// that its expected names can be checked too; ok is false only when it
// is not a mapping at all.
func (d *decoder) testCase(n *yaml.Node, path string, i int) (Case, bool) {
	n = resolve(n)
	c := Case{Line: n.Line}
	var seq *yaml.Node
	single := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}

	ok := d.fields(n, path, map[string]handler{
		"name": func(v *yaml.Node, p string) { c.Name, _ = d.str(v, p) },
		"sequence": func(v *yaml.Node, _ string) {
			seq = v
			c.Sequence = true
		},
		"event":      keep(single, "event"),
		"receivers":  keep(single, "receivers"),
		"suppressed": keep(single, "suppressed"),
	})
	if !ok {
		return c, false
	}
	if c.Name == "" {
		d.at(n, join(path, "name"), "required: say what the case proves")
		c.Name = "#" + strconv.Itoa(i+1)
	}

	switch {
	case seq != nil && len(single.Content) > 0:
		d.at(n, path, "case %q: give either event with receivers, or sequence, not both",
			c.Name)
	case seq != nil:
		c.Steps = d.sequence(seq, join(path, "sequence"), c.Name, i)
	default:
		c.Steps = []Step{d.step(single, path, c.Name, false, stepID(i, 0))}
	}
	return c, true
}

// keep returns a handler that moves a key and its value into m, so that a
// single-event case is decoded as a step.
func keep(m *yaml.Node, key string) handler {
	return func(v *yaml.Node, _ string) {
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: key, Line: v.Line, Column: v.Column}
		m.Content = append(m.Content, k, v)
	}
}

func stepID(c, s int) string {
	return "rulestest-" + strconv.Itoa(c+1) + "-" + strconv.Itoa(s+1)
}
