package alert

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// AlertmanagerVersion is the Alertmanager webhook payload version that
// FromAlertmanager accepts.
const AlertmanagerVersion = "4"

// AlertError says why one alert of a webhook payload did not become an
// event. Problems name the fields as the payload spells them
// (labels.alertname, startsAt), not as the event does.
type AlertError struct {
	// Index is the alert's position in the payload's alerts list.
	Index int
	// Reason is ReasonInvalid or ReasonTooLarge.
	Reason string
	// Problems lists every offending field; it is never empty.
	Problems []FieldError
}

// Error formats the alert's position and then every problem.
func (e *AlertError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("alerts[%d]: %s", e.Index, strings.Join(parts, "; "))
}

// WebhookError lists every alert of a webhook payload that did not become
// an event. When a payload gives one, it gives no events at all, so that
// a caller can refuse the payload whole.
type WebhookError struct {
	// Format is the payload's format: "alertmanager" or "grafana".
	Format string
	// Total is the number of alerts in the payload.
	Total int
	// Alerts holds one entry per rejected alert, in payload order.
	Alerts []*AlertError
}

// Error says how many alerts were rejected and why, one alert after the
// other.
func (e *WebhookError) Error() string {
	parts := make([]string, len(e.Alerts))
	for i, a := range e.Alerts {
		parts[i] = a.Error()
	}
	return fmt.Sprintf("%s payload: %d of %d alerts invalid: %s",
		e.Format, len(e.Alerts), e.Total, strings.Join(parts, "; "))
}

// webhookFormat describes one Alertmanager-like webhook dialect: the
// prefix of sources and dedup keys, the accepted versions, and the alert's
// links copied into annotations.
type webhookFormat struct {
	name     string
	versions []string
	urls     func(a *webhookAlert) map[string]string
}

var alertmanagerFormat = webhookFormat{
	name:     "alertmanager",
	versions: []string{AlertmanagerVersion},
	urls: func(a *webhookAlert) map[string]string {
		return map[string]string{"generator_url": a.GeneratorURL}
	},
}

// webhookPayload holds the fields of a webhook payload the router uses.
// Alerts stay raw so that one malformed alert is reported on its own.
type webhookPayload struct {
	Version  *string           `json:"version"`
	Receiver string            `json:"receiver"`
	Status   string            `json:"status"`
	Alerts   []json.RawMessage `json:"alerts"`
}

// webhookAlert is one alert of a payload; Grafana adds the last three URLs.
type webhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	SilenceURL   string            `json:"silenceURL"`
	DashboardURL string            `json:"dashboardURL"`
	PanelURL     string            `json:"panelURL"`
}

// FromAlertmanager turns an Alertmanager webhook payload (version 4) into
// one event per alert, validated like a published event; now stands in
// for a missing start or end time. See Decoder.Alertmanager.
func FromAlertmanager(data []byte, now time.Time) ([]*Event, error) {
	d := Decoder{Now: func() time.Time { return now }}
	return d.Alertmanager(data)
}

// Alertmanager turns an Alertmanager webhook payload (version 4) into one
// event per alert. Unknown fields are ignored. Each alert becomes:
//
//   - source "alertmanager/<receiver>" ("alertmanager" without one);
//   - name: label alertname, which is required;
//   - severity: label severity, see SeverityFromLabel;
//   - status: the alert's status, else the payload's;
//   - labels and annotations as given, plus annotation generator_url;
//   - title: annotation summary, else the alertname; description:
//     annotation description; compliance: label compliance, comma-separated;
//   - dedup_key "alertmanager:<fingerprint>", so that the firing and the
//     resolved event of an alert share it (the event fingerprint when the
//     payload has none);
//   - occurred_at: startsAt when firing, endsAt when resolved, receipt
//     time when that is missing;
//   - id: derived from the alert's identity, status and times, so that a
//     payload Alertmanager sends again is stored once by JetStream.
//
// A payload that is not JSON, or of another version, gives a DecodeError.
// Invalid alerts give a WebhookError listing all of them, and no events.
func (d *Decoder) Alertmanager(data []byte) ([]*Event, error) {
	return d.fromWebhook(data, &alertmanagerFormat)
}

func (d *Decoder) fromWebhook(data []byte, f *webhookFormat) ([]*Event, error) {
	p, err := parsePayload(data, f)
	if err != nil {
		return nil, err
	}

	events := make([]*Event, 0, len(p.Alerts))
	werr := &WebhookError{Format: f.name, Total: len(p.Alerts)}
	for i, raw := range p.Alerts {
		ev, aerr := d.fromAlert(raw, p, f)
		if aerr != nil {
			aerr.Index = i
			werr.Alerts = append(werr.Alerts, aerr)
			continue
		}
		events = append(events, ev)
	}
	if len(werr.Alerts) > 0 {
		return nil, werr
	}
	return events, nil
}

func parsePayload(data []byte, f *webhookFormat) (*webhookPayload, error) {
	var p webhookPayload
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, payloadError(f, err)
	}

	switch {
	case p.Version == nil:
		return nil, &DecodeError{Reason: ReasonInvalid, Field: "version",
			Msg: fmt.Sprintf("is required (%s payload version %s)", f.name, f.versions[0])}
	case !slices.Contains(f.versions, *p.Version):
		return nil, &DecodeError{Reason: ReasonInvalid, Field: "version",
			Msg: fmt.Sprintf("%q is not supported (want %s)", *p.Version,
				strings.Join(f.versions, " or "))}
	case len(p.Alerts) == 0:
		return nil, &DecodeError{Reason: ReasonInvalid, Field: "alerts",
			Msg: "is empty: the payload holds no alerts"}
	}
	return &p, nil
}

// payloadError says why a payload did not decode: a field of the wrong
// type is invalid, anything else is not JSON.
func payloadError(f *webhookFormat, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &DecodeError{Reason: ReasonInvalid, Field: te.Field,
			Msg: typeWant(te.Field, te.Type)}
	}
	return &DecodeError{Reason: ReasonBadJSON,
		Msg: fmt.Sprintf("%s payload is not a JSON object: %v", f.name, err)}
}

// typeWant says which JSON type the payload field needs, given the Go
// type the decoder wanted (for a map's value, that of the value).
func typeWant(field string, t reflect.Type) string {
	switch {
	case field == "labels", field == "annotations", t.Kind() == reflect.Map:
		return "must be an object of string values"
	case t.Kind() == reflect.String:
		return "must be a string"
	case t.Kind() == reflect.Slice:
		return "must be a list"
	}
	return "must be an object"
}

// fromAlert builds and validates the event for one alert of p.
func (d *Decoder) fromAlert(raw json.RawMessage, p *webhookPayload,
	f *webhookFormat) (*Event, *AlertError) {
	var a webhookAlert
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, alertTypeError(err)
	}

	var probs problems
	ev := d.eventFromAlert(&a, p, f, &probs)
	if len(probs.list) > 0 {
		return nil, &AlertError{Reason: ReasonInvalid, Problems: probs.list}
	}
	return d.revalidate(ev)
}

func alertTypeError(err error) *AlertError {
	fe := FieldError{Field: "alert", Msg: "must be an object"}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		fe = FieldError{Field: te.Field, Msg: typeWant(te.Field, te.Type)}
	}
	return &AlertError{Reason: ReasonInvalid, Problems: []FieldError{fe}}
}

// eventFromAlert maps the alert's fields onto an event, recording the
// problems only the payload's own fields can have.
func (d *Decoder) eventFromAlert(a *webhookAlert, p *webhookPayload, f *webhookFormat,
	probs *problems) *Event {
	ev := &Event{
		Source:      f.name,
		Name:        strings.TrimSpace(a.Labels["alertname"]),
		Severity:    SeverityFromLabel(a.Labels["severity"]),
		Labels:      a.Labels,
		Annotations: withURLs(a.Annotations, f.urls(a)),
		Title:       a.Annotations["summary"],
		Description: a.Annotations["description"],
		Compliance:  splitList(a.Labels["compliance"]),
	}
	if r := strings.TrimSpace(p.Receiver); r != "" {
		ev.Source += "/" + r
	}
	if ev.Name == "" {
		probs.add("labels.alertname", "is required (the alert's name)")
	}
	if ev.Title == "" {
		ev.Title = ev.Name
	}

	status := a.Status
	if strings.TrimSpace(status) == "" {
		status = p.Status
	}
	st, err := ParseStatus(status)
	if err != nil {
		probs.add("status", "%v", err)
	}
	ev.Status = st

	ev.OccurredAt = d.alertTime(a, st, probs)
	ev.DedupKey = f.name + ":" + strings.TrimSpace(a.Fingerprint)
	if strings.TrimSpace(a.Fingerprint) == "" {
		ev.DedupKey = f.name + ":" + ev.Fingerprint()
	}
	ev.ID = alertID(ev.Source, ev.DedupKey, st, a)
	return ev
}

// alertTime is when the alert began (firing) or ended (resolved); the
// receipt time when the payload does not say.
func (d *Decoder) alertTime(a *webhookAlert, st Status, probs *problems) time.Time {
	field, value := "startsAt", a.StartsAt
	if st == StatusResolved {
		field, value = "endsAt", a.EndsAt
	}
	if strings.TrimSpace(value) == "" {
		return d.now().UTC()
	}

	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		probs.add(field, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		return time.Time{}
	}
	if t.IsZero() || t.Year() <= 1 {
		return d.now().UTC()
	}
	return t.UTC()
}

// alertID is a UUID derived from what makes one notification of the alert
// distinct, so that a payload sent again yields the same ids.
func alertID(source, key string, st Status, a *webhookAlert) string {
	name := strings.Join([]string{source, key, string(st), a.StartsAt, a.EndsAt}, "\x00")
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(name)).String()
}

// revalidate runs the event through the decoder, so that it meets every
// rule a published event does, and names offending fields as the payload
// does.
func (d *Decoder) revalidate(ev *Event) (*Event, *AlertError) {
	data, err := json.Marshal(ev)
	if err != nil {
		return nil, &AlertError{Reason: ReasonInvalid,
			Problems: []FieldError{{Field: "alert", Msg: err.Error()}}}
	}

	out, err := d.Decode(data)
	var de *DecodeError
	switch {
	case err == nil:
		return out, nil
	case !errors.As(err, &de):
		return nil, &AlertError{Reason: ReasonInvalid,
			Problems: []FieldError{{Field: "alert", Msg: err.Error()}}}
	case len(de.Problems) == 0:
		msg := strings.TrimPrefix(de.Msg, "event ")
		return nil, &AlertError{Reason: de.Reason,
			Problems: []FieldError{{Field: "event", Msg: msg}}}
	}

	probs := make([]FieldError, len(de.Problems))
	for i, p := range de.Problems {
		probs[i] = FieldError{Field: payloadField(p.Field, ev.Status), Msg: p.Msg}
	}
	return nil, &AlertError{Reason: de.Reason, Problems: probs}
}

// payloadField names the payload field an event field came from.
func payloadField(field string, st Status) string {
	switch {
	case field == "name":
		return "labels.alertname"
	case field == "title":
		return "annotations.summary"
	case field == "description":
		return "annotations.description"
	case field == "source":
		return "receiver"
	case field == "dedup_key", field == "id":
		return "fingerprint"
	case strings.HasPrefix(field, "compliance"):
		return "labels.compliance"
	case field == "occurred_at" && st == StatusResolved:
		return "endsAt"
	case field == "occurred_at":
		return "startsAt"
	}
	return field
}

// SeverityFromLabel maps an Alertmanager severity label onto a level,
// ignoring case: critical, high, warning and info as they are; the
// Prometheus habits page and crit (critical), error and major (high),
// warn and minor (warning), none, informational and information (info).
// Anything else, or no label at all, is warning: a level that gets
// attention without paging anyone.
func SeverityFromLabel(s string) Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "crit", "page":
		return SeverityCritical
	case "high", "error", "major":
		return SeverityHigh
	case "info", "none", "informational", "information":
		return SeverityInfo
	}
	return SeverityWarning
}

// withURLs copies the annotations and adds the non-empty URLs that no
// annotation already names.
func withURLs(ann, urls map[string]string) map[string]string {
	out := make(map[string]string, len(ann)+len(urls))
	for k, v := range ann {
		out[k] = v
	}
	for k, v := range urls {
		if _, taken := out[k]; !taken && v != "" {
			out[k] = v
		}
	}
	return out
}

// splitList splits a comma-separated label value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
