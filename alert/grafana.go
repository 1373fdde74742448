package alert

import "time"

// GrafanaVersion is the Grafana webhook contact point payload version that
// FromGrafana accepts.
const GrafanaVersion = "1"

// grafanaFormat is Grafana unified alerting's webhook contact point. Its
// payload extends Alertmanager's (orgId, title, state, message at the top;
// silenceURL, dashboardURL, panelURL, values on each alert); the router
// keeps the links and ignores the rest, so the title and message a
// contact point template renders are never used.
var grafanaFormat = webhookFormat{
	name:     "grafana",
	versions: []string{GrafanaVersion},
	urls: func(a *webhookAlert) map[string]string {
		return map[string]string{
			"generator_url": a.GeneratorURL,
			"silence_url":   a.SilenceURL,
			"dashboard_url": a.DashboardURL,
			"panel_url":     a.PanelURL,
		}
	},
}

// FromGrafana turns a Grafana webhook contact point payload (version 1)
// into one event per alert; now stands in for a missing start or end time.
// See Decoder.Grafana.
func FromGrafana(data []byte, now time.Time) ([]*Event, error) {
	d := Decoder{Now: func() time.Time { return now }}
	return d.Grafana(data)
}

// Grafana turns a Grafana webhook contact point payload (version 1) into
// one event per alert, the way Alertmanager does, with source
// "grafana/<receiver>", dedup_key "grafana:<fingerprint>", and the alert's
// silenceURL, dashboardURL and panelURL kept as the annotations
// silence_url, dashboard_url and panel_url.
func (d *Decoder) Grafana(data []byte) ([]*Event, error) {
	return d.fromWebhook(data, &grafanaFormat)
}
