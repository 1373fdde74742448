package fakepagerduty

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxBody is the largest event PagerDuty accepts: 512 KB.
const MaxBody = 512 * 1024

const (
	routingKeyLen = 32
	maxDedupKey   = 255
	maxSummary    = 1024
)

// Event is one accepted event, as it was sent.
type Event struct {
	RoutingKey string            `json:"routing_key"`
	Action     string            `json:"event_action"`
	DedupKey   string            `json:"dedup_key"`
	Payload    *Payload          `json:"payload"`
	Links      []Link            `json:"links"`
	Images     []json.RawMessage `json:"images"`
	Client     string            `json:"client"`
	ClientURL  string            `json:"client_url"`

	// Received is when the fake accepted the event.
	Received time.Time `json:"-"`
	// Dropped is true for an acknowledge or resolve that found no open
	// incident: PagerDuty accepts it and does nothing.
	Dropped bool `json:"-"`
	// Size is the request body's length in bytes.
	Size int `json:"-"`
}

// Payload is a trigger event's payload.
type Payload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp"`
	Component     string         `json:"component"`
	Group         string         `json:"group"`
	Class         string         `json:"class"`
	CustomDetails map[string]any `json:"custom_details"`
}

// Link is a link attached to an event.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// Incident is the state PagerDuty keeps for one routing key and dedup
// key between a trigger and its resolve.
type Incident struct {
	RoutingKey string
	DedupKey   string
	// Status is StatusTriggered, StatusAcknowledged or StatusResolved.
	Status string
	// Summary and Severity come from the latest trigger.
	Summary  string
	Severity string
	// Triggers counts the trigger events folded into the incident.
	Triggers   int
	OpenedAt   time.Time
	ResolvedAt time.Time
}

// handleEnqueue serves POST /v2/enqueue.
func (s *Server) handleEnqueue(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))

	s.mu.Lock()
	defer s.mu.Unlock()

	s.requests++
	if status := s.takeFault(); status != 0 {
		writeFault(w, status)
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"status": "method not allowed"})
		return
	}

	ev, problems := decode(body, readErr)
	if len(problems) == 0 {
		problems = s.validate(ev)
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"status": "invalid event", "message": "Event object is invalid", "errors": problems,
		})
		return
	}

	now := s.now()
	if !s.allow(ev.RoutingKey, now) {
		writeFault(w, http.StatusTooManyRequests)
		return
	}

	ev.Received, ev.Size = now, len(body)
	s.apply(&ev)
	writeJSON(w, http.StatusAccepted, map[string]any{
		"status": "success", "message": "Event processed", "dedup_key": ev.DedupKey,
	})
}

func decode(body []byte, readErr error) (Event, []string) {
	var ev Event
	switch {
	case readErr != nil:
		return ev, []string{"could not read request body"}
	case len(body) > MaxBody:
		return ev, []string{"Event object is larger than 512 KB"}
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&ev); err != nil {
		return ev, []string{"Could not parse event JSON: " + err.Error()}
	}
	return ev, nil
}

// validate lists everything wrong with an event, in PagerDuty's manner.
// The caller holds s.mu.
func (s *Server) validate(ev Event) []string {
	var out []string
	switch {
	case ev.RoutingKey == "":
		out = append(out, "'routing_key' is missing or blank")
	case len(ev.RoutingKey) != routingKeyLen:
		out = append(out, "'routing_key' must be 32 characters")
	case !s.keys[ev.RoutingKey]:
		out = append(out, "'routing_key' is not a known integration key")
	}

	if utf8.RuneCountInString(ev.DedupKey) > maxDedupKey {
		out = append(out, "'dedup_key' must be at most 255 characters")
	}

	switch ev.Action {
	case "trigger":
		out = append(out, validatePayload(ev.Payload)...)
	case "acknowledge", "resolve":
		if ev.DedupKey == "" {
			out = append(out, "'dedup_key' is required for acknowledge and resolve")
		}
	default:
		out = append(out, "'event_action' must be one of trigger, acknowledge, resolve")
	}

	for i, l := range ev.Links {
		if l.Href == "" {
			out = append(out, fmt.Sprintf("'links[%d].href' is missing or blank", i))
		}
	}
	return out
}

func validatePayload(p *Payload) []string {
	if p == nil {
		return []string{"'payload' is missing"}
	}

	var out []string
	switch n := utf8.RuneCountInString(p.Summary); {
	case strings.TrimSpace(p.Summary) == "":
		out = append(out, "'payload.summary' is missing or blank")
	case n > maxSummary:
		out = append(out, "'payload.summary' must be at most 1024 characters")
	}
	if strings.TrimSpace(p.Source) == "" {
		out = append(out, "'payload.source' is missing or blank")
	}
	switch p.Severity {
	case "critical", "error", "warning", "info":
	default:
		out = append(out, "'payload.severity' must be one of critical, error, warning, info")
	}
	if p.Timestamp != "" {
		if _, err := time.Parse(time.RFC3339Nano, p.Timestamp); err != nil {
			out = append(out, "'payload.timestamp' is not a valid ISO 8601 time")
		}
	}
	return out
}

// apply records an accepted event and updates incident state. The caller
// holds s.mu.
func (s *Server) apply(ev *Event) {
	if ev.Action == "trigger" && ev.DedupKey == "" {
		ev.DedupKey = newKey()
	}

	inc := s.openIncident(ev.RoutingKey, ev.DedupKey)
	switch {
	case ev.Action == "trigger" && inc == nil:
		s.incidents = append(s.incidents, &Incident{
			RoutingKey: ev.RoutingKey, DedupKey: ev.DedupKey, Status: StatusTriggered,
			Summary: ev.Payload.Summary, Severity: ev.Payload.Severity,
			Triggers: 1, OpenedAt: ev.Received,
		})
	case ev.Action == "trigger":
		inc.Triggers++
		inc.Summary, inc.Severity = ev.Payload.Summary, ev.Payload.Severity
	case inc == nil:
		ev.Dropped = true
	case ev.Action == "acknowledge":
		inc.Status = StatusAcknowledged
	default:
		inc.Status, inc.ResolvedAt = StatusResolved, ev.Received
	}
	s.events = append(s.events, *ev)
}

func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// writeFault answers 429 with PagerDuty's JSON throttle body, and other
// statuses with an HTML page as a load balancer would.
func writeFault(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests {
		writeJSON(w, status, map[string]any{
			"status":  "throttle exceeded",
			"message": "Requests for this service are arriving too quickly. Please retry later.",
		})
		return
	}

	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", status,
		http.StatusText(status))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
