package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"
)

func TestBench(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, out string)
	}{
		{name: "json report",
			args: []string{"--events", "200", "--keys", "20", "--routes", "12", "-o", "json"},
			check: func(t *testing.T, out string) {
				var rep struct {
					Events        int     `json:"events"`
					Notifications int     `json:"notifications"`
					State         string  `json:"state"`
					Ratio         float64 `json:"ratio"`
					Latency       struct {
						Samples int     `json:"samples"`
						P50     float64 `json:"p50"`
						P99     float64 `json:"p99"`
					} `json:"latency_ms"`
				}
				require.NoError(t, json.Unmarshal([]byte(out), &rep))

				require.Equal(t, 200, rep.Events)
				require.Equal(t, 20, rep.Notifications)
				require.Equal(t, "memory", rep.State)
				require.Positive(t, rep.Ratio)
				require.Equal(t, 20, rep.Latency.Samples)
				require.GreaterOrEqual(t, rep.Latency.P99, rep.Latency.P50)
			}},
		{name: "--json is -o json",
			args: []string{"--events", "20", "--keys", "2", "--routes", "3", "--json"},
			check: func(t *testing.T, out string) {
				require.True(t, json.Valid([]byte(out)), out)
			}},
		{name: "table with kv state",
			args: []string{"--events", "60", "--keys", "6", "--routes", "3", "--state", "kv"},
			check: func(t *testing.T, out string) {
				require.Contains(t, out, "60 events, 6 keys, 3 routes")
				require.Contains(t, out, "state kv")
				require.Contains(t, out, "6 (expected 6)")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"bench"}, tt.args...)...)

			require.Equal(t, 0, code, errOut)
			tt.check(t, out)
		})
	}
}

// TestBenchRejectsBadFlags checks that every bad workload is refused
// naming the flag (--events -5), never in the bench package's words
// (events -5), and that only the flags at fault are named.
func TestBenchRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
		not  []string
	}{
		{name: "unknown state, negative routes", args: []string{"--state", "disk", "--routes", "-1"},
			want: []string{`--state "disk": want memory or kv`, "--routes -1: want at least 1"}},
		{name: "zeros are not defaults",
			args: []string{"--events", "0", "--workers", "0", "--routes", "0", "--publishers", "0"},
			want: []string{"--events 0", "--workers 0", "--routes 0", "--publishers 0"}},
		{name: "negative events named alone", args: []string{"--events", "-5"},
			want: []string{"--events -5: want at least 1"}, not: []string{"keys"}},
		{name: "negative workers and publishers",
			args: []string{"--workers", "-2", "--publishers", "-1"},
			want: []string{"--workers -2: want at least 1", "--publishers -1: want at least 1"}},
		{name: "zero keys are allowed, negative are not", args: []string{"--keys", "-1"},
			want: []string{"--keys -1: want 0 (every event distinct) or more"}},
		{name: "more keys than events", args: []string{"--events", "10", "--keys", "50"},
			want: []string{"--keys 50: more than the 10 events (--events)"}},
		{name: "negative rate", args: []string{"--rate", "-1"},
			want: []string{"--rate -1: want 0 (as fast as possible) or a number of events " +
				"per second"}},
		{name: "rate not a number", args: []string{"--rate", "NaN"}, want: []string{"--rate NaN"}},
		{name: "unknown output", args: []string{"-o", "xml"}, want: []string{`--output "xml"`}},
		{name: "infinite rate", args: []string{"--rate", "Inf"}, want: []string{"--rate +Inf"}},
		{name: "a rate that would take years", args: []string{"--events", "100", "--rate", "1e-9"},
			want: []string{"--rate 1e-09: 100 events would take over 24 hours"}},
		{name: "from the environment", env: map[string]string{"ALERTROUTER_EVENTS": "-5"},
			want: []string{"$ALERTROUTER_EVENTS -5: want at least 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			code, _, errOut := runCLI(t, "", append([]string{"bench"}, tt.args...)...)

			require.Equal(t, 1, code)
			require.NotRegexp(t, `(?m)(^|: )(events|keys|routes|rate|state|workers|publishers) `,
				errOut, "the package's words, not the flag's")
			for _, s := range tt.want {
				require.Contains(t, errOut, s)
			}
			for _, s := range tt.not {
				require.NotContains(t, errOut, s)
			}
		})
	}
}

func TestBenchExternalWithToken(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: t.TempDir(), Authorization: "bench-Secret-7",
		NoLog: true, NoSigs: true})
	require.NoError(t, err)
	srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	t.Cleanup(srv.Shutdown)
	args := []string{"bench", "--nats-url", srv.ClientURL(), "--events", "40", "--keys", "4",
		"--routes", "3"}

	code, _, errOut := runCLI(t, "", args...)
	require.Equal(t, 1, code, "no token: refused by the server")
	require.Contains(t, errOut, "Authorization")

	t.Setenv("ALERTROUTER_NATS_TOKEN", "bench-Secret-7")
	code, out, errOut := runCLI(t, "", args...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "4 (expected 4)")
	require.NotContains(t, out+errOut, "bench-Secret-7")
}
