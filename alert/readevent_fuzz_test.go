package alert

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// FuzzDecodeAgreesWithEncodingJSON checks the decoder's own JSON reading
// against encoding/json: Decode rejects as bad_json exactly the input that
// is not one JSON object in valid UTF-8, and an accepted event holds what
// json.Unmarshal reads from each member.
func FuzzDecodeAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	for _, tc := range jsonCases {
		f.Add([]byte(valid + `,"x":` + tc.value + `}`))
	}
	f.Add([]byte(valid + `,"title":"\ud83d\ude00\ud800\u0041","labels":{"\u00e9":null}}`))
	f.Add([]byte(valid + `,"compliance":["a",1,null],"labels":{"a":"1","a":[]}}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := testDecoder().Decode(data)
		if RejectReason(err) == ReasonTooLarge {
			return
		}
		oneObject := utf8.Valid(data) && json.Valid(data) &&
			bytes.TrimLeft(data, " \t\r\n")[0] == '{'
		if err != nil {
			require.Equal(t, !oneObject, RejectReason(err) == ReasonBadJSON, "%v", err)
			return
		}
		require.True(t, oneObject, "accepted input encoding/json rejects")

		var members map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(data, &members))
		requireFieldsAsUnmarshal(t, ev, members)
	})
}

// requireFieldsAsUnmarshal checks each field of ev against json.Unmarshal
// of the member that gave it, and Extra against the unknown members.
func requireFieldsAsUnmarshal(t *testing.T, ev *Event, members map[string]json.RawMessage) {
	t.Helper()
	str := func(name string) string {
		var s string
		if raw, ok := members[name]; ok {
			require.NoError(t, json.Unmarshal(raw, &s), name)
		}
		return s
	}
	require.Equal(t, strings.TrimSpace(str("source")), ev.Source)
	require.Equal(t, strings.TrimSpace(str("name")), ev.Name)
	require.Equal(t, str("title"), ev.Title)
	require.Equal(t, str("description"), ev.Description)
	require.Equal(t, str("dedup_key"), ev.DedupKey)

	sev, err := ParseSeverity(str("severity"))
	require.NoError(t, err)
	require.Equal(t, sev, ev.Severity)
	st, err := ParseStatus(str("status"))
	require.NoError(t, err)
	require.Equal(t, st, ev.Status)

	if s := str("id"); s != "" {
		require.Equal(t, s, ev.ID)
	}
	if s := str("occurred_at"); s != "" {
		at, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		require.True(t, at.Equal(ev.OccurredAt))
	}

	var compliance []string
	if raw, ok := members["compliance"]; ok {
		require.NoError(t, json.Unmarshal(raw, &compliance))
	}
	var regimes []string
	for _, c := range compliance {
		if c = strings.ToUpper(strings.TrimSpace(c)); !slices.Contains(regimes, c) {
			regimes = append(regimes, c)
		}
	}
	require.Equal(t, regimes, ev.Compliance)

	for _, name := range []string{"labels", "annotations"} {
		var m map[string]string
		if raw, ok := members[name]; ok {
			require.NoError(t, json.Unmarshal(raw, &m), name)
		}
		got := ev.Labels
		if name == "annotations" {
			got = ev.Annotations
		}
		require.Equal(t, m, got, "%s: nil and empty differ too", name)
	}

	extra := map[string]json.RawMessage{}
	for name, raw := range members {
		if !slices.Contains(fieldNames[:], name) {
			extra[name] = raw
		}
	}
	require.Len(t, ev.Extra, len(extra))
	for name, raw := range extra {
		require.Equal(t, string(raw), string(ev.Extra[name]), name)
	}
}
