package alert

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var amNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// amPayload is shaped like what Alertmanager v0.34 posts: one group with a
// firing and a resolved alert.
const amPayload = `{
  "version": "4",
  "groupKey": "{}:{alertname=\"RecordsAPIDown\"}",
  "truncatedAlerts": 0,
  "status": "firing",
  "receiver": "alertrouter",
  "groupLabels": {"alertname": "RecordsAPIDown"},
  "commonLabels": {"alertname": "RecordsAPIDown", "env": "prod"},
  "commonAnnotations": {},
  "externalURL": "http://alertmanager:9093",
  "notification_reason": "first notification",
  "routeLabels": {"team": "records"},
  "alerts": [
    {
      "status": "firing",
      "labels": {"alertname": "RecordsAPIDown", "env": "prod", "instance": "records-1:8080",
        "severity": "page", "service": "records-api", "compliance": "lgpd, hipaa"},
      "annotations": {"summary": "records-api is down", "description": "no scrape for 5m",
        "runbook_url": "https://runbooks.example.org/records-api"},
      "startsAt": "2026-03-04T04:00:00.123+02:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://prometheus:9090/graph?g0.expr=up%3D%3D0",
      "fingerprint": "5ab1c2d3e4f5a6b7"
    },
    {
      "status": "resolved",
      "labels": {"alertname": "RecordsAPIDown", "env": "prod", "instance": "records-2:8080"},
      "annotations": {},
      "startsAt": "2026-03-04T01:00:00Z",
      "endsAt": "2026-03-04T02:30:00Z",
      "generatorURL": "",
      "fingerprint": "0011223344556677"
    }
  ]
}`

func TestFromAlertmanagerMapsFields(t *testing.T) {
	events, err := FromAlertmanager([]byte(amPayload), amNow)
	require.NoError(t, err)
	require.Len(t, events, 2)

	firing := events[0]
	require.Equal(t, "alertmanager/alertrouter", firing.Source)
	require.Equal(t, "RecordsAPIDown", firing.Name)
	require.Equal(t, SeverityCritical, firing.Severity)
	require.Equal(t, StatusFiring, firing.Status)
	require.Equal(t, []string{"LGPD", "HIPAA"}, firing.Compliance)
	require.Equal(t, "records-api is down", firing.Title)
	require.Equal(t, "no scrape for 5m", firing.Description)
	require.Equal(t, "records-api", firing.Labels["service"])
	require.Equal(t, "RecordsAPIDown", firing.Labels["alertname"])
	require.Equal(t, "http://prometheus:9090/graph?g0.expr=up%3D%3D0",
		firing.Annotations["generator_url"])
	require.Equal(t, "https://runbooks.example.org/records-api", firing.Annotations["runbook_url"])
	require.Equal(t, "alertmanager:5ab1c2d3e4f5a6b7", firing.Key())
	require.Equal(t, time.Date(2026, 3, 4, 2, 0, 0, 123e6, time.UTC), firing.OccurredAt)
	require.Equal(t, "alerts.alertmanager_alertrouter.critical", firing.Subject())

	resolved := events[1]
	require.Equal(t, StatusResolved, resolved.Status)
	require.Equal(t, SeverityWarning, resolved.Severity)
	require.Equal(t, "RecordsAPIDown", resolved.Title)
	require.Equal(t, time.Date(2026, 3, 4, 2, 30, 0, 0, time.UTC), resolved.OccurredAt)
	require.NotContains(t, resolved.Annotations, "generator_url")
	require.NotEqual(t, firing.ID, resolved.ID)
}

func TestFromAlertmanagerFiringAndResolvedShareKey(t *testing.T) {
	firing := `{"version":"4","receiver":"r","status":"firing","alerts":[{"status":"firing",
		"labels":{"alertname":"A"},"startsAt":"2026-03-04T01:00:00Z",
		"endsAt":"0001-01-01T00:00:00Z","fingerprint":"aaaabbbbccccdddd"}]}`
	resolved := strings.Replace(strings.Replace(firing, `"status":"firing"`,
		`"status":"resolved"`, 2), "0001-01-01T00:00:00Z", "2026-03-04T01:10:00Z", 1)

	f, err := FromAlertmanager([]byte(firing), amNow)
	require.NoError(t, err)
	r, err := FromAlertmanager([]byte(resolved), amNow)
	require.NoError(t, err)

	require.Equal(t, StatusFiring, f[0].Status)
	require.Equal(t, StatusResolved, r[0].Status)
	require.Equal(t, f[0].Key(), r[0].Key())
	require.NotEqual(t, f[0].ID, r[0].ID)
	require.Equal(t, time.Date(2026, 3, 4, 1, 10, 0, 0, time.UTC), r[0].OccurredAt)
}

func TestFromAlertmanagerIDsAreStable(t *testing.T) {
	a, err := FromAlertmanager([]byte(amPayload), amNow)
	require.NoError(t, err)
	b, err := FromAlertmanager([]byte(amPayload), amNow.Add(time.Hour))
	require.NoError(t, err)

	require.Equal(t, a[0].ID, b[0].ID, "a payload sent again must keep its ids")
	require.Equal(t, a[1].ID, b[1].ID)
}

func TestFromAlertmanagerDefaults(t *testing.T) {
	events, err := FromAlertmanager([]byte(`{"version":"4","alerts":[
		{"labels":{"alertname":"NoTimes"}}]}`), amNow)
	require.NoError(t, err)

	ev := events[0]
	require.Equal(t, "alertmanager", ev.Source)
	require.Equal(t, StatusFiring, ev.Status)
	require.Equal(t, amNow, ev.OccurredAt)
	require.Equal(t, "alertmanager:"+ev.Fingerprint(), ev.DedupKey)
	require.Nil(t, ev.Compliance)
}

func TestFromAlertmanagerStatusFallsBackToPayload(t *testing.T) {
	events, err := FromAlertmanager([]byte(`{"version":"4","status":"resolved","alerts":[
		{"labels":{"alertname":"A"},"endsAt":"0001-01-01T00:00:00Z"}]}`), amNow)
	require.NoError(t, err)

	require.Equal(t, StatusResolved, events[0].Status)
	require.Equal(t, amNow, events[0].OccurredAt, "a zero endsAt means receipt time")
}

func TestSeverityFromLabel(t *testing.T) {
	tests := []struct {
		label string
		want  Severity
	}{
		{"critical", SeverityCritical},
		{"CRITICAL", SeverityCritical},
		{"page", SeverityCritical},
		{"high", SeverityHigh},
		{"Error", SeverityHigh},
		{"warning", SeverityWarning},
		{"warn", SeverityWarning},
		{"info", SeverityInfo},
		{" none ", SeverityInfo},
		{"informational", SeverityInfo},
		{"", SeverityWarning},
		{"sev1", SeverityWarning},
	}
	for _, tt := range tests {
		t.Run("label "+tt.label, func(t *testing.T) {
			require.Equal(t, tt.want, SeverityFromLabel(tt.label))
		})
	}
}

func TestFromAlertmanagerRejectsPayload(t *testing.T) {
	tests := []struct {
		name       string
		payload    string
		wantReason string
		wantField  string
		wantMsg    string
	}{
		{"not json", `{"version":`, ReasonBadJSON, "", "not a JSON object"},
		{"array", `[1,2]`, ReasonBadJSON, "", "not a JSON object"},
		{"missing version", `{"alerts":[]}`, ReasonInvalid, "version", "is required"},
		{"old version", `{"version":"3","alerts":[{}]}`, ReasonInvalid, "version", `"3"`},
		{"numeric version", `{"version":4}`, ReasonInvalid, "version", "must be a string"},
		{"no alerts", `{"version":"4","alerts":[]}`, ReasonInvalid, "alerts", "is empty"},
		{"alerts not a list", `{"version":"4","alerts":{}}`, ReasonInvalid, "alerts",
			"must be a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromAlertmanager([]byte(tt.payload), amNow)

			var de *DecodeError
			require.ErrorAs(t, err, &de)
			require.Equal(t, tt.wantReason, de.Reason)
			require.Equal(t, tt.wantField, de.Field)
			require.Contains(t, de.Error(), tt.wantMsg)
		})
	}
}

func TestFromAlertmanagerListsInvalidAlerts(t *testing.T) {
	long := strings.Repeat("x", 2000)
	payload := `{"version":"4","receiver":"r","alerts":[
		{"labels":{"alertname":"Fine"},"fingerprint":"1"},
		{"labels":{"env":"prod"},"status":"pending","startsAt":"yesterday"},
		{"labels":{"alertname":"A","compliance":"lgpd"},"annotations":{"summary":"s"},
		 "status":"resolved","endsAt":"soon"},
		{"labels":{"alertname":"` + long + `"}},
		{"labels":{"alertname":3}},
		"not an alert"
	]}`

	events, err := FromAlertmanager([]byte(payload), amNow)
	require.Nil(t, events, "an invalid alert rejects the whole payload")

	var werr *WebhookError
	require.ErrorAs(t, err, &werr)
	require.Equal(t, "alertmanager", werr.Format)
	require.Equal(t, 6, werr.Total)

	got := make(map[int][]string)
	for _, a := range werr.Alerts {
		for _, p := range a.Problems {
			got[a.Index] = append(got[a.Index], p.Field)
		}
	}
	require.Equal(t, map[int][]string{
		1: {"labels.alertname", "status", "startsAt"},
		2: {"endsAt"},
		3: {"labels.alertname"},
		4: {"labels"},
		5: {"alert"},
	}, got)
	require.Contains(t, err.Error(), "alerts[1]: labels.alertname: is required")
	require.Contains(t, err.Error(), "alerts[4]: labels: must be an object of string values")
	require.Contains(t, err.Error(), "5 of 6 alerts invalid")
}

func TestFromAlertmanagerTooLargeAlert(t *testing.T) {
	d := &Decoder{MaxSize: 512, Now: func() time.Time { return amNow }}
	payload := `{"version":"4","alerts":[{"labels":{"alertname":"A"},
		"annotations":{"description":"` + strings.Repeat("d", 600) + `"}}]}`

	_, err := d.Alertmanager([]byte(payload))

	var werr *WebhookError
	require.ErrorAs(t, err, &werr)
	require.Equal(t, ReasonTooLarge, werr.Alerts[0].Reason)
	require.Equal(t, "event", werr.Alerts[0].Problems[0].Field)
	require.Contains(t, werr.Alerts[0].Error(), "limit is 512")
}

func TestFromAlertmanagerEventsDecodeAgain(t *testing.T) {
	events, err := FromAlertmanager([]byte(amPayload), amNow)
	require.NoError(t, err)

	for _, ev := range events {
		data, err := json.Marshal(ev)
		require.NoError(t, err)
		back, err := (&Decoder{}).Decode(data)
		require.NoError(t, err)
		require.Equal(t, ev, back)
	}
}

func FuzzFromAlertmanager(f *testing.F) {
	f.Add([]byte(amPayload))
	f.Add([]byte(`{"version":"4","alerts":[null]}`))
	f.Add([]byte(`{"version":"4","alerts":[{"labels":{"alertname":""}}]}`))
	f.Add([]byte(`{"version":"4","alerts":[{"status":"x","startsAt":"0"}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte("\xff\xfe"))

	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := FromAlertmanager(data, amNow)
		if err != nil {
			var de *DecodeError
			var we *WebhookError
			require.True(t, errors.As(err, &de) || errors.As(err, &we), "error %T", err)
			require.Nil(t, events)
			return
		}

		require.NotEmpty(t, events)
		for _, ev := range events {
			raw, err := json.Marshal(ev)
			require.NoError(t, err)
			_, err = (&Decoder{}).Decode(raw)
			require.NoError(t, err, "every event must pass validation")
		}
	})
}
