package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func testDecoder() *Decoder {
	return &Decoder{
		Now:   func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		NewID: func() string { return "generated-id" },
	}
}

func TestDecodeDefaults(t *testing.T) {
	ev, err := testDecoder().Decode([]byte(`{"source":"ci/gates","name":"cov","severity":"HIGH",
		"compliance":["lgpd"," Anvisa ","LGPD"],"ticket":42}`))
	require.NoError(t, err)

	require.Equal(t, "generated-id", ev.ID)
	require.Equal(t, SeverityHigh, ev.Severity)
	require.Equal(t, StatusFiring, ev.Status)
	require.Equal(t, []string{"LGPD", "ANVISA"}, ev.Compliance)
	require.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ev.OccurredAt)
	require.JSONEq(t, `42`, string(ev.Extra["ticket"]))
}

func TestDecodeKeepsGivenFields(t *testing.T) {
	ev, err := testDecoder().Decode([]byte(`{"id":"e1","source":"s","name":"n",
		"severity":"info","status":"Resolved","dedup_key":"k1",
		"occurred_at":"2026-05-06T07:08:09+02:00","labels":{"env":"prod"}}`))
	require.NoError(t, err)

	require.Equal(t, "e1", ev.ID)
	require.Equal(t, StatusResolved, ev.Status)
	require.Equal(t, "k1", ev.Key())
	require.Equal(t, "prod", ev.Labels["env"])
	require.True(t, ev.OccurredAt.Equal(time.Date(2026, 5, 6, 5, 8, 9, 0, time.UTC)))
}

func TestDecodeRejects(t *testing.T) {
	cases := []struct {
		name, in, reason, field string
	}{
		{"bad json", `{"source":`, ReasonBadJSON, ""},
		{"not an object", `[1,2]`, ReasonBadJSON, ""},
		{"null", `null`, ReasonBadJSON, ""},
		{"empty", ``, ReasonBadJSON, ""},
		{"byte order mark", "\xef\xbb\xbf{}", ReasonBadJSON, ""},
		{"trailing data", `{"source":"s","name":"n","severity":"info"} {}`, ReasonBadJSON, ""},
		{"invalid utf8", "{\"source\":\"\xff\",\"name\":\"n\",\"severity\":\"info\"}", ReasonBadJSON, ""},
		{"missing source", `{"name":"n","severity":"info"}`, ReasonInvalid, "source"},
		{"blank source", `{"source":"  ","name":"n","severity":"info"}`, ReasonInvalid, "source"},
		{"missing name", `{"source":"s","severity":"info"}`, ReasonInvalid, "name"},
		{"missing severity", `{"source":"s","name":"n"}`, ReasonInvalid, "severity"},
		{"unknown severity", `{"source":"s","name":"n","severity":"urgent"}`, ReasonInvalid, "severity"},
		{"severity not string", `{"source":"s","name":"n","severity":3}`, ReasonInvalid, "severity"},
		{"unknown status", `{"source":"s","name":"n","severity":"info","status":"open"}`,
			ReasonInvalid, "status"},
		{"labels not strings", `{"source":"s","name":"n","severity":"info","labels":{"a":1}}`,
			ReasonInvalid, "labels"},
		{"bad time", `{"source":"s","name":"n","severity":"info","occurred_at":"yesterday"}`,
			ReasonInvalid, "occurred_at"},
		{"empty id", `{"id":"","source":"s","name":"n","severity":"info"}`, ReasonInvalid, "id"},
		{"empty compliance", `{"source":"s","name":"n","severity":"info","compliance":[""]}`,
			ReasonInvalid, "compliance[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testDecoder().Decode([]byte(tc.in))
			require.Error(t, err)

			var de *DecodeError
			require.ErrorAs(t, err, &de)
			require.Equal(t, tc.reason, de.Reason)
			require.Equal(t, tc.field, de.Field)
			require.Equal(t, tc.reason, RejectReason(err))
		})
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	d := testDecoder()
	d.MaxSize = 100
	big := `{"source":"s","name":"n","severity":"info","description":"` +
		strings.Repeat("x", 100) + `"}`

	_, err := d.Decode([]byte(big))
	require.Error(t, err)
	require.Equal(t, ReasonTooLarge, RejectReason(err))
	require.Contains(t, err.Error(), "limit is 100")
}

func TestFingerprint(t *testing.T) {
	base := &Event{Source: "s", Name: "n", Labels: map[string]string{"a": "1", "b": "2"}}
	same := &Event{Source: "s", Name: "n", Labels: map[string]string{"b": "2", "a": "1"},
		Title: "other", Annotations: map[string]string{"runbook_url": "x"}}
	require.Equal(t, base.Fingerprint(), same.Fingerprint())

	for name, other := range map[string]*Event{
		"source": {Source: "t", Name: "n", Labels: base.Labels},
		"name":   {Source: "s", Name: "m", Labels: base.Labels},
		"label":  {Source: "s", Name: "n", Labels: map[string]string{"a": "1", "b": "3"}},
		"shift":  {Source: "s", Name: "n", Labels: map[string]string{"a": "1b", "": "2"}},
	} {
		require.NotEqual(t, base.Fingerprint(), other.Fingerprint(), name)
	}
}

func TestSeverityOrder(t *testing.T) {
	require.Greater(t, SeverityCritical, SeverityHigh)
	require.Greater(t, SeverityHigh, SeverityWarning)
	require.Greater(t, SeverityWarning, SeverityInfo)
	require.False(t, SeverityUnknown.Valid())

	for _, s := range Severities {
		got, err := ParseSeverity(strings.ToUpper(s.String()))
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
}

func TestSubject(t *testing.T) {
	ev := &Event{Source: "ci/quality.gates *>", Severity: SeverityWarning}
	require.Equal(t, "alerts.ci_quality_gates___.warning", ev.Subject())
}

func TestMarshalKeepsExtra(t *testing.T) {
	ev, err := testDecoder().Decode([]byte(`{"source":"s","name":"n","severity":"info","x":{"y":1}}`))
	require.NoError(t, err)

	out, err := ev.MarshalJSON()
	require.NoError(t, err)

	again, err := testDecoder().Decode(out)
	require.NoError(t, err)
	require.JSONEq(t, `{"y":1}`, string(again.Extra["x"]))
	require.Equal(t, ev.Fingerprint(), again.Fingerprint())
}

func TestDecodeErrorsReadable(t *testing.T) {
	cases := map[string]string{
		`[1,2]`:                 "one JSON object",
		"\xef\xbb\xbf{}":        "byte order mark",
		`{"source": x}`:         "invalid JSON at byte",
		`{"source":"s"} {}`:     "trailing data",
		"{\"source\":\"\xff\"}": "not valid UTF-8",
	}
	for in, want := range cases {
		_, err := testDecoder().Decode([]byte(in))
		require.ErrorContains(t, err, want, in)
		require.NotContains(t, err.Error(), "Go value", in)
	}
}
