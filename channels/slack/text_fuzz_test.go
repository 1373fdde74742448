package slack

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// entity matches the only things an escaped text may hold after a "&".
var entity = regexp.MustCompile(`^&(amp|lt|gt);`)

// ownLink is the only shape of link the adapter writes.
var ownLink = regexp.MustCompile(`^<https?://[^<>| \t\r\n]+\|Runbook>$`)

// FuzzFit checks that no alert text survives fit able to mention, link or
// break Slack's limits: no < or >, every & an entity, no control or bidi
// characters but newline and tab, and at most limit characters.
func FuzzFit(f *testing.F) {
	for _, s := range []string{
		"<!channel> @here <@U123> <#C999> <https://evil.example|click> & <script>",
		"a\r\nBcc: x", "\x00\u202e\u2066olá", "&amp;&lt;", "\xff\xfe<", strings.Repeat("&", 50),
		"https://runbooks.example/a?b=1&c=2", "javascript:alert(1)", "http://x|y>",
	} {
		f.Add(s, 40)
	}

	f.Fuzz(func(t *testing.T, raw string, limit int) {
		limit = 20 + abs(limit)%2000
		got := fit(raw, limit)

		require.LessOrEqual(t, utf8.RuneCountInString(got), limit)
		require.NotContains(t, got, "<")
		require.NotContains(t, got, ">")
		for i := strings.IndexByte(got, '&'); i >= 0; i = next(got, i) {
			require.Regexp(t, entity, got[i:], "bare & in %q", got)
		}
		for _, r := range got {
			ok := r == '\n' || r == '\t' || !unicode.IsControl(r) &&
				!(r >= '\u202A' && r <= '\u202E') && !(r >= '\u2066' && r <= '\u2069')
			require.True(t, ok, "rune %U in %q", r, got)
		}
		if utf8.RuneCountInString(escape(raw)) <= limit {
			require.Equal(t, escape(raw), got)
		}

		if l := link(raw, "Runbook"); l != "" {
			require.Regexp(t, ownLink, l)
		}
	})
}

func next(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '&')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}
