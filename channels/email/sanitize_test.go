package email

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestHeaderText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{name: "plain", in: "Database down", max: 50, want: "Database down"},
		{name: "CRLF becomes space", in: "a\r\nBcc: b", max: 50, want: "a Bcc: b"},
		{name: "tabs and runs collapse", in: " a\t\t b  ", max: 50, want: "a b"},
		{name: "ANSI escape defused", in: "a\x1b[31mred", max: 50, want: "a [31mred"},
		{name: "C1 and DEL", in: "a\u0085b\x7fc", max: 50, want: "a b c"},
		{name: "line separator", in: "a\u2028b", max: 50, want: "a b"},
		{name: "bidi override", in: "a\u202Eb", max: 50, want: "a b"},
		{name: "invalid UTF-8", in: "a\xffb", max: 50, want: "a\uFFFDb"},
		{name: "non-ASCII kept", in: "Pressão – crítica", max: 50, want: "Pressão – crítica"},
		{name: "truncated", in: "abcdefghij", max: 5, want: "abcd…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, headerText(tt.in, tt.max))
		})
	}
}

func TestSubjectIsCapped(t *testing.T) {
	got := headerText(strings.Repeat("é", 1000), maxSubject)

	require.Equal(t, maxSubject, utf8.RuneCountInString(got))
}

func TestBodyText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "keeps newlines and tabs", in: "a\n\tb", want: "a\n\tb"},
		{name: "CRLF and CR become LF", in: "a\r\nb\rc", want: "a\nb\nc"},
		{name: "drops escapes", in: "a\x1b[2Jb\x00", want: "a[2Jb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, bodyText(tt.in))
		})
	}
}
