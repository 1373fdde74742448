package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/channels"
)

func TestParseLimits(t *testing.T) {
	got, err := parseLimits(nil, map[string]string{"slack": "2s/4", "pagerduty": "off"})
	require.NoError(t, err)
	require.Equal(t, map[string]channels.Limit{
		"slack":     {Every: 2 * time.Second, Burst: 4},
		"pagerduty": {},
	}, got)

	for _, bad := range []map[string]string{
		{"slak": "1s/1"}, {"slack": "1s"}, {"slack": "fast/1"}, {"slack": "1s/0"},
		{"slack": "-1s/2"},
	} {
		_, err := parseLimits(nil, bad)
		require.Error(t, err, "%v", bad)
		require.Contains(t, err.Error(), "--limit")
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:9095": true, "[::1]:9095": true, "localhost:9095": true,
		"0.0.0.0:9095": false, ":9095": false, "10.0.0.5:9095": false, "bad": false,
	} {
		require.Equal(t, want, loopback(addr), addr)
	}
}
