package rules

import (
	"strings"
	"unicode/utf8"
)

// glob is a compiled shell-style pattern for source and name. '*' matches
// any run of characters, '/' included, so "ci/*" matches
// "ci/quality-gates" and "ci/security/scan"; '?' matches one character.
// Every other character, '[' and '\' included, stands for itself.
type glob struct {
	pattern string
	// parts is the pattern split at '*', when it has no '?': matching is
	// then a prefix, a suffix and ordered substrings in between.
	parts []string
}

// compileGlob prepares pattern for fast matching.
func compileGlob(pattern string) *glob {
	g := &glob{pattern: pattern}
	if !strings.Contains(pattern, "?") {
		g.parts = strings.Split(pattern, "*")
	}
	return g
}

// match reports whether s matches the whole pattern.
func (g *glob) match(s string) bool {
	if g.parts == nil {
		return wildMatch(g.pattern, s)
	}

	parts := g.parts
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]

	last := len(parts) - 1
	for _, p := range parts[1:last] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[last])
}

// wildMatch matches s against a pattern with '*' and '?', backtracking
// only to the latest '*', which keeps it linear in practice.
func wildMatch(p, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; {
			case c == '*':
				starP, starS = px, sx
				px++
				continue
			case c == '?' && sx < len(s):
				_, n := utf8.DecodeRuneInString(s[sx:])
				px, sx = px+1, sx+n
				continue
			case c != '?' && sx < len(s) && s[sx] == c:
				px, sx = px+1, sx+1
				continue
			}
		}

		if starP < 0 || starS >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		px, sx = starP+1, starS
	}
	return true
}
