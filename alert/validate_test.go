package alert

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// valid is the start of an event with every required field, for cases
// that add one more member.
const valid = `{"source":"s","name":"n","severity":"info"`

func TestDecodeReportsEveryProblem(t *testing.T) {
	cases := []struct {
		name, in string
		problems []FieldError
		text     string
	}{
		{"two fields", `{"source":"s","severity":"urgent"}`,
			[]FieldError{
				{"name", "is required (what is wrong, e.g. coverage_below_threshold)"},
				{"severity", `unknown severity "urgent" (want critical, high, warning or info)`},
			},
			"invalid: name: is required (what is wrong, e.g. coverage_below_threshold); " +
				`severity: unknown severity "urgent" (want critical, high, warning or info)`},
		{"everything wrong", `{"id":" ","status":"open","occurred_at":"now",` +
			`"compliance":["a",""],"labels":{"":"x"}}`,
			[]FieldError{
				{"source", "is required (who raised the alert, e.g. ci/quality-gates)"},
				{"name", "is required (what is wrong, e.g. coverage_below_threshold)"},
				{"id", "must not be empty when given"},
				{"severity", "is required (critical, high, warning or info)"},
				{"status", `unknown status "open" (want firing or resolved)`},
				{"compliance[1]", "must not be empty"},
				{"occurred_at", "must be an RFC 3339 time such as 2026-01-02T15:04:05Z"},
				{"labels", `key "" must be 1 to 128 bytes`},
			}, ""},
		{"wrong type is not also missing", `{"source":"s","name":"n","severity":3}`,
			[]FieldError{{"severity", "must be a string"}},
			"invalid: severity: must be a string"},
		{"type errors in schema order", `{"labels":[],"name":1,"source":"s","severity":"info"}`,
			[]FieldError{
				{"name", "must be a string"},
				{"labels", "must be an object of string values"},
			}, ""},
		{"empty dedup key", valid + `,"dedup_key":""}`,
			[]FieldError{{"dedup_key",
				"must not be empty when given (leave it out to use the fingerprint)"}},
			"invalid: dedup_key: must not be empty when given (leave it out to use the " +
				"fingerprint)"},
		{"control and formatting characters in identifiers",
			`{"id":"evt-1\n2026-12-04  delivered  fake","source":"ci/\u202egates",` +
				`"name":"n\u200b","severity":"info","dedup_key":"k\u001b[31m"}`,
			[]FieldError{
				{"id", "has U+000A at byte 5, which does not show as itself: " +
					"identifiers are one line of printable text"},
				{"source", "has U+202E at byte 3, which does not show as itself: " +
					"identifiers are one line of printable text"},
				{"name", "has U+200B at byte 1, which does not show as itself: " +
					"identifiers are one line of printable text"},
				{"dedup_key", "has U+001B at byte 1, which does not show as itself: " +
					"identifiers are one line of printable text"},
			}, ""},
		{"separators, odd spaces and blank letters in identifiers",
			`{"id":"p\u2029q","source":"a\u00a0b","name":"\u3164","severity":"info",` +
				`"dedup_key":"k\u2028"}`,
			[]FieldError{
				{"id", "has U+2029 at byte 1, which does not show as itself: " +
					"identifiers are one line of printable text"},
				{"source", "has U+00A0 at byte 1, which does not show as itself: " +
					"identifiers are one line of printable text"},
				{"name", "has U+3164 at byte 0, which does not show as itself: " +
					"identifiers are one line of printable text"},
				{"dedup_key", "has U+2028 at byte 1, which does not show as itself: " +
					"identifiers are one line of printable text"},
			}, ""},
		{"spaces around an id or a key", valid + `,"id":" a","dedup_key":"k "}`,
			[]FieldError{
				{"id", "starts or ends with a space: identifiers are compared as given, " +
					"so trim it"},
				{"dedup_key", "starts or ends with a space: identifiers are compared as " +
					"given, so trim it"},
			}, ""},
		{"blank dedup key", valid + `,"dedup_key":" \t"}`,
			[]FieldError{{"dedup_key",
				"must not be empty when given (leave it out to use the fingerprint)"}}, ""},
		{"bad label keys reported in sorted order",
			valid + `,"labels":{"` + strings.Repeat("z", 129) + `":"1","":"2"}}`,
			[]FieldError{{"labels", `key "" must be 1 to 128 bytes`}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			de := decodeError(t, tc.in)
			require.Equal(t, ReasonInvalid, de.Reason)
			require.Equal(t, tc.problems, de.Problems)
			require.Equal(t, tc.problems[0].Field, de.Field)
			require.Equal(t, tc.problems[0].Msg, de.Msg)
			if tc.text != "" {
				require.Equal(t, tc.text, de.Error())
			}
		})
	}
}

func TestDecodeRejectsDuplicateKeys(t *testing.T) {
	cases := []struct {
		name, in string
		want     string
	}{
		{"top-level field", `{"source":"a","name":"n","severity":"info","source":"c"}`,
			"invalid: source: given more than once"},
		{"given three times, said once", valid + `,"name":"b","name":"c"}`,
			"invalid: name: given more than once"},
		{"first value of wrong type", `{"source":1,"name":"n","severity":"info","source":"c"}`,
			"invalid: source: given more than once"},
		{"escaped spelling", valid + `,"sour\u0063e":"c"}`,
			"invalid: source: given more than once"},
		{"unknown field", valid + `,"ticket":1,"ticket":2}`,
			"invalid: ticket: given more than once"},
		{"label key", valid + `,"labels":{"env":"prod","team":"x","env":"dev"}}`,
			`invalid: labels: key "env" given more than once`},
		{"annotation key", valid + `,"annotations":{"a":"1","\u0061":"2"}}`,
			`invalid: annotations: key "a" given more than once`},
		{"label key with wrong type", valid + `,"labels":{"a":"1","a":2}}`,
			"invalid: labels: must be an object of string values"},
		{"several at once", `{"source":"a","source":"b","name":"n","name":"m",` +
			`"severity":"info","labels":{"x":"1","x":"1"}}`,
			"invalid: source: given more than once; name: given more than once; " +
				`labels: key "x" given more than once`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			de := decodeError(t, tc.in)
			require.Equal(t, ReasonInvalid, de.Reason)
			require.Equal(t, tc.want, de.Error())
			require.Equal(t, de.Problems[0].Field, de.Field)
		})
	}
}

func TestDecodeAllowsRepeatsElsewhere(t *testing.T) {
	ev, err := testDecoder().Decode([]byte(valid +
		`,"labels":{"a":"x","b":"x"},"ticket":{"k":1,"k":2},"note":"a \"}\" {[",` +
		`"list":[{"a":1},{"a":1}]}`))
	require.NoError(t, err)

	require.Equal(t, map[string]string{"a": "x", "b": "x"}, ev.Labels)
	require.JSONEq(t, `{"k":2}`, string(ev.Extra["ticket"]))
	require.Equal(t, `"a \"}\" {["`, string(ev.Extra["note"]))
	require.Equal(t, `[{"a":1},{"a":1}]`, string(ev.Extra["list"]))
}

func TestDecodeSyntaxMessages(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"null", ` null `, "bad_json: event must be a JSON object, not null"},
		{"array", `[1]`, "bad_json: an event must be one JSON object, {...}"},
		{"trailing object", valid + `} {}`, "bad_json: trailing data after the event object"},
		{"trailing brace", valid + `} }`, "bad_json: trailing data after the event object"},
		{"truncated", `{"source":`, "bad_json: unexpected EOF"},
		{"bad value", `{"source": x}`, "bad_json: invalid JSON at byte 12: " +
			"invalid character 'x' looking for beginning of value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			de := decodeError(t, tc.in)
			require.Equal(t, ReasonBadJSON, de.Reason)
			require.Empty(t, de.Problems)
			require.Equal(t, tc.want, de.Error())
		})
	}
}

func TestDecodeErrorWithoutProblems(t *testing.T) {
	cases := []struct {
		name string
		err  *DecodeError
		want string
	}{
		{"no field", &DecodeError{Reason: ReasonTooLarge, Msg: "big"}, "too_large: big"},
		{"one field", &DecodeError{Reason: ReasonInvalid, Field: "name", Msg: "is required"},
			"invalid: name: is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.err.Error())
		})
	}
}

func TestKeyString(t *testing.T) {
	for in, want := range map[string]string{
		`"plain"`: "plain", `"a\"b"`: `a"b`, `"\u00e9t\u00e9"`: "été", `"a\/b"`: "a/b",
	} {
		require.Equal(t, want, keyString([]byte(in)), in)
	}
}

func TestFieldTable(t *testing.T) {
	require.Equal(t, "labels", fieldNames[labelsField])
	require.Equal(t, "annotations", fieldNames[annotationsField])

	for i, name := range fieldNames {
		require.Equal(t, i, fieldIndex([]byte(`"`+name+`"`)), name)
	}
	require.Equal(t, -1, fieldIndex([]byte(`"Source"`)))
}

func TestExtraDoesNotAliasInput(t *testing.T) {
	in := []byte(valid + `,"x":"abc"}`)
	ev, err := testDecoder().Decode(in)
	require.NoError(t, err)

	copy(in, strings.Repeat("#", len(in)))
	require.Equal(t, `"abc"`, string(ev.Extra["x"]))
}

// decodeError decodes input that must be rejected and returns the error.
func decodeError(t *testing.T, in string) *DecodeError {
	t.Helper()
	_, err := testDecoder().Decode([]byte(in))
	require.Error(t, err)

	var de *DecodeError
	require.ErrorAs(t, err, &de)
	return de
}

func TestOccurredAtMustStayWritable(t *testing.T) {
	for _, in := range []string{"9999-12-31T23:00:00-05:00", "0001-01-01T01:00:00+05:00"} {
		de := decodeError(t, valid+`,"occurred_at":"`+in+`"}`)
		require.Equal(t, "occurred_at", de.Field, in)
		require.Contains(t, de.Msg, "0001 to 9999", in)
	}

	ev, err := testDecoder().Decode([]byte(valid + `,"occurred_at":"9999-12-31T23:00:00+05:00"}`))
	require.NoError(t, err)
	require.Equal(t, 9999, ev.OccurredAt.UTC().Year())
}

func TestDedupKeyLeftOutIsTheFingerprint(t *testing.T) {
	for _, in := range []string{valid + "}", valid + `,"dedup_key":null}`} {
		ev, err := testDecoder().Decode([]byte(in))
		require.NoError(t, err, in)
		require.Empty(t, ev.DedupKey, in)
		require.Equal(t, ev.Fingerprint(), ev.Key(), in)
	}
}
