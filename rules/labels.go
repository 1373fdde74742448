package rules

import (
	"fmt"
	"regexp"
	"strings"
)

// labelOp is an Alertmanager matcher operator.
type labelOp uint8

const (
	opEqual labelOp = iota
	opNotEqual
	opRegex
	opNotRegex
)

var opNames = [...]string{"=", "!=", "=~", "!~"}

// labelMatcher tests one label, as in env="prod" or service=~"records-.*".
// A missing label reads as the empty string.
type labelMatcher struct {
	name  string
	op    labelOp
	value string
	// re is the anchored regular expression, nil when it is a plain
	// literal (then value is compared directly).
	re *regexp.Regexp
	// prefix begins every string re matches: a cheap early reject.
	prefix string
}

// matches reports whether the label value v satisfies the matcher.
func (m *labelMatcher) matches(v string) bool {
	switch m.op {
	case opEqual:
		return v == m.value
	case opNotEqual:
		return v != m.value
	}
	return m.matchRegex(v) == (m.op == opRegex)
}

func (m *labelMatcher) matchRegex(v string) bool {
	if m.re == nil {
		return v == m.value
	}
	if !strings.HasPrefix(v, m.prefix) {
		return false
	}
	return m.re.MatchString(v)
}

// String writes the matcher back in Alertmanager syntax.
func (m *labelMatcher) String() string {
	return fmt.Sprintf("%s%s%q", m.name, opNames[m.op], m.value)
}

// parseLabelMatcher reads name op "value" in Alertmanager's syntax. The
// value may be double-quoted (with \" \\ and \n escapes) or bare. Regular
// expressions are anchored at both ends.
func parseLabelMatcher(s string) (labelMatcher, error) {
	var m labelMatcher
	rest := strings.TrimSpace(s)

	n := labelNameLen(rest)
	if n == 0 {
		return m, fmt.Errorf("matcher `%s` must start with a label name", s)
	}
	m.name, rest = rest[:n], strings.TrimLeft(rest[n:], " \t")

	op, ok := cutOp(rest)
	if !ok {
		return m, fmt.Errorf("matcher `%s` needs an operator: =, !=, =~ or !~", s)
	}
	m.op, rest = op, strings.TrimSpace(rest[len(opNames[op]):])

	v, err := matcherValue(rest)
	if err != nil {
		return m, fmt.Errorf("matcher `%s`: %w", s, err)
	}
	m.value = v

	if m.op == opRegex || m.op == opNotRegex {
		if err := m.compile(); err != nil {
			return m, fmt.Errorf("matcher `%s`: %w", s, err)
		}
	}
	return m, nil
}

// compile prepares the regular expression, or notes that it is literal.
func (m *labelMatcher) compile() error {
	inner, err := regexp.Compile(m.value)
	if err != nil {
		return fmt.Errorf("invalid regular expression: %w", err)
	}

	prefix, complete := inner.LiteralPrefix()
	if complete {
		m.value = prefix
		return nil
	}
	m.prefix = prefix
	m.re, err = regexp.Compile("^(?:" + m.value + ")$")
	return err
}

// labelNameLen is the length of the label name at the start of s:
// [a-zA-Z_][a-zA-Z0-9_]*.
func labelNameLen(s string) int {
	for i, c := range []byte(s) {
		isAlpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !isAlpha && (i == 0 || c < '0' || c > '9') {
			return i
		}
	}
	return len(s)
}

// cutOp finds the operator at the start of s; longer ones first.
func cutOp(s string) (labelOp, bool) {
	for _, op := range []labelOp{opRegex, opNotRegex, opNotEqual, opEqual} {
		if strings.HasPrefix(s, opNames[op]) {
			return op, true
		}
	}
	return 0, false
}

// matcherValue reads a quoted or bare value that must end the matcher.
func matcherValue(s string) (string, error) {
	if !strings.HasPrefix(s, `"`) {
		if strings.ContainsAny(s, `"`) {
			return "", fmt.Errorf("unbalanced quote in value")
		}
		return s, nil
	}

	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			if strings.TrimSpace(s[i+1:]) != "" {
				return "", fmt.Errorf("unexpected text after the closing quote")
			}
			return b.String(), nil
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteString(unescape(s[i]))
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("missing closing quote")
}

// unescape turns the character after a backslash into text. Escapes other
// than \" \\ and \n are kept as written, so regexes like a\.b work.
func unescape(c byte) string {
	switch c {
	case '"', '\\':
		return string(c)
	case 'n':
		return "\n"
	}
	return `\` + string(c)
}
