// Package redact masks personal data in the text of an event before it
// is handed to a receiver marked redact: true. It finds Brazilian CPF and
// CNPJ numbers (check digits verified), e-mail addresses, phone numbers
// (Brazilian forms and international E.164) and payment card numbers
// (Luhn verified), plus the patterns the rules file adds, and replaces
// each with a mask such as [REDACTED:cpf]. Labels named as sensitive lose
// their whole value. It is pure: no I/O, no logging, safe for concurrent
// use.
//
// Matching runs in linear time: every expression is Go's RE2, the card
// scanner looks at a bounded window per digit group, and the number
// detectors are skipped when the text holds too few digits to contain
// any of them.
package redact

import (
	"regexp"
	"sort"
	"strings"

	"github.com/alertrouter/alertrouter/alert"
)

// Names of the built-in kinds, as they appear in masks.
const (
	KindCPF   = "cpf"
	KindCNPJ  = "cnpj"
	KindEmail = "email"
	KindPhone = "phone"
	KindCard  = "card"
)

// Mask replaces the value of a sensitive label or annotation entirely.
const Mask = "[REDACTED]"

// MaskOf is the mask written in place of a match of the named kind or
// pattern, such as [REDACTED:cpf].
func MaskOf(name string) string { return "[REDACTED:" + name + "]" }

// Pattern is an extra kind of personal data: matches of Re are masked as
// [REDACTED:Name].
type Pattern struct {
	Name string
	Re   *regexp.Regexp
}

// Redactor masks personal data. Build it once with New and share it: it
// holds no state that changes.
type Redactor struct {
	patterns  []Pattern
	sensitive map[string]bool
}

// New returns a Redactor that masks the built-in kinds and the given
// patterns, and blanks the labels and annotations named in
// sensitiveLabels (compared case-insensitively). Patterns without a
// regular expression are ignored.
func New(patterns []Pattern, sensitiveLabels []string) *Redactor {
	r := &Redactor{sensitive: make(map[string]bool, len(sensitiveLabels))}
	for _, p := range patterns {
		if p.Re != nil {
			r.patterns = append(r.patterns, p)
		}
	}
	for _, name := range sensitiveLabels {
		r.sensitive[strings.ToLower(name)] = true
	}
	return r
}

// String returns s with every match masked. Detectors run in a fixed
// priority order, each on the original text; a match that overlaps one
// already taken by an earlier detector is dropped:
//
//  1. the rules file's patterns, in the order given to New;
//  2. e-mail addresses (so that digits in an address stay inside it);
//  3. CPF, then CNPJ: two check digits make them the most certain;
//  4. card numbers: the Luhn digit and the usual grouping;
//  5. phone numbers, the loosest shape, last.
func (r *Redactor) String(s string) string {
	spans := r.find(s)
	if len(spans) == 0 {
		return s
	}

	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.start])
		b.WriteString(MaskOf(sp.kind))
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// Event returns a redacted copy of ev; ev itself is never changed. The
// title, the description and the values of labels and annotations are
// masked; sensitive labels and annotations become [REDACTED]. Identity
// and routing fields (id, source, name, severity, status, compliance,
// dedup_key, occurred_at) are kept as they are, and unknown top-level
// fields are dropped, since nothing checks what they hold. When masking
// changes a label, the copy's DedupKey is set to the original's
// fingerprint, so that Key() is the same for the copy as for ev.
func (r *Redactor) Event(ev *alert.Event) *alert.Event {
	c := ev.Clone()
	c.Extra = nil
	c.Title = r.String(ev.Title)
	c.Description = r.String(ev.Description)

	labelsChanged := r.values(c.Labels)
	r.values(c.Annotations)

	if labelsChanged && ev.DedupKey == "" {
		c.DedupKey = ev.Fingerprint()
	}
	return c
}

// values masks the values of m in place and reports whether any changed.
func (r *Redactor) values(m map[string]string) bool {
	changed := false
	for k, v := range m {
		nv := Mask
		if !r.sensitive[strings.ToLower(k)] {
			nv = r.String(v)
		}
		if nv != v {
			m[k] = nv
			changed = true
		}
	}
	return changed
}
