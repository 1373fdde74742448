package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/internal/fakepagerduty"
)

const ingestRules = `
receivers:
  oncall: { pagerduty: { routing_key: "%s", events_url: "%s" } }
routes:
  - { name: page, match: { severity: critical }, receivers: [oncall] }
`

// amPayload is an Alertmanager webhook (version 4) for one alert.
const amPayload = `{
  "version": "4", "groupKey": "{}:{alertname=\"RecordsDBDown\"}", "truncatedAlerts": 0,
  "status": "%[1]s", "receiver": "alertrouter",
  "groupLabels": {"alertname": "RecordsDBDown"},
  "commonLabels": {"alertname": "RecordsDBDown", "severity": "critical"},
  "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
  "alerts": [{
    "status": "%[1]s",
    "labels": {"alertname": "RecordsDBDown", "severity": "critical", "service": "records-db"},
    "annotations": {"summary": "records-db primary down"},
    "startsAt": "2026-12-04T08:00:00Z", "endsAt": "%[2]s",
    "generatorURL": "http://prometheus:9090/graph", "fingerprint": "5f3a7c2e9b1d4a60"
  }]
}`

func post(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestAlertmanagerWebhookPagesAndResolves(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := buildBinary(t)
	pd := fakepagerduty.New()
	defer pd.Close()
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.WriteFile(rulesFile, fmt.Appendf(nil, ingestRules,
		fakepagerduty.DefaultRoutingKey, pd.URL()), 0o600))
	listen := freeAddr(t)
	w := startWorker(t, bin, []string{"ALERTROUTER_INGEST_TOKEN=t0ken"}, "--rules", rulesFile,
		"--nats-listen", listen, "--data", filepath.Join(dir, "data"))
	url := "http://" + listenRE.FindStringSubmatch(w.waitLog(t, "http listening"))[1] +
		"/v1/alertmanager"

	code, _ := post(t, url, "", fmt.Sprintf(amPayload, "firing", "0001-01-01T00:00:00Z"))
	require.Equal(t, http.StatusUnauthorized, code, "the token is required")

	code, body := post(t, url, "t0ken", fmt.Sprintf(amPayload, "firing", "0001-01-01T00:00:00Z"))
	require.Equal(t, http.StatusAccepted, code, body)
	waitIdle(t, "nats://"+listen, 1)
	code, body = post(t, url, "t0ken", fmt.Sprintf(amPayload, "resolved", "2026-12-04T08:05:00Z"))
	require.Equal(t, http.StatusAccepted, code, body)
	waitIdle(t, "nats://"+listen, 2)

	events := pd.Events()
	require.Len(t, events, 2)
	require.Equal(t, "trigger", events[0].Action)
	require.Equal(t, "resolve", events[1].Action)
	require.Equal(t, events[0].DedupKey, events[1].DedupKey, "one incident")
	require.Equal(t, "alertmanager:5f3a7c2e9b1d4a60", events[0].DedupKey)
	require.False(t, pd.Open(fakepagerduty.DefaultRoutingKey, events[0].DedupKey))

	code, body = post(t, url, "t0ken", `{"version":"4","alerts":[{"labels":{}}]}`)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "alertname")
}
