package rules

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
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

// String writes the matcher back in Alertmanager syntax, quoted the way
// parseLabelMatcher reads it, so that the text parses to the same matcher.
// A regex found to be a plain literal is written with its metacharacters
// escaped again.
func (m *labelMatcher) String() string {
	v := m.value
	if m.re == nil && (m.op == opRegex || m.op == opNotRegex) {
		v = regexp.QuoteMeta(v)
	}
	return m.name + opNames[m.op] + quoteValue(v)
}

// quoteValue double-quotes v using only the escapes quotedValue reads.
func quoteValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}

// parseLabelMatcher reads name op "value" in Alertmanager's syntax. The
// value may be double-quoted (with \" \\ and \n escapes) or bare. Regular
// expressions are anchored at both ends. Errors quote the matcher and say
// which part of it is wrong.
func parseLabelMatcher(s string) (labelMatcher, error) {
	if strings.TrimSpace(s) == "" {
		return labelMatcher{}, errors.New(`matcher is empty (want e.g. env="prod")`)
	}

	m, err := readMatcher(strings.TrimSpace(s))
	if err != nil {
		return m, fmt.Errorf("matcher `%s`: %w", s, err)
	}
	return m, nil
}

// readMatcher parses a trimmed, non-empty matcher: the name is what comes
// before the first of = ! ~, the operator the run of those characters.
func readMatcher(s string) (labelMatcher, error) {
	var m labelMatcher
	i := strings.IndexAny(s, "=!~")
	if i < 0 {
		return m, noOperator(s)
	}
	after := strings.TrimLeft(s[i:], "=!~")
	opText := s[i : len(s)-len(after)]
	name, rest := strings.TrimSpace(s[:i]), strings.TrimSpace(after)

	switch {
	case name == "" && rest == "":
		return m, errors.New(`only an operator; want label name, operator and value, ` +
			`e.g. env="prod"`)
	case name == "":
		return m, fmt.Errorf("label name is missing before %q", opText)
	}
	if err := checkLabelName(name); err != nil {
		return m, err
	}
	op, ok := lookupOp(opText)
	if !ok {
		return m, fmt.Errorf("unknown operator %q (want =, !=, =~ or !~)", opText)
	}
	m.name, m.op = name, op

	v, err := matcherValue(opText, rest)
	if err != nil {
		return m, err
	}
	m.value = v

	if m.op == opRegex || m.op == opNotRegex {
		return m, m.compile()
	}
	return m, nil
}

// labelNameRule is what a label name may contain, for messages.
const labelNameRule = "(letters, digits and _, not starting with a digit)"

// checkLabelName explains why name is not a label name, or is nil.
func checkLabelName(name string) error {
	if labelNameLen(name) == len(name) {
		return nil
	}

	unquoted := strings.Trim(name, `"`)
	if len(name) >= 2 && name[0] == '"' && unquoted != "" &&
		labelNameLen(unquoted) == len(unquoted) {
		return fmt.Errorf("label name %s must not be quoted: write %s", name, unquoted)
	}
	return fmt.Errorf("label name %q is invalid %s", unquoted, labelNameRule)
}

// noOperator explains a matcher without any operator character.
func noOperator(s string) error {
	n := labelNameLen(s)
	if n > 0 && (n == len(s) || strings.ContainsRune(" \t\"", rune(s[n]))) {
		return fmt.Errorf("needs an operator (=, !=, =~ or !~) and a value after label name %q",
			s[:n])
	}
	return errors.New(`needs label name, operator (=, !=, =~ or !~) and value, e.g. env="prod"`)
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

	// Anchor the parsed form, not the text: an unterminated \Q would
	// quote the anchoring's own ")$".
	tree, err := syntax.Parse(m.value, syntax.Perl)
	if err != nil {
		return fmt.Errorf("invalid regular expression: %w", err)
	}
	m.re, err = regexp.Compile("^(?:" + tree.String() + ")$")
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

// lookupOp finds the operator written as text.
func lookupOp(text string) (labelOp, bool) {
	for op, name := range opNames {
		if name == text {
			return labelOp(op), true
		}
	}
	return 0, false
}

// matcherValue reads the quoted or bare value that ends a matcher; op is
// the operator before it, for messages.
func matcherValue(op, s string) (string, error) {
	switch {
	case s == "":
		return "", fmt.Errorf(`value is missing after %q (write "" for the empty string)`, op)
	case s[0] == '"':
		return quotedValue(s)
	case strings.Contains(s, `"`):
		return "", fmt.Errorf("unquoted value `%s` contains a quote; put the whole value in "+
			`double quotes, writing \" for a quote inside`, s)
	case strings.ContainsAny(s, " \t"):
		return "", fmt.Errorf("unquoted value `%s` contains white space; put it in double quotes",
			s)
	}
	return s, nil
}

// quotedValue reads a double-quoted value, which must end the matcher.
func quotedValue(s string) (string, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return b.String(), trailing(strings.TrimSpace(s[i+1:]))
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteString(unescape(s[i]))
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("value has no closing quote: `%s`", s)
}

// trailing explains text after a quoted value, or is nil when there is
// none.
func trailing(rest string) error {
	switch {
	case rest == "":
		return nil
	case strings.HasPrefix(rest, ","):
		return fmt.Errorf("unexpected `%s` after the value; write one matcher per list item",
			rest)
	}
	return fmt.Errorf("unexpected `%s` after the value's closing quote", rest)
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
