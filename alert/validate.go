package alert

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// problems collects what is wrong with one event, at most one problem
// per field: once a field is found wrong, later checks of it would only
// repeat the news (a severity of the wrong type is also "missing").
type problems struct {
	list []FieldError
}

func (p *problems) add(field, format string, args ...any) {
	if p.has(field) {
		return
	}
	p.list = append(p.list, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) has(field string) bool {
	for _, e := range p.list {
		if e.Field == field {
			return true
		}
	}
	return false
}

// err is the DecodeError for the problems found, or nil if there are none.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	first := p.list[0]
	return &DecodeError{Reason: ReasonInvalid, Field: first.Field, Msg: first.Msg, Problems: p.list}
}

// build checks the fields of w and fills in defaults. The event is only
// meaningful when p stays empty.
func (d *Decoder) build(w *wire, p *problems) *Event {
	ev := &Event{
		Source:      strings.TrimSpace(w.Source),
		Name:        strings.TrimSpace(w.Name),
		Title:       w.Title,
		Description: w.Description,
		Labels:      w.Labels,
		Annotations: w.Annotations,
	}
	d.fillIdentity(ev, w, p)
	fillState(ev, w, p)
	d.fillTime(ev, w, p)
	checkText(ev, p)
	return ev
}

func (d *Decoder) fillIdentity(ev *Event, w *wire, p *problems) {
	if ev.Source == "" {
		p.add("source", "is required (who raised the alert, e.g. ci/quality-gates)")
	}
	if ev.Name == "" {
		p.add("name", "is required (what is wrong, e.g. coverage_below_threshold)")
	}
	switch {
	case w.ID == nil:
		ev.ID = d.newID()
	case strings.TrimSpace(*w.ID) == "":
		p.add("id", "must not be empty when given")
	default:
		ev.ID = *w.ID
	}
	// Like id, dedup_key is either left out (the fingerprint is the key)
	// or a real key: an empty one is more likely a publisher's bug than a
	// wish for the fingerprint.
	if w.DedupKey != nil {
		if strings.TrimSpace(*w.DedupKey) == "" {
			p.add("dedup_key", "must not be empty when given (leave it out to use the "+
				"fingerprint)")
		}
		ev.DedupKey = *w.DedupKey
	}

	for _, f := range []struct{ name, v string }{
		{"id", ev.ID}, {"source", ev.Source}, {"name", ev.Name}, {"dedup_key", ev.DedupKey},
	} {
		if len(f.v) > maxFieldLen {
			p.add(f.name, "is %d bytes, limit is %d", len(f.v), maxFieldLen)
		}
		if i := strings.IndexFunc(f.v, unprintable); i >= 0 {
			r, _ := utf8.DecodeRuneInString(f.v[i:])
			p.add(f.name, "has %U at byte %d, which does not show as itself: "+
				"identifiers are one line of printable text", r, i)
		} else if f.v != strings.TrimSpace(f.v) {
			p.add(f.name, "starts or ends with a space: identifiers are compared as given, "+
				"so trim it")
		}
	}
}

// unprintable reports whether r would not show as itself on one line:
// control characters (newlines, escapes), line and paragraph separators,
// invisible formatting (bidi overrides, zero-width characters), spaces
// other than U+0020, unassigned code points, and the Hangul fillers that
// render as nothing. An identifier holding one could forge or hide rows
// in a table or a log, or look like another.
func unprintable(r rune) bool {
	if r == ' ' {
		return false
	}
	return !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r) || hangulFiller(r)
}

// hangulFiller reports whether r is one of the Hangul filler letters,
// which are letters to Unicode but display as blank.
func hangulFiller(r rune) bool {
	return r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0
}

func fillState(ev *Event, w *wire, p *problems) {
	if strings.TrimSpace(w.Severity) == "" {
		p.add("severity", "is required (critical, high, warning or info)")
	} else if sev, err := ParseSeverity(w.Severity); err != nil {
		p.add("severity", "%v", err)
	} else {
		ev.Severity = sev
	}

	st, err := ParseStatus(w.Status)
	if err != nil {
		p.add("status", "%v", err)
	}
	ev.Status = st

	for i, c := range w.Compliance {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" {
			p.add(fmt.Sprintf("compliance[%d]", i), "must not be empty")
			continue
		}
		if !ev.HasCompliance(c) {
			ev.Compliance = append(ev.Compliance, c)
		}
	}
}

func (d *Decoder) fillTime(ev *Event, w *wire, p *problems) {
	if w.OccurredAt == "" {
		ev.OccurredAt = d.now().UTC()
		return
	}
	t, err := time.Parse(time.RFC3339Nano, w.OccurredAt)
	switch {
	case err != nil:
		p.add("occurred_at", "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
	case t.UTC().Year() < 1 || t.UTC().Year() > 9999:
		// The offset moved it out of what RFC 3339 can write, so no far
		// side would take it back.
		p.add("occurred_at", "is outside the years 0001 to 9999 in UTC")
	}
	ev.OccurredAt = t
}

func checkText(ev *Event, p *problems) {
	if len(ev.Title) > maxTextLen {
		p.add("title", "is %d bytes, limit is %d", len(ev.Title), maxTextLen)
	}
	if len(ev.Labels) > maxLabels {
		p.add("labels", "has %d entries, limit is %d", len(ev.Labels), maxLabels)
	}

	var bad []string
	for k := range ev.Labels {
		if k == "" || len(k) > maxLabelKeyLen {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		p.add("labels", "key %q must be 1 to %d bytes", bad[0], maxLabelKeyLen)
	}
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
