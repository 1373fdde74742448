package alert

import (
	"bytes"
	"encoding/json"
)

// member is one key and value of a JSON object, both still encoded and
// both slices of the input.
type member struct {
	key, val []byte
}

// eachMember calls fn for every member of the JSON object obj, in order.
// obj must be valid JSON (json.Valid) starting with '{', possibly after
// white space; eachMember does not check it again and allocates nothing.
func eachMember(obj []byte, fn func(m member)) {
	s := jsonScan{b: obj}
	s.space()
	s.i++ // {

	for {
		s.space()
		switch s.b[s.i] {
		case '}':
			return
		case ',':
			s.i++
			s.space()
		}

		k := s.i
		s.str()
		key := s.b[k:s.i]

		s.space()
		s.i++ // :
		s.space()
		v := s.i
		s.value()
		fn(member{key: key, val: s.b[v:s.i]})
	}
}

// countMembers is the number of members of the JSON object obj, which
// must be valid JSON starting with '{'.
func countMembers(obj []byte) int {
	n := 0
	eachMember(obj, func(member) { n++ })
	return n
}

// keyString decodes an encoded key. Keys without escapes, nearly all of
// them, are sliced; only escaped ones go through encoding/json.
func keyString(key []byte) string {
	inner := key[1 : len(key)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner)
	}

	var s string
	_ = json.Unmarshal(key, &s) // key is valid JSON, see eachMember
	return s
}

// jsonScan steps over valid JSON text.
type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// str steps over a string, quotes included.
func (s *jsonScan) str() {
	s.i++
	for s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			s.i++
		}
		s.i++
	}
	s.i++
}

// value steps over one value of any kind.
func (s *jsonScan) value() {
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		s.nested()
	default:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return
			}
			s.i++
		}
	}
}

// nested steps over an object or array, counting brackets outside strings.
func (s *jsonScan) nested() {
	depth := 0
	for {
		switch s.b[s.i] {
		case '"':
			s.str()
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		s.i++
		if depth == 0 {
			return
		}
	}
}
