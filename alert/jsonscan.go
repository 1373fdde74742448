package alert

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is how deeply objects and arrays may nest, the top-level value
// counting as one: encoding/json's limit, so that both accept the same.
const maxDepth = 10000

// scanner reads JSON text front to back and checks it as it goes, with
// the grammar of encoding/json plus one rule more: strings must be valid
// UTF-8. It allocates nothing.
//
// The first error sets bad and moves to the end of the input, so that
// every later step fails too and every loop stops; callers check bad
// once they are done, not after each step.
type scanner struct {
	b     []byte
	i     int
	depth int
	bad   bool
}

// fail marks the input as not valid JSON.
func (s *scanner) fail() {
	s.bad = true
	s.i = len(s.b)
}

// peek returns the next byte, or 0 at the end of the input.
func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// space steps over white space: JSON's four kinds, no others.
func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// expect steps over c, which must come next.
func (s *scanner) expect(c byte) {
	if s.peek() != c {
		s.fail()
		return
	}
	s.i++
}

// open steps over the '{' or '[' that begins an object or an array.
func (s *scanner) open(c byte) {
	s.expect(c)
	s.depth++
	if s.depth > maxDepth {
		s.fail()
	}
}

// more reports whether the object or array being read has another
// element, n of them having been read; it steps over the comma before
// the element, or over the closing byte when there is none. The loop
//
//	for n := 0; s.more('}', n); n++ { ... }
//
// reads each member of an object.
func (s *scanner) more(closing byte, n int) bool {
	s.space()
	switch c := s.peek(); {
	case c == closing:
		s.i++
		s.depth--
		return false
	case n == 0:
		return !s.bad
	case c == ',':
		s.i++
		s.space()
		return true
	}
	s.fail()
	return false
}

// key reads an object's key and the colon after it. It returns the key as
// it is encoded, quotes included, and false when the input is not valid.
func (s *scanner) key() ([]byte, bool) {
	start := s.i
	s.str()
	end := s.i
	s.space()
	s.expect(':')
	s.space()
	if s.bad {
		return nil, false
	}
	return s.b[start:end], true
}

// str steps over a string and returns what is between its quotes, still
// encoded; escaped says whether that holds a backslash escape.
func (s *scanner) str() (raw []byte, escaped bool) {
	s.expect('"')
	start := s.i
	for {
		for s.i < len(s.b) && plain[s.b[s.i]] {
			s.i++
		}
		if s.i >= len(s.b) {
			s.fail()
			return nil, false
		}

		switch c := s.b[s.i]; {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped
		case c == '\\':
			escaped = true
			s.escape()
		case c < ' ':
			s.fail()
			return nil, false
		default:
			r, n := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && n == 1 {
				s.fail()
				return nil, false
			}
			s.i += n
		}
	}
}

// plain holds the bytes a string may hold as they are, with nothing more
// to check: printable ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escape steps over one backslash escape inside a string.
func (s *scanner) escape() {
	if s.i+1 >= len(s.b) {
		s.fail()
		return
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
	case 'u':
		if s.i+6 > len(s.b) || hex4(s.b[s.i+2:s.i+6]) < 0 {
			s.fail()
			return
		}
		s.i += 6
	default:
		s.fail()
	}
}

// skip steps over one value of any kind, checking all of it.
func (s *scanner) skip() {
	switch c := s.peek(); {
	case c == '"':
		s.str()
	case c == '{':
		s.open('{')
		for n := 0; s.more('}', n); n++ {
			s.key()
			s.skip()
		}
	case c == '[':
		s.open('[')
		for n := 0; s.more(']', n); n++ {
			s.skip()
		}
	case c == 't':
		s.word("true")
	case c == 'f':
		s.word("false")
	case c == 'n':
		s.word("null")
	case c == '-' || isDigit(c):
		s.number()
	default:
		s.fail()
	}
}

// word steps over the literal w: true, false or null.
func (s *scanner) word(w string) {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		s.fail()
		return
	}
	s.i += len(w)
}

// number steps over a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() {
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case isDigit(c):
		s.digits()
	default:
		s.fail()
		return
	}

	if s.peek() == '.' {
		s.i++
		s.digits()
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		s.digits()
	}
}

// digits steps over one or more decimal digits.
func (s *scanner) digits() {
	if !isDigit(s.peek()) {
		s.fail()
		return
	}
	for isDigit(s.peek()) {
		s.i++
	}
}

func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}

// hex4 is the value of four hex digits, or -1 if h is not four of them.
func hex4(h []byte) rune {
	if len(h) < 4 {
		return -1
	}
	var r rune
	for _, c := range h[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// text is the string whose contents, between the quotes, are raw, as the
// scanner returned them.
func text(raw []byte, escaped bool) string {
	if !escaped {
		return string(raw)
	}
	return unescape(raw)
}

// unescape decodes the contents of a string the scanner accepted, the way
// encoding/json does: a \u escape of half a surrogate pair that is not
// followed by the other half becomes U+FFFD.
func unescape(raw []byte) string {
	var b strings.Builder
	b.Grow(len(raw)) // no escape decodes to more bytes than it takes
	for {
		i := bytes.IndexByte(raw, '\\')
		if i < 0 {
			b.Write(raw)
			return b.String()
		}
		b.Write(raw[:i])
		raw = raw[i:]

		if raw[1] != 'u' {
			b.WriteByte(unescaped(raw[1]))
			raw = raw[2:]
			continue
		}
		r := hex4(raw[2:])
		raw = raw[6:]
		if utf16.IsSurrogate(r) {
			r = utf16.DecodeRune(r, lowSurrogate(raw))
			if r != utf8.RuneError {
				raw = raw[6:]
			}
		}
		b.WriteRune(r)
	}
}

// lowSurrogate is the value of the \u escape raw starts with, or -1.
func lowSurrogate(raw []byte) rune {
	if len(raw) < 6 || raw[0] != '\\' || raw[1] != 'u' {
		return -1
	}
	return hex4(raw[2:])
}

// unescaped is the byte a one-letter escape such as \n stands for.
func unescaped(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // '"', '\\' and '/' stand for themselves
}

// keyString decodes an encoded key, quotes included.
func keyString(key []byte) string {
	inner := key[1 : len(key)-1]
	return text(inner, bytes.IndexByte(inner, '\\') >= 0)
}
