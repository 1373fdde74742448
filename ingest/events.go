package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/alertrouter/alertrouter/alert"
)

// decodeEvents reads the body of /v1/events: one event object, or an
// array of them. Every event is decoded, so that the reply lists all the
// invalid ones, not only the first.
func (h *Handler) decodeEvents(body []byte) ([]*alert.Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &alert.DecodeError{Reason: alert.ReasonBadJSON,
			Msg: "request body is empty: send one event object or an array of them"}
	}
	if trimmed[0] != '[' {
		ev, err := h.decodeOne(trimmed)
		if err != nil {
			return nil, &batchError{total: 1, events: []rejectedEvent{rejectedAt(0, err)}}
		}
		return []*alert.Event{ev}, nil
	}

	var raws []json.RawMessage
	if err := json.Unmarshal(trimmed, &raws); err != nil {
		return nil, &alert.DecodeError{Reason: alert.ReasonBadJSON,
			Msg: fmt.Sprintf("request body is not a JSON array of events: %v", err)}
	}
	if len(raws) == 0 {
		return nil, &alert.DecodeError{Reason: alert.ReasonInvalid,
			Msg: "request body is an empty array: it holds no events"}
	}
	return h.decodeBatch(raws)
}

// decodeBatch decodes every event of an array. Two events with one id
// would be stored once, the second silently dropped as a duplicate, so
// the second is refused.
func (h *Handler) decodeBatch(raws []json.RawMessage) ([]*alert.Event, error) {
	events := make([]*alert.Event, 0, len(raws))
	berr := &batchError{total: len(raws)}
	firstWithID := make(map[string]int, len(raws))
	for i, raw := range raws {
		ev, err := h.decodeOne(raw)
		if err != nil {
			berr.events = append(berr.events, rejectedAt(i, err))
			continue
		}
		if j, dup := firstWithID[ev.ID]; dup {
			berr.events = append(berr.events, rejectedEvent{Index: i,
				Reason: alert.ReasonInvalid, fields: []string{"id"},
				Errors: []string{fmt.Sprintf("id: same as event %d's; ids must be unique", j)}})
			continue
		}
		firstWithID[ev.ID] = i
		events = append(events, ev)
	}
	if len(berr.events) > 0 {
		return nil, berr
	}
	return events, nil
}

// idSpace is the UUID namespace of ids derived from an event's content.
var idSpace = uuid.MustParse("5b0c4a52-4f0e-4c39-9a53-7d1d3c2b9e10")

// decodeOne decodes one event. An event sent without an id gets one
// derived from its bytes, so that a client retrying after a 503 (whose
// first attempt may still have been stored, e.g. published while NATS was
// reconnecting) is stored once within the stream's duplicate window.
func (h *Handler) decodeOne(raw []byte) (*alert.Event, error) {
	dec := h.dec
	if dec.NewID == nil {
		dec.NewID = func() string {
			return uuid.NewSHA1(idSpace, bytes.TrimSpace(raw)).String()
		}
	}
	return dec.Decode(raw)
}
