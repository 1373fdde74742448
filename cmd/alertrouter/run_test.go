package main

import (
	"bytes"
	"context"
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
