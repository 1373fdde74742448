package slack

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestFit(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		limit int
		want  string
	}{
		{"short is escaped", "a<b>&c", 100, "a&lt;b&gt;&amp;c"},
		{"exactly at limit", "abcde", 5, "abcde"},
		{"cut with marker", strings.Repeat("x", 30), 20, strings.Repeat("x", 8) + Truncated},
		{"never splits an entity", strings.Repeat("<", 10), 20, "&lt;&lt;" + Truncated},
		{"counts characters not bytes", strings.Repeat("é", 30), 20,
			strings.Repeat("é", 8) + Truncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fit(tt.raw, tt.limit)

			require.Equal(t, tt.want, got)
			require.LessOrEqual(t, utf8.RuneCountInString(got), tt.limit)
		})
	}
}

func TestLink(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"https", "https://r.example/x?a=1&b=2", "<https://r.example/x?a=1&amp;b=2|Runbook>"},
		{"http", "http://r.example", "<http://r.example|Runbook>"},
		{"pipe would relabel", "https://evil|click", ""},
		{"angle bracket would close", "https://x>y", ""},
		{"javascript scheme", "javascript:alert(1)", ""},
		{"mailto scheme", "mailto:a@b.c", ""},
		{"no host", "https:///path", ""},
		{"empty", "", ""},
		{"too long", "https://x.example/" + strings.Repeat("a", maxURL), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, link(tt.url, "Runbook"))
		})
	}
}
