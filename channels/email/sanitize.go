package email

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Header length caps, in runes. A Subject longer than this is cut with an
// ellipsis; the encoded line stays well under RFC 5322's 998 octets.
const (
	maxSubject  = 200
	maxHeaderID = 256
	maxLine     = 1024
)

// headerText makes alert text safe for a header: invalid UTF-8 replaced,
// every control character (CR and LF above all, which would start a new
// header) and every Unicode line or bidi control turned into a space,
// runs of spaces collapsed, and the result cut to max runes. go-mail then
// encodes non-ASCII text as an RFC 2047 encoded word. "=?" becomes "= ?",
// so that ASCII alert text cannot pose as an encoded word that a mail
// reader would decode into a CR LF or anything else.
func headerText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "=?", "= ?")
	s = strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, max)
}

// line is headerText for a one-line field in the body: the headline, a
// label, an id.
func line(s string) string { return headerText(s, maxLine) }

// bodyText keeps line breaks and tabs but drops other control characters,
// so a terminal escape sequence in an alert does nothing in a mail reader
// that shows raw text.
func bodyText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r == '\r' {
			return '\n'
		}
		if unsafeRune(r) {
			return -1
		}
		return r
	}, s)
}

// unsafeRune reports control characters, line and paragraph separators,
// and the bidi embedding, override and isolate controls.
func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == '\u2028', r == '\u2029':
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}
