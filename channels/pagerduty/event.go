package pagerduty

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

// Truncated marks text cut to fit one of PagerDuty's limits.
const Truncated = "…(truncated)"

// PagerDuty's limits.
const (
	maxDedupKey = 255
	maxSummary  = 1024
	// maxEventBytes keeps the whole event well under the 512 KB limit.
	maxEventBytes = 500 * 1024
	// maxDescription caps the description in custom details when the
	// event would otherwise be too large.
	maxDescription = 16 * 1024
	// maxDetailValue caps each label and annotation value in that case.
	maxDetailValue = 1024
	hashSuffixLen  = 16
	clientName     = "alertrouter"
)

// DedupKey returns the PagerDuty dedup key for an alert key: the key as
// given when it fits in 255 characters, else a prefix of it followed by
// "-" and a hash of the whole key, 255 characters in all. The result
// depends on the key alone, so trigger and resolve agree.
func DedupKey(key string) string {
	if utf8.RuneCountInString(key) <= maxDedupKey {
		return key
	}

	sum := sha256.Sum256([]byte(key))
	suffix := "-" + hex.EncodeToString(sum[:])[:hashSuffixLen]
	prefix := []rune(key)[:maxDedupKey-len(suffix)]
	return string(prefix) + suffix
}

// cut returns s with at most limit characters, ending in Truncated when
// it was shortened.
func cut(s string, limit int) string {
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return string(r[:limit-utf8.RuneCountInString(Truncated)]) + Truncated
}

// severity maps alertrouter's levels onto PagerDuty's. An unknown level,
// which validation should have stopped, pages as an error.
func severity(s alert.Severity) string {
	switch s {
	case alert.SeverityCritical:
		return "critical"
	case alert.SeverityWarning:
		return "warning"
	case alert.SeverityInfo:
		return "info"
	}
	return "error"
}

// buildEvent turns a notification into an Events API v2 event. A resolve
// carries only the routing key and the dedup key, which is all PagerDuty
// reads from it.
func buildEvent(routingKey string, n channels.Notification) *pagerduty.V2Event {
	key := n.Key
	if key == "" {
		key = n.Event.Key()
	}
	ev := &pagerduty.V2Event{
		RoutingKey: routingKey,
		DedupKey:   DedupKey(key),
		Client:     clientName,
	}
	if n.Resolved() {
		ev.Action = "resolve"
		return ev
	}

	ev.Action = "trigger"
	ev.Payload = payload(n)
	ev.Links = links(n.Event.Annotations)
	fitSize(ev, n)
	return ev
}

func payload(n channels.Notification) *pagerduty.V2Payload {
	e := n.Event
	source := e.Source
	if source == "" {
		source = clientName
	}

	p := &pagerduty.V2Payload{
		Summary:   cut(n.Headline(), maxSummary),
		Source:    source,
		Severity:  severity(e.Severity),
		Component: e.Labels["service"],
		Group:     e.Labels["team"],
		Class:     e.Name,
		Details:   details(n, -1, -1),
	}
	if !e.OccurredAt.IsZero() {
		p.Timestamp = e.OccurredAt.UTC().Format(time.RFC3339Nano)
	}
	return p
}

// details builds custom_details. Negative limits keep text whole.
func details(n channels.Notification, descLimit, valueLimit int) map[string]any {
	e := n.Event
	d := map[string]any{
		"event_id": e.ID, "name": e.Name, "route": n.Route, "receiver": n.Receiver,
		"reason": string(n.Reason), "suppressed": n.Suppressed,
	}
	if e.Description != "" {
		d["description"] = limitText(e.Description, descLimit)
	}
	if len(e.Labels) > 0 {
		d["labels"] = limitValues(e.Labels, valueLimit)
	}
	if len(e.Annotations) > 0 {
		d["annotations"] = limitValues(e.Annotations, valueLimit)
	}
	if len(e.Compliance) > 0 {
		d["compliance"] = e.Compliance
	}
	return d
}

func limitText(s string, limit int) string {
	if limit < 0 {
		return s
	}
	return cut(s, limit)
}

func limitValues(m map[string]string, limit int) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[limitText(k, limit)] = limitText(v, limit)
	}
	return out
}

func links(ann map[string]string) []any {
	var out []any
	for _, l := range []struct{ key, text string }{
		{"runbook_url", "Runbook"}, {"dashboard_url", "Dashboard"},
	} {
		if href := ann[l.key]; href != "" {
			out = append(out, map[string]string{"href": href, "text": l.text})
		}
	}
	return out
}

// fitSize keeps the event under PagerDuty's 512 KB: first by cutting the
// description and each label and annotation, then by keeping only the
// details that say where the alert came from.
func fitSize(ev *pagerduty.V2Event, n channels.Notification) {
	if size(ev) <= maxEventBytes {
		return
	}

	ev.Payload.Details = details(n, maxDescription, maxDetailValue)
	if size(ev) <= maxEventBytes {
		return
	}

	ev.Payload.Details = map[string]any{
		"event_id": n.Event.ID, "name": n.Event.Name, "route": n.Route,
		"receiver": n.Receiver, "reason": string(n.Reason), "suppressed": n.Suppressed,
		"truncated": "custom details dropped: the event exceeded 512 KB",
	}
	ev.Links = nil
}

func size(ev *pagerduty.V2Event) int {
	b, err := json.Marshal(ev)
	if err != nil {
		return 0
	}
	return len(b)
}
