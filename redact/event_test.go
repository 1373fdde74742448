package redact

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
)

// sampleEvent has personal data in every text field.
func sampleEvent() *alert.Event {
	return &alert.Event{
		ID:          "e1",
		Source:      "monitor/records",
		Name:        "export_failed",
		Severity:    alert.SeverityHigh,
		Status:      alert.StatusFiring,
		Compliance:  []string{"LGPD"},
		Title:       "export failed for CPF 529.982.247-25",
		Description: "patient maria@example.com, phone (11) 91234-5678, MRN-0042",
		Labels: map[string]string{
			"service": "records-api", "patient": "Maria Silva", "cpf": "52998224725",
		},
		Annotations: map[string]string{
			"runbook_url": "https://runbooks.example.org/export",
			"contact":     "+55 21 98765-4321",
			"Patient":     "Maria Silva",
		},
		OccurredAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Extra:      map[string]json.RawMessage{"raw_patient": json.RawMessage(`"Maria"`)},
	}
}

func TestEventRedactsTextAndSensitiveLabels(t *testing.T) {
	r := New([]Pattern{{Name: "mrn", Re: regexp.MustCompile(`MRN-\d+`)}},
		[]string{"PATIENT"})
	ev := sampleEvent()

	got := r.Event(ev)

	require.Equal(t, "export failed for CPF [REDACTED:cpf]", got.Title)
	require.Equal(t, "patient [REDACTED:email], phone [REDACTED:phone], [REDACTED:mrn]",
		got.Description)
	require.Equal(t, map[string]string{
		"service": "records-api", "patient": Mask, "cpf": "[REDACTED:cpf]",
	}, got.Labels)
	require.Equal(t, map[string]string{
		"runbook_url": "https://runbooks.example.org/export",
		"contact":     "[REDACTED:phone]",
		"Patient":     Mask,
	}, got.Annotations)
	require.Nil(t, got.Extra, "unknown fields are not checked, so they are dropped")
	require.Equal(t, ev.Key(), got.Key(), "the dedup key survives masked labels")
	require.Equal(t, ev.Fingerprint(), got.DedupKey)

	for _, f := range []func(*alert.Event) any{
		func(e *alert.Event) any { return e.ID }, func(e *alert.Event) any { return e.Source },
		func(e *alert.Event) any { return e.Name }, func(e *alert.Event) any { return e.Severity },
		func(e *alert.Event) any { return e.Status },
		func(e *alert.Event) any { return e.Compliance },
		func(e *alert.Event) any { return e.OccurredAt },
	} {
		require.Equal(t, f(ev), f(got))
	}
}

func TestEventDoesNotMutateInput(t *testing.T) {
	ev := sampleEvent()
	before, err := json.Marshal(ev)
	require.NoError(t, err)

	New(nil, []string{"patient"}).Event(ev)

	after, err := json.Marshal(ev)
	require.NoError(t, err)
	require.JSONEq(t, string(before), string(after))
	require.Equal(t, "Maria Silva", ev.Labels["patient"])
}

func TestEventKeepsDedupKey(t *testing.T) {
	tests := []struct {
		name    string
		dedup   string
		labels  map[string]string
		wantKey string
	}{
		{"producer dedup key kept", "k-1", map[string]string{"cpf": "52998224725"}, "k-1"},
		{"no label changed", "", map[string]string{"env": "prod"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &alert.Event{Source: "s", Name: "n", DedupKey: tt.dedup, Labels: tt.labels}
			got := New(nil, nil).Event(ev)
			require.Equal(t, tt.wantKey, got.DedupKey)
			require.Equal(t, ev.Key(), got.Key())
		})
	}
}

func TestEventWithoutMaps(t *testing.T) {
	ev := &alert.Event{Source: "s", Name: "n", Title: "a@b.org"}
	got := New(nil, []string{"x"}).Event(ev)
	require.Equal(t, "[REDACTED:email]", got.Title)
	require.Nil(t, got.Labels)
	require.Nil(t, got.Annotations)
}
