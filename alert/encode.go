package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Encode writes ev as it is stored and read back by the router. Unlike
// json.Marshal it leaves <, > and & as they are, so that alert text does
// not grow six-fold on the way through.
func Encode(ev *Event) ([]byte, error) {
	return marshal(ev)
}

// Encoded encodes ev and checks that the result is within the decoder's
// size limit, so that an event accepted at the edge (publish, HTTP ingest)
// is never rejected as too large once stored: an added id, a filled-in
// occurred_at and JSON escaping can make the stored form larger than the
// input.
func (d *Decoder) Encoded(ev *Event) ([]byte, error) {
	data, err := Encode(ev)
	if err != nil {
		return nil, fmt.Errorf("encode event %s: %w", ev.ID, err)
	}

	limit := d.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	if len(data) > limit {
		return nil, &DecodeError{Reason: ReasonTooLarge, Msg: fmt.Sprintf(
			"event is %d bytes once encoded with its id and defaults, limit is %d",
			len(data), limit)}
	}
	return data, nil
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
