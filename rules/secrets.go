package rules

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// GoString masks the value for %#v as well.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// secret reads a credential. The value may be literal text, may embed
// ${VAR} references (expanded from the environment), or may be
// file:/path as a whole (the file's content, trailing newlines trimmed).
// With Options.SkipSecrets the references are checked but not expanded,
// and the result is empty. Messages never quote the value.
func (d *decoder) secret(n *yaml.Node, path string) (Secret, bool) {
	raw, ok := d.str(n, path)
	if !ok {
		return "", false
	}

	if file, isFile := strings.CutPrefix(raw, "file:"); isFile {
		return d.secretFile(n, path, file)
	}
	v, ok := d.expand(n, path, raw)
	return Secret(v), ok
}

// requiredSecret reads a credential a channel cannot work without. Empty
// or blank text is refused as written, with SkipSecrets too; once
// expanded, a value that is still blank is refused, naming the variables
// or the file it came from. A refused value gives "".
func (d *decoder) requiredSecret(n *yaml.Node, path string) Secret {
	if !d.notBlank(n, path) {
		return ""
	}
	s, ok := d.secret(n, path)
	if !ok || d.opts.SkipSecrets || strings.TrimSpace(s.Value()) != "" {
		return s
	}

	// Only references can expand to blank: the literal text is not blank.
	if file, isFile := strings.CutPrefix(n.Value, "file:"); isFile {
		d.at(n, path, "secret file %s is blank (only white space)", file)
		return ""
	}
	names := references(n.Value)
	if len(names) == 1 {
		d.at(n, path, "environment variable %s is blank (only white space)", names[0])
		return ""
	}
	d.at(n, path, "environment variables %s expand to blank text", strings.Join(names, ", "))
	return ""
}

// references lists the variable names of the ${VAR} references in raw,
// which expand has checked.
func references(raw string) []string {
	var names []string
	for {
		_, after, ok := strings.Cut(raw, "${")
		if !ok {
			return names
		}
		name, rest, _ := strings.Cut(after, "}")
		names = append(names, name)
		raw = rest
	}
}

// secretFile reads a file: secret.
func (d *decoder) secretFile(n *yaml.Node, path, file string) (Secret, bool) {
	if strings.TrimSpace(file) == "" {
		d.at(n, path, "file: needs a path, as in file:/run/secrets/name")
		return "", false
	}
	if d.opts.SkipSecrets {
		return "", true
	}

	b, err := d.opts.readFile(file)
	if err != nil {
		d.at(n, path, "read secret file: %v", err)
		return "", false
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		d.at(n, path, "secret file %s is empty", file)
		return "", false
	}
	return Secret(v), true
}

// expand replaces each ${VAR} in raw with the variable's value.
func (d *decoder) expand(n *yaml.Node, path, raw string) (string, bool) {
	var b strings.Builder
	rest, refs, ok := raw, 0, true
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		rest = rest[i+2:]

		j := strings.IndexByte(rest, '}')
		if j < 0 {
			d.at(n, path, "unterminated ${ in value")
			return "", false
		}
		name := rest[:j]
		rest = rest[j+1:]
		refs++

		val, good := d.lookup(n, path, name)
		ok = ok && good
		b.WriteString(val)
	}

	if !ok || refs > 0 && d.opts.SkipSecrets {
		return "", ok
	}
	return b.String(), true
}

// lookup reads one environment variable named in a secret.
func (d *decoder) lookup(n *yaml.Node, path, name string) (string, bool) {
	if !validEnvName(name) {
		d.at(n, path, "invalid environment variable name %q in ${...}", name)
		return "", false
	}
	if d.opts.SkipSecrets {
		return "", true
	}

	val, set := d.opts.lookupEnv(name)
	switch {
	case !set:
		d.at(n, path, "environment variable %s is not set", name)
		return "", false
	case val == "":
		d.at(n, path, "environment variable %s is empty", name)
		return "", false
	}
	return val, true
}

// validEnvName reports whether s is a portable environment variable name.
func validEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range []byte(s) {
		isAlnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !isAlnum && c != '_' {
			return false
		}
	}
	return true
}
