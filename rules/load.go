package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Options control how a rules file is read.
type Options struct {
	// LookupEnv expands ${VAR} in secrets; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// ReadFile reads the rules file and file: secrets; nil means
	// os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// SkipSecrets checks the syntax of ${VAR} and file: references without
	// expanding them, and leaves those secrets empty: for `check` in CI,
	// where production secrets are absent.
	SkipSecrets bool
}

func (o Options) lookupEnv(name string) (string, bool) {
	if o.LookupEnv == nil {
		return os.LookupEnv(name)
	}
	return o.LookupEnv(name)
}

func (o Options) readFile(path string) ([]byte, error) {
	if o.ReadFile == nil {
		return os.ReadFile(path)
	}
	return o.ReadFile(path)
}

// Load reads and validates the rules file at path. An invalid file gives
// Errors, listing every problem.
func Load(path string, opts Options) (*Rules, error) {
	data, err := opts.readFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules file: %w", err)
	}
	return Parse(path, data, opts)
}

// Parse validates rules file data; file names it in messages. An invalid
// file gives Errors, listing every problem in file order.
//
// A file must define at least one route or an unrouted receiver: with
// neither, every event would reach nobody, which is never what is meant.
func Parse(file string, data []byte, opts Options) (*Rules, error) {
	d := &decoder{
		problems:   problems{file: file},
		opts:       opts,
		fallbacks:  map[string][]item{},
		routeNames: map[string]int{},
	}
	sum := sha256.Sum256(data)
	r := &Rules{
		File: file,
		Hash: hex.EncodeToString(sum[:]),
		Defaults: Defaults{
			DedupWindow:    DefaultDedupWindow,
			RepeatInterval: DefaultRepeatInterval,
			StateTTL:       DefaultStateTTL,
		},
		Receivers: map[string]*Receiver{},
	}

	root, ok := d.document(data)
	if ok {
		d.top(root, r)
		d.finish(r)
	}

	if len(d.errs) > 0 {
		noteAliases(d.errs, aliasUses(root))
		sortErrors(d.errs)
		return nil, d.errs
	}
	return r, nil
}

// yamlLine finds the line number in a yaml.v3 syntax error.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data as exactly one YAML document. The root is nil for
// an empty file. ok is false on a syntax error.
func (d *decoder) document(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		d.syntax(err)
		if bytes.Contains(data, []byte("${")) && strings.Contains(err.Error(), "'}'") {
			d.errs[len(d.errs)-1].Msg += `; quote "${VAR}" values inside { }`
		}
		tabHint(d.errs[len(d.errs)-1], data)
		return nil, false
	}

	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			d.syntax(err)
			tabHint(d.errs[len(d.errs)-1], data)
		} else {
			d.at(&extra, "", "only one YAML document is allowed")
		}
		return nil, false
	}

	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0], true
	}
	return nil, true
}

// parserProblems are the yaml.v3 errors that name the 0-based line where
// the enclosing block starts, rather than the 1-based line of the problem.
var parserProblems = map[string]bool{
	"did not find expected key":           true,
	"did not find expected ',' or '}'":    true,
	"did not find expected ',' or ']'":    true,
	"did not find expected '-' indicator": true,
	"did not find expected node content":  true,
	"found undefined tag handle":          true,
}

// syntax records a YAML syntax error at the line yaml.v3 names.
func (d *decoder) syntax(err error) {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg := "invalid YAML: " + m[2]
		if parserProblems[m[2]] {
			line++
			msg += " (in the block that starts here)"
		}
		d.add(line, 1, "", msg)
		return
	}
	d.add(1, 1, "", "invalid YAML: "+strings.TrimPrefix(err.Error(), "yaml: "))
}

// tabAdvice is the hint for a file indented with tabs: yaml.v3 mostly
// says "found character that cannot start any token" and not why.
const tabAdvice = "tabs are not allowed for indentation in YAML; use spaces"

// tabHint adds tabAdvice to syntax error e when the line it names, or
// failing that some other line, has a tab in its leading white space.
func tabHint(e *Error, data []byte) {
	first := 0
	for i, line := range bytes.Split(data, []byte("\n")) {
		lead := line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
		if bytes.IndexByte(lead, '\t') < 0 {
			continue
		}
		if i+1 == e.Line {
			e.Msg += "; " + tabAdvice
			return
		}
		if first == 0 {
			first = i + 1
		}
	}

	if first > 0 {
		e.Msg += fmt.Sprintf("; line %d is indented with a tab: %s", first, tabAdvice)
	}
}

// top decodes the top-level mapping.
func (d *decoder) top(root *yaml.Node, r *Rules) {
	if root == nil {
		return
	}
	d.fields(root, "", &topSection, map[string]handler{
		"defaults":  func(v *yaml.Node, p string) { d.defaults(v, p, &r.Defaults) },
		"receivers": func(v *yaml.Node, p string) { d.receivers(v, p, r) },
		"unrouted": func(v *yaml.Node, p string) {
			r.Unrouted = d.receiverRefs(v, p)
		},
		"routes": func(v *yaml.Node, p string) { d.routes(v, p, r) },
		"redact_patterns": func(v *yaml.Node, p string) {
			r.RedactPatterns = d.redactPatterns(v, p)
		},
		"sensitive_labels": func(v *yaml.Node, p string) {
			r.SensitiveLabels = d.labelNames(v, p)
		},
	})
}

// finish runs the checks that need the whole file.
func (d *decoder) finish(r *Rules) {
	d.finishRoutes(r)

	for _, it := range d.refs {
		if r.Receivers[it.val] == nil {
			d.unknownReceiver(it, r)
		}
	}
	d.checkFallbacks(r)

	if len(d.specs) == 0 && len(r.Unrouted) == 0 && len(d.errs) == 0 {
		d.add(1, 1, "routes", "no routes and no unrouted receivers: every event would reach nobody")
	}
}

// aliasBudget bounds the nodes aliasUses visits, since following aliases
// can revisit a shared value many times.
const aliasBudget = 100_000

// aliasUses maps the key path of every value written as an alias, such as
// receivers.b in `b: *c`, to the alias node. Paths are built as the
// decoder builds them, so the problems found under a path can be tied to
// the alias that put the anchored value there. An alias inside the value
// it names is not followed. It is nil when the file has no aliases.
func aliasUses(root *yaml.Node) map[string]*yaml.Node {
	var uses map[string]*yaml.Node
	budget := aliasBudget
	inside := map[*yaml.Node]bool{} // anchored values being walked

	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		budget--
		if n == nil || budget < 0 {
			return
		}

		switch n.Kind {
		case yaml.AliasNode:
			if uses == nil {
				uses = map[string]*yaml.Node{}
			}
			uses[path] = n
			if !inside[n.Alias] {
				inside[n.Alias] = true
				walk(n.Alias, path)
				delete(inside, n.Alias)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], join(path, resolve(n.Content[i]).Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, index(path, i))
			}
		}
	}
	walk(root, "")
	return uses
}

// noteAliases tells, for each problem found inside an anchored value
// reached through an alias, where the alias is: the problem's position
// is the anchor's, shared by every use.
func noteAliases(errs Errors, uses map[string]*yaml.Node) {
	if len(uses) == 0 {
		return
	}

	for _, e := range errs {
		var lines []string
		for i := 1; i <= len(e.Path); i++ {
			if i < len(e.Path) && e.Path[i] != '.' && e.Path[i] != '[' {
				continue
			}
			if a := uses[e.Path[:i]]; a != nil {
				lines = append(lines, strconv.Itoa(a.Line))
			}
		}

		switch len(lines) {
		case 0:
		case 1:
			e.Msg += " (via alias at line " + lines[0] + ")"
		default:
			e.Msg += " (via aliases at lines " + strings.Join(lines, ", then ") + ")"
		}
	}
}
