package console

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "Coverage below 80%", want: "Coverage below 80%"},
		{name: "colour", in: "\x1b[1;31mred\x1b[0m text", want: "red text"},
		{name: "clear screen and home", in: "\x1b[2J\x1b[Hx", want: "x"},
		{name: "window title OSC with BEL", in: "a\x1b]0;pwned\x07b", want: "ab"},
		{name: "hyperlink OSC with ST", in: "a\x1b]8;;http://x\x1b\\b", want: "ab"},
		{name: "DCS", in: "a\x1bPq#0\x1b\\b", want: "ab"},
		{name: "two-byte escape", in: "a\x1bcb", want: "ab"},
		{name: "8-bit CSI", in: "a\u009b31mb", want: "ab"},
		{name: "8-bit OSC", in: "a\u009d0;t\u009cb", want: "ab"},
		{name: "unterminated OSC", in: "a\x1b]0;rest", want: "a"},
		{name: "trailing ESC", in: "a\x1b", want: "a"},
		{name: "CR LF tab", in: "a\r\nb\tc", want: "a b c"},
		{name: "backspace and bell", in: "a\bb\x07c", want: "a b c"},
		{name: "bidi override", in: "a\u202Eb", want: "a b"},
		{name: "invalid UTF-8", in: "a\xffb", want: "a\uFFFDb"},
		{name: "non-ASCII kept", in: "Pressão – crítica", want: "Pressão – crítica"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, clean(tt.in))
		})
	}
}
