package redact

import (
	"regexp"
	"strings"
)

// span is one match to mask: s[start:end] is replaced by MaskOf(kind).
type span struct {
	start, end int
	kind       string
}

// minDigits is the fewest digits any all-digit kind has (a phone
// number); text with fewer skips those detectors. An alphanumeric CNPJ
// may have only its two check digits, so it is looked for regardless.
const minDigits = 8

// emailRe finds e-mail addresses: a local part, @, and a domain whose
// last label is letters only.
var emailRe = regexp.MustCompile(
	`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}`)

// find returns the matches to mask in s, without overlaps, in no
// particular order.
func (r *Redactor) find(s string) []span {
	t := taken{s: s}
	for _, p := range r.patterns {
		for _, m := range p.Re.FindAllStringIndex(s, -1) {
			if m[1] > m[0] {
				t.add(span{m[0], m[1], p.Name})
			}
		}
	}

	if strings.IndexByte(s, '@') >= 0 {
		findEmails(s, &t)
	}

	numbers := countDigits(s) >= minDigits
	if numbers {
		findCPF(s, &t)
	}
	findCNPJ(s, &t, numbers)
	if numbers {
		findCards(s, &t)
		findPhones(s, &t)
	}
	return t.spans
}

// taken holds the spans accepted so far and which bytes they cover.
type taken struct {
	s     string
	used  []bool
	spans []span
}

// add accepts sp unless it overlaps an accepted span, and reports
// whether it did.
func (t *taken) add(sp span) bool {
	if t.used == nil {
		t.used = make([]bool, len(t.s))
	}
	for i := sp.start; i < sp.end; i++ {
		if t.used[i] {
			return false
		}
	}

	for i := sp.start; i < sp.end; i++ {
		t.used[i] = true
	}
	t.spans = append(t.spans, sp)
	return true
}

// scan calls accept for each match of re in s, left to right, that
// starts where canStart allows. After a rejected match it searches again
// from the next byte where a match may start, rather than from the
// match's end, so that a rejected candidate cannot hide a good one that
// starts inside it. Candidates are short and skipped bytes are never
// looked at again, so the work stays linear in len(s).
func scan(re *regexp.Regexp, s string, canStart func(i int) bool,
	accept func(start, end int) bool) {
	skip := func(i int) int {
		for i < len(s) && !canStart(i) {
			i++
		}
		return i
	}

	for pos := skip(0); pos < len(s); {
		m := re.FindStringIndex(s[pos:])
		if m == nil {
			return
		}

		start, end := pos+m[0], pos+m[1]
		if end > start && canStart(start) && accept(start, end) {
			pos = skip(end)
		} else {
			pos = skip(start + 1)
		}
	}
}

// numberStart reports whether a number may start at s[i]: a digit at a
// left edge.
func numberStart(s string) func(i int) bool {
	return func(i int) bool { return isDigit(s[i]) && leftEdge(s, i) }
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWord reports whether c joins a token: an ASCII letter, digit or _.
func isWord(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// isJoiner reports whether c between two digits makes them one number,
// as in 1.5, 1,000, 2024-01 or 12/34.
func isJoiner(c byte) bool { return c == '.' || c == ',' || c == '-' || c == '/' }

// leftEdge reports whether a number may start at s[i]: the byte before it
// is not part of a token, and not a joiner that follows a digit.
func leftEdge(s string, i int) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	if isWord(c) {
		return false
	}
	return !(isJoiner(c) && i >= 2 && isDigit(s[i-2]))
}

// rightEdge reports whether a number may end just before s[j].
func rightEdge(s string, j int) bool {
	if j == len(s) {
		return true
	}
	c := s[j]
	if isWord(c) {
		return false
	}
	return !(isJoiner(c) && j+1 < len(s) && isDigit(s[j+1]))
}

// findEmails masks e-mail addresses. A match followed by more of a
// token, as a@b.com2, is not an address; the search then goes on after
// its @, not after its end, so that b.com2@c.org is still found, and not
// from the next byte, which would scan a long local part again.
func findEmails(s string, t *taken) {
	for pos := 0; pos < len(s); {
		m := emailRe.FindStringIndex(s[pos:])
		if m == nil {
			return
		}

		start, end := pos+m[0], pos+m[1]
		whole := end == len(s) || !isWord(s[end]) && s[end] != '-'
		if whole && t.add(span{start, end, KindEmail}) {
			pos = end
			continue
		}
		pos = start + strings.IndexByte(s[start:end], '@') + 1
	}
}

// countDigits counts ASCII digits, stopping once there are enough for
// any number kind.
func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s) && n < minDigits; i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// digitsOf returns the ASCII digits of s, in order.
func digitsOf(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			out = append(out, s[i]-'0')
		}
	}
	return out
}
