package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

var listenRE = regexp.MustCompile(`msg="http listening" addr=(\S+)`)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestWorkerServesHealthAndMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	data, err := os.ReadFile(consoleRules)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(rulesFile, data, 0o600))
	listen := freeAddr(t)
	w := startWorker(t, bin, nil, "--rules", rulesFile, "--nats-listen", listen,
		"--data", filepath.Join(dir, "data"))
	base := "http://" + listenRE.FindStringSubmatch(w.waitLog(t, "http listening"))[1]

	code, body := get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"status":"ok"}`, body)

	code, body = get(t, base+"/readyz")
	require.Equal(t, http.StatusOK, code, body)
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ready))
	require.Equal(t, "ready", ready.Status)
	require.Equal(t, "ok", ready.Checks["consumer"])

	runCmd(t, bin, "publish", "--nats-url", "nats://"+listen,
		"../../examples/events/04-database-down.json")
	waitIdle(t, "nats://"+listen, 1)
	_, body = get(t, base+"/metrics")
	require.Contains(t, body, `alertrouter_events_received_total{severity="critical",source="monitor/db"} 1`)
	require.Contains(t, body,
		`alertrouter_notifications_total{channel="console",outcome="delivered",receiver="oncall-pager"} 1`)
	require.Regexp(t, `alertrouter_rules_info\{file=".*rules.yaml",hash="[0-9a-f]{64}"\} 1`, body)
	require.Contains(t, body, `alertrouter_build_info{`)

	// A refused reload is counted, and the worker stays ready.
	require.NoError(t, os.WriteFile(rulesFile, []byte("routes: [\n"), 0o600))
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGHUP))
	w.waitLog(t, "rules reload refused")
	_, body = get(t, base+"/metrics")
	require.Contains(t, body, `alertrouter_rules_reloads_total{result="failure"} 1`)
	code, _ = get(t, base+"/readyz")
	require.Equal(t, http.StatusOK, code)
}
