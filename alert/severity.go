package alert

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Severity ranks how urgent an alert is. Higher values are more urgent, so
// severities compare with the ordinary operators: SeverityCritical >
// SeverityHigh > SeverityWarning > SeverityInfo.
type Severity int

// The severity levels, lowest first. SeverityUnknown is the zero value and
// never appears in a valid event.
const (
	SeverityUnknown Severity = iota
	SeverityInfo
	SeverityWarning
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"", "info", "warning", "high", "critical"}

// Severities lists every valid level, highest first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityWarning, SeverityInfo}

// ParseSeverity reads a level name, ignoring case and surrounding space.
func ParseSeverity(s string) (Severity, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for i := SeverityInfo; i <= SeverityCritical; i++ {
		if severityNames[i] == name {
			return i, nil
		}
	}
	return SeverityUnknown, fmt.Errorf("unknown severity %q (want critical, high, warning or info)", s)
}

// String returns the level's lower-case name, or "unknown".
func (s Severity) String() string {
	if s <= SeverityUnknown || s > SeverityCritical {
		return "unknown"
	}
	return severityNames[s]
}

// Valid reports whether s is one of the four levels.
func (s Severity) Valid() bool {
	return s >= SeverityInfo && s <= SeverityCritical
}

// MarshalJSON writes the level's name.
func (s Severity) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.String())
}

// UnmarshalJSON reads a level name, case-insensitively.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return fmt.Errorf("severity must be a string")
	}
	if name == "unknown" {
		// What MarshalJSON writes for the zero value, so it round-trips.
		*s = SeverityUnknown
		return nil
	}
	v, err := ParseSeverity(name)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Status says whether the condition an event reports has begun or ended.
type Status string

// The two statuses. An event without a status is firing.
const (
	StatusFiring   Status = "firing"
	StatusResolved Status = "resolved"
)

// ParseStatus reads a status name, ignoring case; empty means firing.
func ParseStatus(s string) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "firing":
		return StatusFiring, nil
	case "resolved":
		return StatusResolved, nil
	}
	return "", fmt.Errorf("unknown status %q (want firing or resolved)", s)
}
