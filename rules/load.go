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
		return nil, false
	}

	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			d.syntax(err)
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
	d.add(1, 1, "", "invalid YAML: "+err.Error())
}

// top decodes the top-level mapping.
func (d *decoder) top(root *yaml.Node, r *Rules) {
	if root == nil {
		return
	}
	d.fields(root, "", map[string]handler{
		"defaults":  func(v *yaml.Node, p string) { d.defaults(v, p, &r.Defaults) },
		"receivers": func(v *yaml.Node, p string) { d.receivers(v, p, r) },
		"unrouted": func(v *yaml.Node, p string) {
			r.Unrouted = d.receiverRefs(v, p)
		},
		"routes": func(v *yaml.Node, p string) { d.routes(v, p, r) },
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
