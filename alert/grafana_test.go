package alert

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// grafanaPayload is shaped like what a Grafana 11 webhook contact point
// posts.
const grafanaPayload = `{
  "receiver": "alertrouter-hook",
  "status": "firing",
  "orgId": 1,
  "alerts": [
    {
      "status": "firing",
      "labels": {"alertname": "High memory usage", "team": "blue", "zone": "us-1",
        "grafana_folder": "Infra", "severity": "critical"},
      "annotations": {"description": "memory above 90%", "summary": "us-1 memory",
        "runbook_url": "https://runbooks.example.org/memory"},
      "startsAt": "2026-03-04T09:51:03.157076+02:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "https://grafana.example.org/alerting/grafana/abc/view",
      "fingerprint": "c6eadffa33fcdf37",
      "silenceURL": "https://grafana.example.org/alerting/silence/new?matcher=alertname%3DX",
      "dashboardURL": "https://grafana.example.org/d/abc",
      "panelURL": "",
      "values": {"B": 44.2, "C": 1},
      "valueString": "[ var='B' labels={} value=44.2 ]"
    }
  ],
  "groupLabels": {"alertname": "High memory usage"},
  "commonLabels": {"alertname": "High memory usage", "team": "blue"},
  "commonAnnotations": {},
  "externalURL": "https://grafana.example.org/",
  "version": "1",
  "groupKey": "{}:{alertname=\"High memory usage\"}",
  "truncatedAlerts": 0,
  "title": "[FIRING:1] High memory usage (blue us-1)",
  "state": "alerting",
  "message": "**Firing** ..."
}`

func TestFromGrafanaMapsFields(t *testing.T) {
	events, err := FromGrafana([]byte(grafanaPayload), amNow)
	require.NoError(t, err)
	require.Len(t, events, 1)

	ev := events[0]
	require.Equal(t, "grafana/alertrouter-hook", ev.Source)
	require.Equal(t, "High memory usage", ev.Name)
	require.Equal(t, SeverityCritical, ev.Severity)
	require.Equal(t, StatusFiring, ev.Status)
	require.Equal(t, "us-1 memory", ev.Title, "the group title is not the alert's")
	require.Equal(t, "grafana:c6eadffa33fcdf37", ev.Key())
	require.Equal(t, time.Date(2026, 3, 4, 7, 51, 3, 157076000, time.UTC), ev.OccurredAt)
	require.Equal(t, map[string]string{
		"description":   "memory above 90%",
		"summary":       "us-1 memory",
		"runbook_url":   "https://runbooks.example.org/memory",
		"generator_url": "https://grafana.example.org/alerting/grafana/abc/view",
		"silence_url":   "https://grafana.example.org/alerting/silence/new?matcher=alertname%3DX",
		"dashboard_url": "https://grafana.example.org/d/abc",
	}, ev.Annotations)
	require.Equal(t, "alerts.grafana_alertrouter-hook.critical", ev.Subject())
}

func TestFromGrafanaRejects(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"alertmanager version", `{"version":"4","alerts":[{}]}`, `version: "4" is not supported`},
		{"missing alertname", `{"version":"1","alerts":[{"labels":{}}]}`,
			"grafana payload: 1 of 1 alerts invalid: alerts[0]: labels.alertname: is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, err := FromGrafana([]byte(tt.payload), amNow)

			require.Nil(t, events)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestFromAlertmanagerRejectsGrafanaVersion(t *testing.T) {
	_, err := FromAlertmanager([]byte(grafanaPayload), amNow)

	require.ErrorContains(t, err, `version: "1" is not supported (want 4)`)
}
