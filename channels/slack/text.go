package slack

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Truncated marks text cut to fit one of Slack's limits.
const Truncated = "…(truncated)"

// Slack's limits, in characters.
const (
	maxText    = 40000
	maxSection = 3000
	maxURL     = 500
)

// escapeRune returns r as Slack's mrkdwn must carry it: &, < and > as
// entities, so that no text can form a mention (<!channel>, <@U…>), a
// channel reference (<#C…>) or a link (<url|label>). Control characters
// other than newline and tab, and the bidi controls that could make text
// read backwards (U+202E), are dropped.
func escapeRune(r rune) string {
	switch {
	case r == '&':
		return "&amp;"
	case r == '<':
		return "&lt;"
	case r == '>':
		return "&gt;"
	case r == '\n', r == '\t':
		return string(r)
	case unicode.IsControl(r), r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return ""
	}
	return string(r)
}

// escape escapes every character of s with escapeRune.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(escapeRune(r))
	}
	return b.String()
}

// fit escapes raw and cuts it so that the result, marker included, is at
// most limit characters. It never cuts an entity in half.
func fit(raw string, limit int) string {
	esc := escape(raw)
	if utf8.RuneCountInString(esc) <= limit {
		return esc
	}

	budget := limit - utf8.RuneCountInString(Truncated)
	var b strings.Builder
	n := 0
	for _, r := range raw {
		e := escapeRune(r)
		l := utf8.RuneCountInString(e)
		if n+l > budget {
			break
		}
		b.WriteString(e)
		n += l
	}
	b.WriteString(Truncated)
	return b.String()
}

// link returns a Slack link to an alert-supplied URL, or "" when the URL
// is not a plain http(s) URL that can be linked safely. Only the runbook
// and dashboard annotations are linked, and only by this function.
func link(raw, label string) string {
	if len(raw) > maxURL || strings.ContainsAny(raw, "<>| \t\r\n") {
		return ""
	}

	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	// url.Parse lowers the scheme; write it so, whatever case was sent.
	raw = u.Scheme + raw[len(u.Scheme):]
	return "<" + strings.ReplaceAll(raw, "&", "&amp;") + "|" + label + ">"
}
