package router

import (
	"github.com/alertrouter/alertrouter/redact"
	"github.com/alertrouter/alertrouter/rules"
)

// newRedactor builds the redactor of a rules set: the built-in kinds of
// personal data, plus the file's redact_patterns and sensitive_labels.
func newRedactor(rs *rules.Rules) *redact.Redactor {
	patterns := make([]redact.Pattern, len(rs.RedactPatterns))
	for i, p := range rs.RedactPatterns {
		patterns[i] = redact.Pattern{Name: p.Name, Re: p.Pattern}
	}
	return redact.New(patterns, rs.SensitiveLabels)
}

// redacts reports whether the named receiver wants personal data masked.
// A receiver the rules do not know (a replay for a receiver since
// removed) is masked too: when in doubt, leak nothing.
func (s *ruleSet) redacts(receiver string) bool {
	rcv := s.rules.Receivers[receiver]
	return rcv == nil || rcv.Redact
}
