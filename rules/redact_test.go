package rules

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedactKeys(t *testing.T) {
	r := parse(t, receiversYAML+route1+`redact_patterns:
  patient_id: 'PAT-[0-9]{6}'
  mrn: 'MRN[0-9]+'
sensitive_labels: [patient, Patient_Name]
`)

	require.Len(t, r.RedactPatterns, 2)
	require.Equal(t, "patient_id", r.RedactPatterns[0].Name, "file order is kept")
	require.Equal(t, "mrn", r.RedactPatterns[1].Name)
	require.True(t, r.RedactPatterns[0].Pattern.MatchString("id PAT-123456"))
	require.Equal(t, []string{"patient", "Patient_Name"}, r.SensitiveLabels)
}

func TestRedactKeysOneLabel(t *testing.T) {
	r := parse(t, receiversYAML+route1+"sensitive_labels: patient\n")
	require.Equal(t, []string{"patient"}, r.SensitiveLabels)
	require.Empty(t, r.RedactPatterns)
}

func TestRedactKeyErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"bad regex", "redact_patterns:\n  mrn: 'MRN[0-9'\n",
			"rules.yaml:10:8: redact_patterns.mrn: invalid regular expression: " +
				"error parsing regexp: missing closing ]"},
		{"empty match", "redact_patterns:\n  any: '[0-9]*'\n",
			`rules.yaml:10:8: redact_patterns.any: pattern "[0-9]*" matches the empty string`},
		{"bad name", "redact_patterns:\n  Patient ID: 'P[0-9]+'\n",
			"rules.yaml:10:3: redact_patterns.Patient ID: invalid pattern name " +
				"(want a-z, 0-9, '_' or '-')"},
		{"pattern not text", "redact_patterns:\n  p: [a]\n",
			"rules.yaml:10:6: redact_patterns.p: must be a string, not a list"},
		{"patterns not a mapping", "redact_patterns: [a]\n",
			"rules.yaml:9:18: redact_patterns: must be a mapping, not a list"},
		{"duplicate pattern", "redact_patterns:\n  p: a\n  p: b\n",
			"rules.yaml:11:3: redact_patterns.p: duplicate key (first at line 10)"},
		{"bad label name", "sensitive_labels: [patient, 'patient-name']\n",
			`rules.yaml:9:29: sensitive_labels[1]: label name "patient-name" is invalid`},
		{"label twice", "sensitive_labels: [patient, PATIENT]\n",
			`rules.yaml:9:29: sensitive_labels[1]: label "PATIENT" listed twice`},
		{"labels empty", "sensitive_labels: []\n",
			"rules.yaml:9:19: sensitive_labels: must list at least one label name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := parseErrs(t, receiversYAML+route1+tt.src)
			require.Len(t, msgs, 1, strings.Join(msgs, "\n"))
			require.Contains(t, msgs[0], tt.want)
		})
	}
}
