package rulestest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// testRules has two routes with their own windows, a continue, and an
// unrouted receiver.
const testRules = `defaults:
  dedup_window: 10m
  repeat_interval: 1h
receivers:
  pager: { console: {} }
  chat: { console: {} }
  log: { console: {} }
unrouted: [log]
routes:
  - name: critical
    match: { severity: critical }
    receivers: [pager]
    continue: true
  - name: db
    match: { source: "monitor/db" }
    receivers: [chat, pager]
    dedup_window: 5m
`

// writeSuite writes testRules as rules.yaml and body as t_test.yaml into a
// fresh folder and returns the test file's path.
func writeSuite(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte(testRules), 0o600))
	p := filepath.Join(dir, "t_test.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

// loadSuite writes and loads a suite that must be valid.
func loadSuite(t *testing.T, body string) *Suite {
	t.Helper()
	s, err := Load(writeSuite(t, body))
	require.NoError(t, err)
	return s
}
