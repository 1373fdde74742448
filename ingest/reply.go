package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/alertrouter/alertrouter/alert"
)

// storedEvent is one event JetStream acknowledged.
type storedEvent struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Seq     uint64 `json:"seq"`
}

// acceptedReply is the body of a 202.
type acceptedReply struct {
	Accepted []storedEvent `json:"accepted"`
}

// errorReply is the body of every error answer. Events lists rejected
// events (400); Stored lists events stored before a failure (503).
type errorReply struct {
	Error  string          `json:"error"`
	Events []rejectedEvent `json:"events,omitempty"`
	Stored []storedEvent   `json:"stored,omitempty"`
}

// rejectedEvent says why one event, or one alert of a webhook payload,
// was refused. Index is its position in the request.
type rejectedEvent struct {
	Index  int      `json:"index"`
	Reason string   `json:"reason"`
	Errors []string `json:"errors"`

	// fields names the offending fields, for the log, which must not
	// hold the messages: they may quote event text.
	fields []string
}

// batchError lists the rejected events of a /v1/events request.
type batchError struct {
	total  int
	events []rejectedEvent
}

func (e *batchError) Error() string {
	return fmt.Sprintf("%d of %d events invalid", len(e.events), e.total)
}

// rejectionOf builds the 400 body for a decode error.
func rejectionOf(err error) errorReply {
	var be *batchError
	var we *alert.WebhookError
	switch {
	case errors.As(err, &be):
		return errorReply{Error: be.Error() + "; nothing was published", Events: be.events}
	case errors.As(err, &we):
		return errorReply{
			Error: fmt.Sprintf("%d of %d alerts invalid; nothing was published",
				len(we.Alerts), we.Total),
			Events: alertRejections(we.Alerts),
		}
	}
	return errorReply{Error: err.Error() + "; nothing was published"}
}

func alertRejections(list []*alert.AlertError) []rejectedEvent {
	out := make([]rejectedEvent, len(list))
	for i, a := range list {
		out[i] = rejectedEvent{Index: a.Index, Reason: a.Reason}
		for _, p := range a.Problems {
			out[i].Errors = append(out[i].Errors, p.String())
			out[i].fields = append(out[i].fields, p.Field)
		}
	}
	return out
}

// rejectedAt describes the decode error of the event at index i.
func rejectedAt(i int, err error) rejectedEvent {
	var de *alert.DecodeError
	if !errors.As(err, &de) {
		return rejectedEvent{Index: i, Reason: alert.ReasonInvalid, Errors: []string{err.Error()}}
	}

	r := rejectedEvent{Index: i, Reason: de.Reason}
	for _, p := range de.Problems {
		r.Errors = append(r.Errors, p.String())
		r.fields = append(r.fields, p.Field)
	}
	if len(de.Problems) == 0 {
		msg := de.Msg
		if de.Field != "" {
			msg = de.Field + ": " + msg
			r.fields = []string{de.Field}
		}
		r.Errors = []string{msg}
	}
	return r
}

func idsOf(events []storedEvent) []string {
	ids := make([]string, len(events))
	for i, ev := range events {
		ids[i] = ev.ID
	}
	return ids
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorReply{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// The client may be gone; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
