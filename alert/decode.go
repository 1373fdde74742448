package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// DefaultMaxSize is the largest encoded event accepted unless configured
// otherwise: 64 KiB.
const DefaultMaxSize = 64 << 10

// Limits on fields, so that one event cannot blow up a notification.
const (
	maxFieldLen    = 1024
	maxLabels      = 64
	maxTextLen     = 16 << 10
	maxLabelKeyLen = 128
)

// Reasons an event is rejected. Each is also the last token of the
// dead-letter subject, alerts_deadletter.<reason>.
const (
	ReasonTooLarge = "too_large"
	ReasonBadJSON  = "bad_json"
	ReasonInvalid  = "invalid"
)

// DecodeError says why raw input is not a valid event. Field names the
// offending field where there is one.
type DecodeError struct {
	Reason string
	Field  string
	Msg    string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return e.Reason + ": " + e.Msg
	}
	return e.Reason + ": " + e.Field + ": " + e.Msg
}

// RejectReason returns the reason of a DecodeError inside err, or "invalid".
func RejectReason(err error) string {
	var de *DecodeError
	if errors.As(err, &de) {
		return de.Reason
	}
	return ReasonInvalid
}

// Decoder turns raw bytes into validated events with defaults filled in.
// The zero value is usable: 64 KiB limit, wall clock, UUID ids.
type Decoder struct {
	// MaxSize is the largest accepted input in bytes; 0 means DefaultMaxSize.
	MaxSize int
	// Now gives the receipt time used when occurred_at is absent.
	Now func() time.Time
	// NewID makes an id for events published without one.
	NewID func() string
}

// wire mirrors Event with loose types, so that validation can say which
// field is wrong instead of failing the whole decode.
type wire struct {
	ID          *string           `json:"id"`
	Source      string            `json:"source"`
	Name        string            `json:"name"`
	Severity    string            `json:"severity"`
	Status      string            `json:"status"`
	Compliance  []string          `json:"compliance"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	DedupKey    string            `json:"dedup_key"`
	OccurredAt  string            `json:"occurred_at"`
}

var knownFields = map[string]bool{
	"id": true, "source": true, "name": true, "severity": true, "status": true,
	"compliance": true, "title": true, "description": true, "labels": true,
	"annotations": true, "dedup_key": true, "occurred_at": true,
}

// Decode parses and validates one event.
func (d *Decoder) Decode(data []byte) (*Event, error) {
	limit := d.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	if len(data) > limit {
		return nil, &DecodeError{Reason: ReasonTooLarge,
			Msg: fmt.Sprintf("event is %d bytes, limit is %d", len(data), limit)}
	}

	var raw map[string]json.RawMessage
	if err := strictUnmarshal(data, &raw); err != nil {
		return nil, &DecodeError{Reason: ReasonBadJSON, Msg: err.Error()}
	}
	var w wire
	for k, v := range raw {
		if !knownFields[k] {
			continue
		}
		if err := json.Unmarshal(v, fieldPtr(&w, k)); err != nil {
			return nil, &DecodeError{Reason: ReasonInvalid, Field: k, Msg: typeMsg(k)}
		}
	}

	ev, err := d.build(&w)
	if err != nil {
		return nil, err
	}
	for k, v := range raw {
		if !knownFields[k] {
			if ev.Extra == nil {
				ev.Extra = make(map[string]json.RawMessage)
			}
			ev.Extra[k] = v
		}
	}
	return ev, nil
}

func strictUnmarshal(data []byte, v any) error {
	if !utf8.Valid(data) {
		return errors.New("input is not valid UTF-8")
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return errors.New("input starts with a byte order mark; send UTF-8 without one")
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || trimmed[0] != '{' {
		if !bytes.Equal(trimmed, []byte("null")) {
			return errors.New("an event must be one JSON object, {...}")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("invalid JSON at byte %d: %w", se.Offset, err)
		}
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the event object")
	}
	if v, ok := v.(*map[string]json.RawMessage); ok && *v == nil {
		return errors.New("event must be a JSON object, not null")
	}
	return nil
}

func fieldPtr(w *wire, k string) any {
	switch k {
	case "id":
		return &w.ID
	case "source":
		return &w.Source
	case "name":
		return &w.Name
	case "severity":
		return &w.Severity
	case "status":
		return &w.Status
	case "compliance":
		return &w.Compliance
	case "title":
		return &w.Title
	case "description":
		return &w.Description
	case "labels":
		return &w.Labels
	case "annotations":
		return &w.Annotations
	case "dedup_key":
		return &w.DedupKey
	default:
		return &w.OccurredAt
	}
}

func typeMsg(k string) string {
	switch k {
	case "compliance":
		return "must be a list of strings"
	case "labels", "annotations":
		return "must be an object of string values"
	default:
		return "must be a string"
	}
}

func (d *Decoder) build(w *wire) (*Event, error) {
	ev := &Event{
		Source:      strings.TrimSpace(w.Source),
		Name:        strings.TrimSpace(w.Name),
		Title:       w.Title,
		Description: w.Description,
		Labels:      w.Labels,
		Annotations: w.Annotations,
		DedupKey:    w.DedupKey,
	}
	if err := d.fillIdentity(ev, w); err != nil {
		return nil, err
	}
	if err := fillState(ev, w); err != nil {
		return nil, err
	}
	if err := d.fillTime(ev, w); err != nil {
		return nil, err
	}
	if err := checkText(ev); err != nil {
		return nil, err
	}
	return ev, nil
}

func invalid(field, format string, args ...any) *DecodeError {
	return &DecodeError{Reason: ReasonInvalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (d *Decoder) fillIdentity(ev *Event, w *wire) error {
	if ev.Source == "" {
		return invalid("source", "is required (who raised the alert, e.g. ci/quality-gates)")
	}
	if ev.Name == "" {
		return invalid("name", "is required (what is wrong, e.g. coverage_below_threshold)")
	}
	switch {
	case w.ID == nil:
		ev.ID = d.newID()
	case strings.TrimSpace(*w.ID) == "":
		return invalid("id", "must not be empty when given")
	default:
		ev.ID = *w.ID
	}
	for _, f := range []struct{ name, v string }{
		{"id", ev.ID}, {"source", ev.Source}, {"name", ev.Name}, {"dedup_key", ev.DedupKey},
	} {
		if len(f.v) > maxFieldLen {
			return invalid(f.name, "is %d bytes, limit is %d", len(f.v), maxFieldLen)
		}
	}
	return nil
}

func fillState(ev *Event, w *wire) error {
	if strings.TrimSpace(w.Severity) == "" {
		return invalid("severity", "is required (critical, high, warning or info)")
	}
	sev, err := ParseSeverity(w.Severity)
	if err != nil {
		return invalid("severity", "%v", err)
	}
	ev.Severity = sev

	st, err := ParseStatus(w.Status)
	if err != nil {
		return invalid("status", "%v", err)
	}
	ev.Status = st

	for i, c := range w.Compliance {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" {
			return invalid(fmt.Sprintf("compliance[%d]", i), "must not be empty")
		}
		if !ev.HasCompliance(c) {
			ev.Compliance = append(ev.Compliance, c)
		}
	}
	return nil
}

func (d *Decoder) fillTime(ev *Event, w *wire) error {
	if w.OccurredAt == "" {
		ev.OccurredAt = d.now().UTC()
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, w.OccurredAt)
	if err != nil {
		return invalid("occurred_at", "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	ev.OccurredAt = t
	return nil
}

func checkText(ev *Event) error {
	if len(ev.Title) > maxTextLen {
		return invalid("title", "is %d bytes, limit is %d", len(ev.Title), maxTextLen)
	}
	if len(ev.Labels) > maxLabels {
		return invalid("labels", "has %d entries, limit is %d", len(ev.Labels), maxLabels)
	}
	for k := range ev.Labels {
		if k == "" || len(k) > maxLabelKeyLen {
			return invalid("labels", "key %q must be 1 to %d bytes", k, maxLabelKeyLen)
		}
	}
	return nil
}

func (d *Decoder) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Decoder) newID() string {
	if d.NewID != nil {
		return d.NewID()
	}
	return uuid.NewString()
}
