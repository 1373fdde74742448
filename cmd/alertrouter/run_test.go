package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syncBuffer is a buffer a running command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runWorkerUntilReady runs `alertrouter run` in the test process against
// the NATS server at url, waits until the router runs, stops it, and
// returns its standard error.
func runWorkerUntilReady(t *testing.T, url string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	args = append([]string{"run", "--rules", consoleRules, "--nats-url", url,
		"--state", "memory", "--watch=false"}, args...)
	code := make(chan int, 1)
	go func() { code <- run(ctx, args, strings.NewReader(""), &stdout, &stderr) }()

	select {
	case c := <-code:
		t.Fatalf("run exited with %d before it was ready:\n%s", c, stderr.String())
	case <-waitFor(ctx, &stderr, "router running"):
	case <-time.After(20 * time.Second):
		t.Fatalf("run not ready after 20s:\n%s", stderr.String())
	}
	cancel()
	require.Equal(t, 0, <-code, stderr.String())
	return stderr.String()
}

// waitFor returns a channel closed once b holds s; it stops looking when
// ctx ends.
func waitFor(ctx context.Context, b *syncBuffer, s string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		for !strings.Contains(b.String(), s) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		close(done)
	}()
	return done
}

func TestOpenIngestWarning(t *testing.T) {
	url := natsServer(t)
	const warning = "ingest endpoints accept events without a token"
	tests := []struct {
		name string
		http string
		warn bool
	}{
		{"http off", "", false},
		{"loopback", "127.0.0.1:0", false},
		{"every address", "0.0.0.0:0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := runWorkerUntilReady(t, url, "--http", tt.http)
			if tt.warn {
				require.Contains(t, log, warning)
			} else {
				require.NotContains(t, log, warning)
			}
		})
	}
}

// TestNonsenseSettingsRefused checks that counts and durations that cannot
// work are refused before anything starts, naming the flag and its value.
func TestNonsenseSettingsRefused(t *testing.T) {
	runArgs := []string{"run", "--rules", consoleRules, "--nats-url", "nats://127.0.0.1:1"}
	publishArgs := []string{"publish", "--nats-url", "nats://127.0.0.1:1", "--source", "s",
		"--name", "n", "--severity", "info"}
	with := func(base []string, more ...string) []string { return slices.Concat(base, more) }
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no attempts", with(runArgs, "--retry-attempts", "0"),
			[]string{"--retry-attempts 0: want at least 1"}},
		{"negative ack wait", with(runArgs, "--ack-wait", "-1s"),
			[]string{"--ack-wait -1s: want at least 1s"}},
		{"zero ack wait", with(runArgs, "--ack-wait", "0"),
			[]string{"--ack-wait 0s: want at least 1s"}},
		{"no replicas", with(runArgs, "--replicas", "0"),
			[]string{"--replicas 0: want 1 to 5"}},
		{"negative replicas", with(runArgs, "--replicas", "-3"),
			[]string{"--replicas -3: want 1 to 5"}},
		{"too many replicas", with(runArgs, "--replicas", "7"),
			[]string{"--replicas 7: want 1 to 5"}},
		{"zero drain timeout", with(runArgs, "--drain-timeout", "0"),
			[]string{"--drain-timeout 0s: want a positive duration"}},
		{"negative retry wait", with(runArgs, "--retry-initial-interval", "-1s"),
			[]string{"--retry-initial-interval -1s: want a positive duration"}},
		{"retry cap below first wait", with(runArgs, "--retry-initial-interval", "2s",
			"--retry-max-interval", "1s"),
			[]string{"--retry-max-interval 1s: want at least --retry-initial-interval (2s)"}},
		{"breaker never opens", with(runArgs, "--breaker-failures", "0"),
			[]string{"--breaker-failures 0: want at least 1"}},
		{"zero audit retention", with(runArgs, "--audit-retention", "0"),
			[]string{"--audit-retention 0s: want a positive duration"}},
		{"every problem listed", with(runArgs, "--retry-attempts", "0", "--replicas", "0"),
			[]string{"--retry-attempts 0", "--replicas 0"}},
		{"bad rate limit before connecting", with(runArgs, "--limit", "slack=fast"),
			[]string{"--limit slack=fast"}},
		{"publish no replicas", with(publishArgs, "--replicas", "0"),
			[]string{"--replicas 0: want 1 to 5"}},
		{"publish zero timeout", with(publishArgs, "--timeout", "0"),
			[]string{"--timeout 0s: want a positive duration"}},
		{"audit negative timeout", []string{"audit", "--nats-url", "nats://127.0.0.1:1",
			"--timeout", "-1s"}, []string{"--timeout -1s: want a positive duration"}},
		{"deadletter list negative max", []string{"deadletter", "list", "--nats-url",
			"nats://127.0.0.1:1", "--max", "-1"}, []string{"--max -1: want 0 or more"}},
		{"notify zero timeout", []string{"notify", "--rules", consoleRules, "--receiver",
			"eng-chat", "--timeout", "0"}, []string{"--timeout 0s: want a positive duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", tt.args...)
			require.Equal(t, 1, code, errOut)
			for _, want := range tt.want {
				require.Contains(t, errOut, want)
			}
		})
	}
}

// TestRunTakesDocumentedOffSwitches checks that the checks above leave
// alone what the help documents as turning something off.
func TestRunTakesDocumentedOffSwitches(t *testing.T) {
	url := natsServer(t)
	log := runWorkerUntilReady(t, url, "--http", "", "--limit", "slack=off", "--audit=false",
		"--audit-retention", "0")
	require.Contains(t, log, "audit trail is off")
}

func TestIngestTokenConflictNamesSource(t *testing.T) {
	url := natsServer(t)
	t.Setenv("ALERTROUTER_INGEST_TOKEN", "env-Secret-tok")
	code, out, errOut := runCLI(t, "", "run", "--rules", consoleRules, "--nats-url", url,
		"--state", "memory", "--watch=false", "--ingest-token-file", "tok")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "give $ALERTROUTER_INGEST_TOKEN or --ingest-token-file, not both")
	require.NotContains(t, out+errOut, "Secret")
}

// TestRunChecksHTTPAndConsumerFirst checks that a bad --http address or
// consumer name is refused before the worker connects or warns about
// tokenless ingest. The addresses are tried with a NATS server, which the
// worker would reach before it listens; the names without one, so that a
// name the check let through fails rather than runs.
func TestRunChecksHTTPAndConsumerFirst(t *testing.T) {
	url := natsServer(t)
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		offline bool
		want    string
	}{
		{"address without port", nil, []string{"--http", "nonsense"}, false,
			`--http "nonsense": want HOST:PORT such as 127.0.0.1:9095, or empty to turn ` +
				`it off (address nonsense: missing port in address)`},
		{"bad port", nil, []string{"--http", "0.0.0.0:99999"}, false,
			`--http "0.0.0.0:99999"`},
		{"dot in consumer", nil, []string{"--consumer", "bad.name"}, true,
			`--consumer "bad.name": a JetStream consumer name cannot hold '.', '*', '>', ` +
				`'/', '\' or white space (space, tab, CR, LF, FF)`},
		{"wildcard in consumer", nil, []string{"--consumer", "a>"}, true, `--consumer "a>"`},
		{"path in consumer", nil, []string{"--consumer", `a\b`}, true, `--consumer "a\\b"`},
		{"space in consumer from the environment",
			map[string]string{"ALERTROUTER_CONSUMER": "a b"}, nil, true,
			`$ALERTROUTER_CONSUMER "a b": a JetStream consumer name`},
		{"empty consumer", nil, []string{"--consumer", ""}, true,
			`--consumer "": want a name, such as alertrouter`},
		{"long consumer", nil, []string{"--consumer", strings.Repeat("c", 256)}, true,
			"is 256 bytes: want at most 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			nats := url
			if tt.offline {
				nats = "nats://127.0.0.1:1"
			}
			args := slices.Concat([]string{"run", "--rules", consoleRules, "--nats-url", nats,
				"--state", "memory", "--watch=false"}, tt.args)

			code, _, errOut := runCLI(t, "", args...)

			require.Equal(t, 1, code, errOut)
			require.Contains(t, errOut, tt.want)
			require.NotContains(t, errOut, "ingest endpoints accept events without a token")
			require.NotContains(t, errOut, "level=", "refused before the worker logs")
		})
	}

	t.Run("longest consumer name and an open address", func(t *testing.T) {
		log := runWorkerUntilReady(t, url, "--consumer", strings.Repeat("c", 255),
			"--http", "0.0.0.0:0")
		require.Contains(t, log, "router running")
	})
}

// TestBlankIngestTokenRefused checks that an ingest token of white space
// only, which no request can carry, is refused before the worker connects,
// named where it was set, as an empty --ingest-token-file is.
func TestBlankIngestTokenRefused(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "ingest-token: \"  \"\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"flag", nil, []string{"--ingest-token", " "},
			`--ingest-token " ": want a token, or leave it unset for none`},
		{"variable", map[string]string{"ALERTROUTER_INGEST_TOKEN": "   "}, nil,
			`$ALERTROUTER_INGEST_TOKEN "   ": want a token`},
		{"config file", nil, []string{"--config", cfg},
			"ingest-token in config file " + cfg + `: "  ": want a token`},
		{"tab and newline", map[string]string{"ALERTROUTER_INGEST_TOKEN": "\t\n"}, nil,
			`$ALERTROUTER_INGEST_TOKEN "\t\n": want a token`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := slices.Concat([]string{"run", "--rules", consoleRules,
				"--nats-url", "nats://127.0.0.1:1", "--state", "memory", "--watch=false",
				"--http", "127.0.0.1:0"}, tt.args)

			code, _, errOut := runCLI(t, "", args...)

			require.Equal(t, 1, code, errOut)
			require.Contains(t, errOut, tt.want)
			require.NotContains(t, errOut, "level=", "refused before the worker logs")
		})
	}
}
