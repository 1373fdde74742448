package alert

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// jsonCases are JSON values, each valid or not by encoding/json's rules,
// for checking that the decoder reads the same syntax wherever a value
// may stand.
var jsonCases = []struct {
	value string
	valid bool
}{
	{`0`, true}, {`-0`, true}, {`12`, true}, {`-12.50`, true}, {`1.5e-3`, true},
	{`0E+0`, true}, {`1e5`, true},
	{`01`, false}, {`-01`, false}, {`1.`, false}, {`.5`, false}, {`-`, false},
	{`1e`, false}, {`1e+`, false}, {`+1`, false}, {`0x10`, false}, {`1.e3`, false},
	{`--1`, false}, {`NaN`, false}, {`Infinity`, false},

	{`true`, true}, {`false`, true}, {`null`, true},
	{`tru`, false}, {`nul`, false}, {`True`, false}, {`nulll`, false}, {`truefalse`, false},

	{`""`, true}, {`"\"\\\/\b\f\n\r\t"`, true}, {`"\u00e9\u00E9"`, true},
	{`"\ud83d\ude00"`, true}, {`"\ud800"`, true}, {"\"\x7f\"", true},
	{`"\x"`, false}, {`"\u12"`, false}, {`"\u12G4"`, false}, {`"\U0041"`, false},
	{`"\'"`, false}, {"\"\t\"", false}, {"\"\x1f\"", false}, {`"abc`, false}, {`"\`, false},

	{`[]`, true}, {`{}`, true}, {`[1,[2,{}],"]"]`, true}, {`{"a":{"b":[]},"":1}`, true},
	{`[1,]`, false}, {`[,1]`, false}, {`{"a":1,}`, false}, {`{,}`, false}, {`{"a"}`, false},
	{`{"a":}`, false}, {`{a:1}`, false}, {`{"a" 1}`, false}, {`[1 2]`, false},
	{`{"a":1 "b":2}`, false}, {`[1}`, false}, {`{]`, false}, {`{"a":1]`, false},
	{`{1:2}`, false}, {`[`, false}, {`{"a":`, false},

	{" [ 1 ,\t2 ,\r\n{ \"a\" : null } ] ", true},
	{"[1,\v2]", false}, {"[1,\f2]", false}, {"[1,\u00a02]", false}, {"[1,\x002]", false},
}

// TestDecodeSyntaxEverywhere puts each of jsonCases where an unknown
// field, a string field, a compliance item, a label value and a nested
// value go: the decoder must reject exactly the invalid ones as bad_json,
// whichever part of it reads the value.
func TestDecodeSyntaxEverywhere(t *testing.T) {
	places := map[string]string{
		"unknown field": valid + `,"x":%s}`,
		"title":         valid + `,"title":%s}`,
		"id":            valid + `,"id":%s}`,
		"compliance":    valid + `,"compliance":["a",%s]}`,
		"label value":   valid + `,"labels":{"a":"1","b":%s}}`,
		"nested":        valid + `,"x":{"y":[{"z":%s}]}}`,
	}
	for place, format := range places {
		for _, tc := range jsonCases {
			in := strings.Replace(format, "%s", tc.value, 1)
			require.Equal(t, tc.valid, json.Valid([]byte(in)), "%s: %q", place, in)

			_, err := testDecoder().Decode([]byte(in))
			badJSON := err != nil && RejectReason(err) == ReasonBadJSON
			require.Equal(t, !tc.valid, badJSON, "%s: %q: %v", place, in, err)
		}
	}
}

func TestDecodeRejectsInvalidUTF8(t *testing.T) {
	cases := map[string]string{
		"label key":              valid + ",\"labels\":{\"\xff\":\"1\"}}",
		"label value":            valid + ",\"labels\":{\"a\":\"\xfe\"}}",
		"compliance item":        valid + ",\"compliance\":[\"\xc3\x28\"]}",
		"nested unknown":         valid + ",\"x\":{\"y\":[\"ok\",\"\xff\"]}}",
		"unknown key":            valid + ",\"\x80\":1}",
		"overlong slash":         valid + ",\"title\":\"\xc0\xaf\"}",
		"surrogate as UTF-8":     valid + ",\"title\":\"\xed\xb0\x80\"}",
		"cut short":              valid + ",\"title\":\"\xe2\x82\"}",
		"beyond U+10FFFF":        valid + ",\"title\":\"\xf4\x90\x80\x80\"}",
		"with a syntax error":    valid + ",\"title\":\"\xff\" x}",
		"between tokens":         valid + ",\xff\"x\":1}",
		"after the event object": valid + "} \xff",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			de := decodeError(t, in)
			require.Equal(t, "bad_json: input is not valid UTF-8", de.Error())
		})
	}
}

func TestDecodeKeepsValidUTF8(t *testing.T) {
	ev, err := testDecoder().Decode([]byte(valid + `,"title":"été 😀 ` + "\u202e\U0010FFFF" +
		`","labels":{"città":"São Paulo"}}`))
	require.NoError(t, err)

	require.Equal(t, "été 😀 \u202e\U0010FFFF", ev.Title)
	require.Equal(t, map[string]string{"città": "São Paulo"}, ev.Labels)
}

func TestDecodeNestingLimit(t *testing.T) {
	// encoding/json allows 10,000 levels, the event object being the first.
	arrays := func(levels int) []byte {
		return []byte(valid + `,"x":` + strings.Repeat("[", levels) +
			strings.Repeat("]", levels) + "}")
	}
	_, err := testDecoder().Decode(arrays(9999))
	require.NoError(t, err)

	_, err = testDecoder().Decode(arrays(10000))
	require.Equal(t, ReasonBadJSON, RejectReason(err))
	require.ErrorContains(t, err, "exceeded max depth")

	objects := valid + `,"x":` + strings.Repeat(`{"a":`, 9999) + "1" +
		strings.Repeat("}", 9999) + "}"
	ev, err := testDecoder().Decode([]byte(objects))
	require.NoError(t, err)
	require.Len(t, ev.Extra["x"], 9999*6+1)

	_, err = testDecoder().Decode([]byte(valid + `,"labels":` + strings.Repeat("[", 9999) +
		strings.Repeat("]", 9999) + "}"))
	require.EqualError(t, err, "invalid: labels: must be an object of string values")
}

func TestDecodeStrings(t *testing.T) {
	cases := []struct {
		name, value, want string
	}{
		{"plain", `"abc"`, "abc"},
		{"short escapes", `"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{"unicode escapes", `"\u00e9t\u00C9 \u0000 \u202e"`, "étÉ \x00 \u202e"},
		{"surrogate pair", `"\ud83d\ude00!"`, "😀!"},
		{"upper-case pair", `"\uD83D\uDE00"`, "😀"},
		{"lone high surrogate", `"a\ud800b"`, "a\ufffdb"},
		{"lone low surrogate", `"\udc00"`, "\ufffd"},
		{"low before high", `"\udc00\ud800"`, "\ufffd\ufffd"},
		{"high, high, low", `"\ud800\ud800\udc00"`, "\ufffd\U00010000"},
		{"high, then other escape", `"\ud800\u0041\n"`, "\ufffdA\n"},
		{"high, then short escape", `"\ud800\n"`, "\ufffd\n"},
		{"high at the end", `"x\udbff"`, "x\ufffd"},
		{"raw non-ASCII", `"été"`, "été"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var viaJSON string
			require.NoError(t, json.Unmarshal([]byte(tc.value), &viaJSON))
			require.Equal(t, tc.want, viaJSON, "the case agrees with encoding/json")

			ev, err := testDecoder().Decode([]byte(valid + `,"title":` + tc.value +
				`,"labels":{` + tc.value + `:` + tc.value + `},"x":{` + tc.value + `:1}}`))
			require.NoError(t, err)
			require.Equal(t, tc.want, ev.Title)
			require.Equal(t, map[string]string{tc.want: tc.want}, ev.Labels)
			require.Equal(t, `{`+tc.value+`:1}`, string(ev.Extra["x"]), "kept as sent")
		})
	}
}

func TestDecodeEscapedKeys(t *testing.T) {
	ev, err := testDecoder().Decode([]byte(`{"\u0073ource":"s","n\u0061me":"n",` +
		`"severity":"info","labels":{"\u0065nv":"prod"},"t\u00e9":1,"a\"b":2}`))
	require.NoError(t, err)

	require.Equal(t, "s", ev.Source)
	require.Equal(t, "n", ev.Name)
	require.Equal(t, map[string]string{"env": "prod"}, ev.Labels)
	require.Equal(t, map[string]json.RawMessage{"té": json.RawMessage(`1`),
		`a"b`: json.RawMessage(`2`)}, ev.Extra)

	de := decodeError(t, valid+`,"x":1,"\u0078":2}`)
	require.Equal(t, "invalid: x: given more than once", de.Error())
	de = decodeError(t, valid+`,"labels":{"\ud800":"1","\udfff":"2"}}`)
	require.Equal(t, "invalid: labels: key \"\ufffd\" given more than once", de.Error())
}

func TestDecodeWhiteSpaceEverywhere(t *testing.T) {
	in := " \t\r\n{ \"source\" :\t\"s\" ,\n\"name\"\r:\"n\", \"severity\" : \"info\" ,\n" +
		" \"compliance\" : [ \"a\" , \"b\" ] , \"labels\" : { \"k\" : \"v\" , \"z\" : null } ,\n" +
		" \"x\" : [ 1 , { } , \"s\" ] , \"y\" : -1.5e3 }\r\n\t "
	ev, err := testDecoder().Decode([]byte(in))
	require.NoError(t, err)

	require.Equal(t, []string{"A", "B"}, ev.Compliance)
	require.Equal(t, map[string]string{"k": "v", "z": ""}, ev.Labels)
	require.Equal(t, `[ 1 , { } , "s" ]`, string(ev.Extra["x"]))
	require.Equal(t, `-1.5e3`, string(ev.Extra["y"]))
}

// TestDecodeFillsLikeUnmarshal pins how values of each JSON type land in
// the fields, as json.Unmarshal puts them: null, empty and partly wrong
// values.
func TestDecodeFillsLikeUnmarshal(t *testing.T) {
	ev, err := testDecoder().Decode([]byte(valid + `,"id":null,"title":null,` +
		`"labels":{},"annotations":{"a":null},"compliance":[],"occurred_at":null}`))
	require.NoError(t, err)
	require.Equal(t, "generated-id", ev.ID)
	require.Empty(t, ev.Title)
	require.NotNil(t, ev.Labels, "{} is an empty map, not none")
	require.Empty(t, ev.Labels)
	require.Equal(t, map[string]string{"a": ""}, ev.Annotations)
	require.Nil(t, ev.Compliance)
	require.Nil(t, ev.Extra)

	ev, err = testDecoder().Decode([]byte(valid + `,"labels":null,"annotations":null}`))
	require.NoError(t, err)
	require.Nil(t, ev.Labels)
	require.Nil(t, ev.Annotations)

	cases := []struct {
		name, in, want string
	}{
		{"wrong item keeps its place", valid + `,"compliance":["a",1,[2],""]}`,
			"invalid: compliance: must be a list of strings; compliance[1]: must not be empty; " +
				"compliance[2]: must not be empty; compliance[3]: must not be empty"},
		{"null item", valid + `,"compliance":["a",null]}`,
			"invalid: compliance[1]: must not be empty"},
		{"list not a list", valid + `,"compliance":{"a":"b"}}`,
			"invalid: compliance: must be a list of strings"},
		{"id of the wrong type", valid + `,"id":{"a":1}}`, "invalid: id: must be a string"},
		{"repeated field of the wrong type", valid + `,"title":1,"title":[]}`,
			"invalid: title: given more than once"},
		{"repeated list is not read", valid + `,"compliance":[""],"compliance":[""]}`,
			"invalid: compliance: given more than once"},
		{"type error before repeated key", valid + `,"labels":{"a":"1","a":"2"},` +
			`"annotations":{"b":[]}}`,
			"invalid: annotations: must be an object of string values; " +
				`labels: key "a" given more than once`},
		{"first repeated key named", valid + `,"annotations":{"a":"","b":"","b":"","a":""}}`,
			`invalid: annotations: key "b" given more than once`},
		{"repeats in the order given", `{"name":"n","x":1,"severity":"info","name":"m",` +
			`"x":2,"source":"s"}`,
			"invalid: name: given more than once; x: given more than once"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, decodeError(t, tc.in).Error())
		})
	}
}

func TestUnescapeDoesNotGrow(t *testing.T) {
	for _, raw := range []string{`\u0041`, `\ud83d\ude00`, `\ud800`, `\uffff`, `\n`, `\u00e9x`} {
		require.LessOrEqual(t, len(unescape([]byte(raw))), len(raw), raw)
	}
}
