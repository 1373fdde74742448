package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
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

// DecodeError says why raw input is not a valid event. Field and Msg name
// the first offending field where there is one; Problems lists every
// offending field of an invalid event, Field and Msg being its first.
type DecodeError struct {
	Reason   string
	Field    string
	Msg      string
	Problems []FieldError
}

// FieldError is one problem with one field of an event.
type FieldError struct {
	Field string
	Msg   string
}

// String formats the problem as field: msg.
func (p FieldError) String() string {
	return p.Field + ": " + p.Msg
}

// Error formats the reason and then every problem, separated by "; ".
func (e *DecodeError) Error() string {
	if len(e.Problems) > 0 {
		parts := make([]string, len(e.Problems))
		for i, p := range e.Problems {
			parts[i] = p.String()
		}
		return e.Reason + ": " + strings.Join(parts, "; ")
	}
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
	ID          *string
	Source      string
	Name        string
	Severity    string
	Status      string
	Compliance  []string
	Title       string
	Description string
	Labels      map[string]string
	Annotations map[string]string
	DedupKey    *string
	OccurredAt  string
}

// fieldNames are the schema's top-level fields; fieldPtr takes the same
// indices.
var fieldNames = [...]string{
	"id", "source", "name", "severity", "status", "compliance", "title",
	"description", "labels", "annotations", "dedup_key", "occurred_at",
}

// Indices in fieldNames of the objects whose keys must be unique.
const (
	labelsField      = 8
	annotationsField = 9
)

// Decode parses and validates one event. It reads data once, checking the
// JSON syntax as it fills in the fields; only input that is not one JSON
// object is read again, to say why. An invalid event gives a DecodeError
// listing every offending field.
func (d *Decoder) Decode(data []byte) (*Event, error) {
	limit := d.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	if len(data) > limit {
		return nil, &DecodeError{Reason: ReasonTooLarge,
			Msg: fmt.Sprintf("event is %d bytes, limit is %d", len(data), limit)}
	}

	var r eventReader
	if !r.read(data) {
		return nil, &DecodeError{Reason: ReasonBadJSON, Msg: syntaxError(data).Error()}
	}

	ev := d.build(&r.w, &r.p)
	if err := r.p.err(); err != nil {
		return nil, err
	}
	ev.Extra = r.extra
	return ev, nil
}

// syntaxError says why data, which readEvent rejected, is not exactly one
// JSON object in valid UTF-8. It decodes data again with encoding/json,
// for the place and wording of the error; only rejected input pays that.
func syntaxError(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("input is not valid UTF-8")
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return errors.New("input starts with a byte order mark; send UTF-8 without one")
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.Equal(trimmed, []byte("null")) {
		return errors.New("event must be a JSON object, not null")
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("an event must be one JSON object, {...}")
	}

	var v json.RawMessage
	err := json.NewDecoder(bytes.NewReader(data)).Decode(&v)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %w", se.Offset, err)
	case err != nil:
		return err
	}
	return errors.New("trailing data after the event object")
}

// fieldIndex is the index in fieldNames of the encoded key, or -1. It
// allocates nothing unless the key has escapes.
func fieldIndex(key []byte) int {
	name := key[1 : len(key)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		name = []byte(keyString(key))
	}

	for i, f := range fieldNames {
		if string(name) == f {
			return i
		}
	}
	return -1
}

// fieldPtr points at the field of w named fieldNames[i].
func fieldPtr(w *wire, i int) any {
	return [...]any{
		&w.ID, &w.Source, &w.Name, &w.Severity, &w.Status, &w.Compliance, &w.Title,
		&w.Description, &w.Labels, &w.Annotations, &w.DedupKey, &w.OccurredAt,
	}[i]
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
