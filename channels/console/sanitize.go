package console

import (
	"strings"
	"unicode"
)

// clean makes alert text safe to print on a terminal, as one line:
// escape sequences (CSI, OSC, DCS and the like, in 7-bit and 8-bit form)
// are removed whole, so coloured text keeps its words; every other
// control character, Unicode line separator and bidi control becomes a
// space, and runs of spaces collapse.
func clean(s string) string {
	rs := []rune(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder

	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b:
			i = skipEscape(rs, i)
		case r == 0x9b:
			i = skipCSI(rs, i+1)
		case r == 0x90 || r == 0x9d || r == 0x98 || r == 0x9e || r == 0x9f:
			i = skipString(rs, i+1)
		case unsafeRune(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// skipEscape returns the index of the last rune of the 7-bit escape
// sequence starting at rs[i] == ESC.
func skipEscape(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '[':
		return skipCSI(rs, i+2)
	case ']', 'P', 'X', '^', '_':
		return skipString(rs, i+2)
	}
	if rs[i+1] >= 0x20 && rs[i+1] <= 0x7e {
		return i + 1
	}
	return i
}

// skipCSI skips parameter and intermediate bytes from rs[i] and returns
// the index of the final byte (0x40 to 0x7e), or of the last rune that
// still belonged to the sequence.
func skipCSI(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		r := rs[i]
		if r >= 0x40 && r <= 0x7e {
			return i
		}
		if r < 0x20 || r > 0x7e {
			return i - 1
		}
	}
	return len(rs) - 1
}

// skipString skips an OSC, DCS, SOS, PM or APC body from rs[i] up to its
// terminator (BEL, ESC \ or ST) and returns the terminator's index.
func skipString(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		switch {
		case rs[i] == 0x07 || rs[i] == 0x9c:
			return i
		case rs[i] == 0x1b && i+1 < len(rs) && rs[i+1] == '\\':
			return i + 1
		}
	}
	return len(rs) - 1
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
