// Package ingest is alertrouter's HTTP ingest: it lets producers that can
// only call a webhook (Alertmanager, Grafana, a shell script with curl)
// publish events to the ALERTS stream.
//
// Every endpoint takes POST only, checks the optional bearer token, reads
// a body of bounded size, and validates every event in it before it
// publishes any: a request is stored whole or answered 400 with nothing
// stored. Events are published one by one, each waiting for JetStream's
// ack, and the reply, 202, comes only once all are stored. When storing
// fails the reply is 503 with Retry-After, which Alertmanager and Grafana
// retry; the ids already stored are named, and a retry with the same ids
// is stored once thanks to JetStream's duplicate window. Ids of
// Alertmanager and Grafana events are derived from the payload, so their
// retries are safe; a producer posting to /v1/events should set ids
// itself for the same guarantee.
//
// Event text (titles, descriptions) may hold personal data, so the
// handler logs ids, counts and reasons only.
package ingest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alertrouter/alertrouter/alert"
)

// DefaultMaxSize is the largest request body accepted unless configured
// otherwise: 1 MiB.
const DefaultMaxSize = 1 << 20

// retryAfter is what a 503 asks the client to wait, in seconds.
const retryAfter = "5"

// maxLoggedRejections caps the per-event reasons logged for one request.
const maxLoggedRejections = 10

// Options configure a Handler. Publisher is required.
type Options struct {
	// Publisher stores accepted events, e.g. JetStreamPublisher(js).
	Publisher Publisher
	// MaxSize is the largest request body in bytes; 0 means DefaultMaxSize.
	// Each event is also held to Decoder.MaxSize (64 KiB by default).
	MaxSize int
	// Token, when set, is the bearer token every request must carry;
	// surrounding white space is ignored, here and in requests.
	// Empty means no authentication.
	Token string
	// Decoder validates events and fills in their defaults.
	Decoder alert.Decoder
	// Now is the receipt time of events without one, when Decoder.Now is
	// not set; nil means the wall clock.
	Now func() time.Time
	// Logger receives one line per request; nil means no logging.
	Logger *slog.Logger
}

// Handler serves the ingest endpoints. It is safe for concurrent use.
type Handler struct {
	pub       Publisher
	maxSize   int
	tokenHash *[sha256.Size]byte
	dec       alert.Decoder
	log       *slog.Logger
}

// New returns a Handler for the options. It panics without a Publisher,
// which is a wiring mistake rather than a runtime condition.
func New(o Options) *Handler {
	if o.Publisher == nil {
		panic("ingest: Options.Publisher is required")
	}

	h := &Handler{pub: o.Publisher, maxSize: o.MaxSize, dec: o.Decoder, log: o.Logger}
	if h.maxSize <= 0 {
		h.maxSize = DefaultMaxSize
	}
	// A request's token is compared without surrounding white space, so
	// the configured one is too (a token read from a variable or a secret
	// may end in a newline).
	if token := strings.TrimSpace(o.Token); token != "" {
		sum := sha256.Sum256([]byte(token))
		h.tokenHash = &sum
	}
	if h.dec.Now == nil {
		h.dec.Now = o.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// Events serves POST /v1/events: one schema v1 event object, or a JSON
// array of them. Events without an id get a generated one.
func (h *Handler) Events() http.Handler {
	return h.endpoint("events", h.decodeEvents)
}

// Alertmanager serves POST /v1/alertmanager: an Alertmanager webhook
// payload (version 4), one event per alert; see alert.Decoder.Alertmanager.
func (h *Handler) Alertmanager() http.Handler {
	return h.endpoint("alertmanager", h.dec.Alertmanager)
}

// Grafana serves POST /v1/grafana: a Grafana webhook contact point
// payload (version 1), one event per alert; see alert.Decoder.Grafana.
func (h *Handler) Grafana() http.Handler {
	return h.endpoint("grafana", h.dec.Grafana)
}

// decodeFunc turns a request body into validated events.
type decodeFunc func(body []byte) ([]*alert.Event, error)

func (h *Handler) endpoint(name string, decode decodeFunc) http.Handler {
	log := h.log.With("endpoint", name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.serve(w, r, log, decode)
	})
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, log *slog.Logger,
	decode decodeFunc) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: use POST")
		return
	}

	if !h.authorized(r) {
		log.Warn("ingest request unauthorized", "remote_addr", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Bearer realm="alertrouter"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}

	body, status, err := h.readBody(w, r)
	if err != nil {
		log.Warn("ingest body refused", "status", status, "err", err)
		writeError(w, status, err.Error())
		return
	}

	events, err := decode(body)
	if err == nil {
		err = h.fitsStored(events)
	}
	if err != nil {
		h.reject(w, log, err)
		return
	}

	h.store(r.Context(), w, log, events)
}

// fitsStored checks that every event, encoded as it will be stored, is
// within the per-event limit the router applies.
func (h *Handler) fitsStored(events []*alert.Event) error {
	for i, ev := range events {
		if _, err := h.dec.Encoded(ev); err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	return nil
}

// authorized compares hashes of the tokens, so that neither the content
// nor the length of the configured token leaks through timing.
func (h *Handler) authorized(r *http.Request) bool {
	if h.tokenHash == nil {
		return true
	}

	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], h.tokenHash[:]) == 1
}

// readBody reads at most maxSize bytes and returns the status to answer
// with when it cannot.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	tooLarge := fmt.Errorf("request body is larger than the limit of %d bytes", h.maxSize)
	if r.ContentLength > int64(h.maxSize) {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(h.maxSize)))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("read request body: %w", err)
	}
	return body, http.StatusOK, nil
}

// reject answers 400 with every reason the input was refused.
func (h *Handler) reject(w http.ResponseWriter, log *slog.Logger, err error) {
	rep := rejectionOf(err)

	attrs := []any{"rejected", len(rep.Events), "reason", alert.RejectReason(err)}
	var de *alert.DecodeError
	if len(rep.Events) == 0 && errors.As(err, &de) && de.Field != "" {
		// A payload-level problem: name the field, never the value sent.
		attrs = append(attrs, "field", de.Field)
	}
	for _, ev := range rep.Events[:min(len(rep.Events), maxLoggedRejections)] {
		attrs = append(attrs, fmt.Sprintf("event_%d", ev.Index),
			strings.TrimSpace(ev.Reason+" "+strings.Join(ev.fields, ",")))
	}
	log.Warn("ingest request rejected, nothing published", attrs...)

	writeJSON(w, http.StatusBadRequest, rep)
}

// store publishes the events one by one and answers 202 once every one
// is acknowledged, or 503 naming those stored before the failure.
func (h *Handler) store(ctx context.Context, w http.ResponseWriter, log *slog.Logger,
	events []*alert.Event) {
	stored := make([]storedEvent, 0, len(events))
	for _, ev := range events {
		seq, err := h.pub.Publish(ctx, ev)
		if err != nil {
			log.Error("ingest could not store events", "events", len(events),
				"stored", len(stored), "stored_ids", idsOf(stored), "failed_id", ev.ID,
				"err", err)
			w.Header().Set("Retry-After", retryAfter)
			writeJSON(w, http.StatusServiceUnavailable, errorReply{
				Error:  "could not store the events: " + err.Error(),
				Stored: stored,
			})
			return
		}
		stored = append(stored, storedEvent{ID: ev.ID, Subject: ev.Subject(), Seq: seq})
	}

	log.Debug("ingest events stored", "events", len(stored), "ids", idsOf(stored))
	writeJSON(w, http.StatusAccepted, acceptedReply{Accepted: stored})
}
