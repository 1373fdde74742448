package pagerduty

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
)

func TestDedupKey(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		name string
		key  string
		same bool
	}{
		{"short kept as given", "ci/coverage:records-api", true},
		{"exactly 255 kept", strings.Repeat("b", 255), true},
		{"256 shortened", strings.Repeat("c", 256), false},
		{"multibyte counted as characters", strings.Repeat("é", 255), true},
		{"long multibyte shortened", strings.Repeat("é", 400), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DedupKey(tt.key)

			require.Equal(t, got, DedupKey(tt.key), "deterministic")
			if tt.same {
				require.Equal(t, tt.key, got)
				return
			}
			r := []rune(got)
			require.Len(t, r, 255)
			require.True(t, strings.HasPrefix(tt.key, string(r[:238])))
			require.Equal(t, byte('-'), got[len(got)-17])
		})
	}

	require.NotEqual(t, DedupKey(long+"x"), DedupKey(long+"y"),
		"keys that share a prefix stay apart")
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		in   alert.Severity
		want string
	}{
		{alert.SeverityCritical, "critical"},
		{alert.SeverityHigh, "error"},
		{alert.SeverityWarning, "warning"},
		{alert.SeverityInfo, "info"},
		{alert.SeverityUnknown, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			require.Equal(t, tt.want, severity(tt.in))
		})
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"fits", "abc", 3, "abc"},
		{"cut", strings.Repeat("x", 20), 15, "xxx" + Truncated},
		{"characters not bytes", strings.Repeat("ü", 20), 15, "üüü" + Truncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, cut(tt.in, tt.limit))
		})
	}
}
