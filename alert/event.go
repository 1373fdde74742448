// Package alert holds the event model shared by every part of alertrouter:
// the fields of a schema v1 event, the severity order, validation, the
// fingerprint that identifies an alert, and decoding of raw input.
package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// SchemaVersion is the version of the event schema this package decodes.
const SchemaVersion = 1

// Event is one report of an alert's state, as a producer published it.
type Event struct {
	ID          string            `json:"id"`
	Source      string            `json:"source"`
	Name        string            `json:"name"`
	Severity    Severity          `json:"severity"`
	Status      Status            `json:"status"`
	Compliance  []string          `json:"compliance,omitempty"`
	Title       string            `json:"title,omitempty"`
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	DedupKey    string            `json:"dedup_key,omitempty"`
	OccurredAt  time.Time         `json:"occurred_at"`

	// Extra holds top-level fields the schema does not know. They are kept
	// for the audit trail and ignored for routing.
	Extra map[string]json.RawMessage `json:"-"`
}

// Fingerprint is a stable hash of the alert's identity: source, name and
// the sorted labels. Annotations, title and description never change it.
func (e *Event) Fingerprint() string {
	h := sha256.New()
	h.Write([]byte(e.Source))
	h.Write([]byte{0})
	h.Write([]byte(e.Name))

	keys := make([]string, 0, len(e.Labels))
	for k := range e.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
		h.Write([]byte{'='})
		h.Write([]byte(e.Labels[k]))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Key returns the identity used for deduplication: the producer's
// dedup_key when it gave one, else the fingerprint.
func (e *Event) Key() string {
	if e.DedupKey != "" {
		return e.DedupKey
	}
	return e.Fingerprint()
}

// HasCompliance reports whether the event names the regime (upper case).
func (e *Event) HasCompliance(regime string) bool {
	for _, c := range e.Compliance {
		if c == regime {
			return true
		}
	}
	return false
}

// Subject returns the NATS subject the event is published on:
// alerts.<source>.<severity>, with the source made into one safe token.
func (e *Event) Subject() string {
	return "alerts." + SubjectToken(e.Source) + "." + e.Severity.String()
}

// SubjectToken turns s into one NATS subject token: every character other
// than ASCII letters, digits, '-' and '_' becomes '_'.
func SubjectToken(s string) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Clone returns a deep copy, so that a channel or redactor can change text
// without touching the event other receivers see.
func (e *Event) Clone() *Event {
	c := *e
	c.Compliance = append([]string(nil), e.Compliance...)
	c.Labels = cloneMap(e.Labels)
	c.Annotations = cloneMap(e.Annotations)
	if e.Extra != nil {
		c.Extra = make(map[string]json.RawMessage, len(e.Extra))
		for k, v := range e.Extra {
			c.Extra[k] = v
		}
	}
	return &c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// MarshalJSON writes the event with its unknown fields alongside the known
// ones, so that an event round-trips through the audit trail intact.
func (e *Event) MarshalJSON() ([]byte, error) {
	type plain Event
	known, err := marshal((*plain)(e))
	if err != nil || len(e.Extra) == 0 {
		return known, err
	}

	var all map[string]json.RawMessage
	if err := json.Unmarshal(known, &all); err != nil {
		return nil, err
	}
	for k, v := range e.Extra {
		if _, ok := all[k]; !ok {
			all[k] = v
		}
	}
	return marshal(all)
}
