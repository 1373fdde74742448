package alert

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// decodeSeeds are inputs each fuzz run starts from, besides the files in
// testdata/fuzz/FuzzDecode: the awkward corners of the schema.
var decodeSeeds = []string{
	`{"source":"s","name":"n","severity":"info"}`,
	`{"id":"e1","source":"ci/gates","name":"cov","severity":"HIGH","status":"Resolved",` +
		`"compliance":["lgpd"," Anvisa "],"title":"t","description":"d",` +
		`"labels":{"env":"prod"},"annotations":{"runbook_url":"https://x"},` +
		`"dedup_key":"k","occurred_at":"2026-05-06T07:08:09+02:00","extra":[1,{"a":null}]}`,
	`{"source":"s","name":"n","severity":"info","labels":{"a":"1","a":"2"}}`,
	`{"source":"s","source":"t","name":"n","severity":"info"}`,
	`{"\u0073ource":"s","name":"n","severity":"info","x":1,"\u0078":2}`,
	`{"source":"s","name":"n","severity":"info","title":"<!channel> \u0000 \u202e"}`,
	`{"source":"s","name":"n","severity":"info","labels":{"":"x"}}`,
	`{"source":"s","name":"n","severity":"info","occurred_at":"0000-01-01T00:00:00Z"}`,
	`{"source":"s","name":"n","severity":"info","compliance":[null]}`,
	`{"source":"s","name":"n","severity":"info","labels":null,"id":null}`,
	`{"source":"s"} {}`,
	`[[[[[[[[[[`,
	"{\"source\":\"\xff\"}",
	"\xef\xbb\xbf{}",
	`null`,
	``,
}

// reasons are the only reasons a Decode error may carry.
var reasons = map[string]bool{ReasonBadJSON: true, ReasonInvalid: true, ReasonTooLarge: true}

// FuzzDecode checks that no input makes Decode panic, that every error
// carries one of the three reasons, and that an accepted event encodes
// and decodes again to the same identity.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := testDecoder().Decode(data)
		if err != nil {
			var de *DecodeError
			require.True(t, errors.As(err, &de), "error %T: %v", err, err)
			require.True(t, reasons[de.Reason], "reason %q", de.Reason)
			require.NotEmpty(t, err.Error())
			require.Nil(t, ev)
			return
		}

		raw, err := json.Marshal(ev)
		require.NoError(t, err)

		// Encoding escapes <, > and & as \u003c (six bytes for one), so
		// the re-encoded event may exceed the limit the input met; that
		// size question is not what this property is about.
		again := testDecoder()
		again.MaxSize = 8*len(data) + 1024
		back, err := again.Decode(raw)
		require.NoError(t, err, "re-encoded event must decode: %s", raw)
		require.Equal(t, ev.Fingerprint(), back.Fingerprint())
		require.Equal(t, ev.Key(), back.Key())
		require.Equal(t, ev.ID, back.ID)
		require.True(t, ev.OccurredAt.Equal(back.OccurredAt))
	})
}

// TestDecodeHostileInput feeds Decode inputs that trip up careless
// parsers. Each must be accepted or rejected with a reason, quickly; the
// time bound is only a ceiling against a hang, not a performance test.
func TestDecodeHostileInput(t *testing.T) {
	valid := func(field, value string) []byte {
		return []byte(`{"source":"s","name":"n","severity":"info","` + field + `":` + value + `}`)
	}
	big := testDecoder()
	big.MaxSize = 4 << 20

	tests := []struct {
		name   string
		dec    *Decoder
		in     []byte
		reason string // "" means accepted
	}{
		{"100k open brackets", testDecoder(), []byte(strings.Repeat("[", 100_000)),
			ReasonTooLarge},
		{"100k open brackets, big limit", big, []byte(strings.Repeat("[", 100_000)),
			ReasonBadJSON},
		{"60k open brackets", testDecoder(), []byte(strings.Repeat("[", 60_000)), ReasonBadJSON},
		{"100k brackets in object", big, valid("x", strings.Repeat("[", 100_000)+
			strings.Repeat("]", 100_000)), ReasonBadJSON},
		{"100k nested objects", big, valid("x", strings.Repeat(`{"a":`, 100_000)+"1"+
			strings.Repeat("}", 100_000)), ReasonBadJSON},
		{"5k nested arrays", testDecoder(), valid("x", strings.Repeat("[", 5_000)+
			strings.Repeat("]", 5_000)), ""},
		{"over the limit nested", testDecoder(), valid("x", strings.Repeat("[", 70_000)),
			ReasonTooLarge},
		{"invalid UTF-8 in value", testDecoder(), valid("title", "\"a\xc3\x28b\""),
			ReasonBadJSON},
		{"invalid UTF-8 in key", testDecoder(), valid("\xed\xa0\x80", `"x"`), ReasonBadJSON},
		{"raw NUL in string", testDecoder(), valid("title", "\"a\x00b\""), ReasonBadJSON},
		{"escaped NUL in string", testDecoder(), valid("title", `"a\u0000b"`), ""},
		{"NUL between tokens", testDecoder(), []byte("{\x00}"), ReasonBadJSON},
		{"lone surrogate escape", testDecoder(), valid("title", `"\ud800"`), ""},
		{"1 MB label value", testDecoder(), valid("labels",
			`{"k":"`+strings.Repeat("v", 1<<20)+`"}`), ReasonTooLarge},
		{"1 MB label value, big limit", big, valid("labels",
			`{"k":"`+strings.Repeat("v", 1<<20)+`"}`), ""},
		{"1 MB title, big limit", big, valid("title", `"`+strings.Repeat("t", 1<<20)+`"`),
			ReasonInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			ev, err := tt.dec.Decode(tt.in)
			require.Less(t, time.Since(start), 5*time.Second, "sanity ceiling, not a benchmark")

			if tt.reason == "" {
				require.NoError(t, err)
				require.NotEmpty(t, ev.Fingerprint())
				return
			}
			require.Error(t, err)
			require.Equal(t, tt.reason, RejectReason(err), "%v", err)
		})
	}
}
