package alert

import (
	"bytes"
	"encoding/json"
)

// eventReader fills a wire from an event object while the scanner checks
// its syntax, so that the input is read once. Values go into the wire the
// way json.Unmarshal would put them there, wrong types included.
type eventReader struct {
	w     wire
	p     problems
	extra map[string]json.RawMessage // the members the schema does not know

	s      scanner
	fields [len(fieldNames)]fieldRead
}

// fieldRead is what reading one schema field found.
type fieldRead struct {
	given     int  // times the event gives the field
	wrongType bool // its value, or an item or member of it, has the wrong JSON type

	// repeated says whether an object value gives a key more than once;
	// repeatedKey is the first such key.
	repeated    bool
	repeatedKey string
}

// read reads data, which must be exactly one JSON object in valid UTF-8
// (false if it is not), fills r.w from the fields the schema knows and
// r.extra with the members it does not know. A field given more than once
// or with the wrong JSON type is a problem, and so is a key given more
// than once in labels or annotations.
func (r *eventReader) read(data []byte) bool {
	r.s = scanner{b: data}
	s := &r.s
	s.space()
	s.open('{')
	for n := 0; s.more('}', n); n++ {
		key, ok := s.key()
		if !ok {
			break
		}
		if i := fieldIndex(key); i >= 0 {
			r.field(i)
		} else {
			r.unknown(key)
		}
	}
	s.space()
	if s.bad || s.i < len(data) {
		return false
	}

	r.report()
	return true
}

// field reads the value of the schema's field i. A field given more than
// once is a problem, and none of its values is used.
func (r *eventReader) field(i int) {
	f := &r.fields[i]
	f.given++
	if f.given > 1 {
		r.p.add(fieldNames[i], "given more than once")
		clearField(&r.w, i)
		r.s.skip()
		return
	}

	var ok bool
	switch v := fieldPtr(&r.w, i).(type) {
	case *string:
		ok = r.readString(v)
	case **string:
		ok = r.readOptional(v)
	case *[]string:
		ok = r.readList(v)
	case *map[string]string:
		ok = r.readMap(v, f)
	}
	f.wrongType = !ok
}

// report adds the problems found in the values of fields given once: wrong
// types in schema order, then repeated keys. A field has at most one
// problem (see problems), so a repeated key in labels of the wrong type,
// or given twice, is not also reported.
func (r *eventReader) report() {
	for i, f := range r.fields {
		if f.wrongType {
			r.p.add(fieldNames[i], "%s", typeMsg(fieldNames[i]))
		}
	}
	for _, i := range [...]int{labelsField, annotationsField} {
		if f := r.fields[i]; f.repeated {
			r.p.add(fieldNames[i], "key %q given more than once", f.repeatedKey)
		}
	}
}

// unknown keeps a member the schema does not know, copied so that the
// event does not hold on to the input buffer. A member given more than
// once is a problem; the first is kept.
func (r *eventReader) unknown(key []byte) {
	start := r.s.i
	r.s.skip()
	if r.s.bad {
		return
	}

	k := keyString(key)
	if _, dup := r.extra[k]; dup {
		r.p.add(k, "given more than once")
		return
	}
	if r.extra == nil {
		r.extra = make(map[string]json.RawMessage)
	}
	r.extra[k] = bytes.Clone(r.s.b[start:r.s.i])
}

// readString reads a string into dst. Like json.Unmarshal, it leaves dst
// as it is for null, and reports false for any other type.
func (r *eventReader) readString(dst *string) bool {
	switch r.s.peek() {
	case '"':
		*dst = text(r.s.str())
		return true
	case 'n':
		r.s.word("null")
		return true
	}
	r.s.skip()
	return false
}

// readOptional reads a string that may be absent: null makes dst nil.
func (r *eventReader) readOptional(dst **string) bool {
	if r.s.peek() == 'n' {
		r.s.word("null")
		*dst = nil
		return true
	}

	var v string
	if !r.readString(&v) {
		return false
	}
	*dst = &v
	return true
}

// readList reads a list of strings into dst. Like json.Unmarshal, it makes
// dst nil for null and keeps "" for an item that is null or of the wrong
// type; it reports false if the value or an item has the wrong type.
func (r *eventReader) readList(dst *[]string) bool {
	switch r.s.peek() {
	case 'n':
		r.s.word("null")
		*dst = nil
		return true
	case '[':
	default:
		r.s.skip()
		return false
	}

	var list []string
	ok := true
	r.s.open('[')
	for n := 0; r.s.more(']', n); n++ {
		var item string
		if !r.readString(&item) {
			ok = false
		}
		list = append(list, item)
	}
	*dst = list
	return ok
}

// readMap reads an object of strings into dst and notes in f the first key
// given more than once. Like json.Unmarshal, it makes dst nil for null,
// keeps the last value of a repeated key, and keeps "" for a value that is
// null or of the wrong type; it reports false if the value or a member's
// value has the wrong type.
func (r *eventReader) readMap(dst *map[string]string, f *fieldRead) bool {
	switch r.s.peek() {
	case 'n':
		r.s.word("null")
		*dst = nil
		return true
	case '{':
	default:
		r.s.skip()
		return false
	}

	m := make(map[string]string)
	ok := true
	r.s.open('{')
	for n := 0; r.s.more('}', n); n++ {
		key, keyOK := r.s.key()
		if !keyOK {
			break
		}
		k := keyString(key)
		var v string
		if !r.readString(&v) {
			ok = false
		}
		size := len(m)
		m[k] = v
		if len(m) == size && !f.repeated { // k was there already
			f.repeated, f.repeatedKey = true, k
		}
	}
	*dst = m
	return ok
}

// clearField sets field i of w to its zero value, as if it were absent.
func clearField(w *wire, i int) {
	switch v := fieldPtr(w, i).(type) {
	case *string:
		*v = ""
	case **string:
		*v = nil
	case *[]string:
		*v = nil
	case *map[string]string:
		*v = nil
	}
}
