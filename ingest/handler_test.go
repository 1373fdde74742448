package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
)

var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fakePublisher records published events; the call numbered failAt (from
// 0) and every later one fail, as a NATS outage would.
type fakePublisher struct {
	mu     sync.Mutex
	events []*alert.Event
	failAt int
}

func (p *fakePublisher) Publish(_ context.Context, ev *alert.Event) (uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()

	if p.failAt >= 0 && len(p.events) >= p.failAt {
		return 0, errors.New("nats: no responders available for request")
	}
	p.events = append(p.events, ev)
	return uint64(100 + len(p.events)), nil
}

func (p *fakePublisher) published() []*alert.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*alert.Event(nil), p.events...)
}

func newTestHandler(t *testing.T, pub *fakePublisher, token string) *Handler {
	t.Helper()
	n := 0
	return New(Options{
		Publisher: pub,
		MaxSize:   4096,
		Token:     token,
		Now:       func() time.Time { return testNow },
		Decoder: alert.Decoder{NewID: func() string {
			n++
			return fmt.Sprintf("gen-%d", n)
		}},
	})
}

type reply struct {
	Error    string          `json:"error"`
	Accepted []storedEvent   `json:"accepted"`
	Stored   []storedEvent   `json:"stored"`
	Events   []rejectedEvent `json:"events"`
}

// do sends body to h and decodes the JSON reply.
func do(t *testing.T, h http.Handler, method, body string,
	header ...string) (*httptest.ResponseRecorder, reply) {
	t.Helper()
	req := httptest.NewRequest(method, "/v1/x", strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var r reply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r), rec.Body.String())
	return rec, r
}

const okEvent = `{"id":"e1","source":"ci/gates","name":"coverage_low","severity":"high",
	"title":"Coverage 71% for patient Ana"}`

func TestEventsAccepted(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		want     []storedEvent
		wantText string
	}{
		{"one object", okEvent, []storedEvent{
			{ID: "e1", Subject: "alerts.ci_gates.high", Seq: 101},
		}, "Coverage 71% for patient Ana"},
		{"array, one without id", `[` + okEvent + `,
			{"source":"monitor/api","name":"latency","severity":"warning","ticket":7}]`,
			[]storedEvent{
				{ID: "e1", Subject: "alerts.ci_gates.high", Seq: 101},
				{ID: "gen-1", Subject: "alerts.monitor_api.warning", Seq: 102},
			}, "Coverage 71% for patient Ana"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{failAt: -1}

			rec, r := do(t, newTestHandler(t, pub, "").Events(), http.MethodPost, tt.body)

			require.Equal(t, http.StatusAccepted, rec.Code)
			require.Equal(t, tt.want, r.Accepted)
			got := pub.published()
			require.Len(t, got, len(tt.want))
			require.Equal(t, tt.wantText, got[0].Title)
			require.Equal(t, testNow, got[0].OccurredAt)
		})
	}
}

func TestEventsKeepUnknownFields(t *testing.T) {
	pub := &fakePublisher{failAt: -1}

	rec, _ := do(t, newTestHandler(t, pub, "").Events(), http.MethodPost,
		`{"source":"s","name":"n","severity":"info","ticket":7}`)

	require.Equal(t, http.StatusAccepted, rec.Code)
	require.JSONEq(t, `7`, string(pub.published()[0].Extra["ticket"]))
}

func TestRejectedPublishesNothing(t *testing.T) {
	tests := []struct {
		name       string
		endpoint   func(h *Handler) http.Handler
		body       string
		wantError  string
		wantEvents []rejectedEvent
	}{
		{"one invalid event", (*Handler).Events, `{"source":"s","severity":"loud"}`,
			"1 of 1 events invalid", []rejectedEvent{{Index: 0, Reason: "invalid", Errors: []string{
				"name: is required (what is wrong, e.g. coverage_below_threshold)",
				`severity: unknown severity "loud" (want critical, high, warning or info)`,
			}}}},
		{"array with two invalid", (*Handler).Events, `[` + okEvent + `,{"name":"n"},
			{"source":"s","name":"n","severity":"info","occurred_at":"today"}]`,
			"2 of 3 events invalid", []rejectedEvent{
				{Index: 1, Reason: "invalid", Errors: []string{
					"source: is required (who raised the alert, e.g. ci/quality-gates)",
					"severity: is required (critical, high, warning or info)",
				}},
				{Index: 2, Reason: "invalid", Errors: []string{
					"occurred_at: must be an RFC 3339 time such as 2026-01-02T15:04:05Z",
				}},
			}},
		{"duplicate ids", (*Handler).Events, `[` + okEvent + `,` + okEvent + `]`,
			"1 of 2 events invalid", []rejectedEvent{{Index: 1, Reason: "invalid",
				Errors: []string{"id: same as event 0's; ids must be unique"}}}},
		{"event over the per-event limit", (*Handler).Events,
			`[{"source":"s","name":"n","severity":"info","description":"` +
				strings.Repeat("d", 3000) + `"}]`, "1 of 1 events invalid", nil},
		{"not json", (*Handler).Events, `[{"source":`, "bad_json: request body is not", nil},
		{"empty body", (*Handler).Events, ``, "request body is empty", nil},
		{"empty array", (*Handler).Events, `[]`, "empty array", nil},
		{"alertmanager without alertname", (*Handler).Alertmanager,
			`{"version":"4","alerts":[{"labels":{"alertname":"A"}},{"labels":{}}]}`,
			"1 of 2 alerts invalid", []rejectedEvent{{Index: 1, Reason: "invalid",
				Errors: []string{"labels.alertname: is required (the alert's name)"}}}},
		{"alertmanager old version", (*Handler).Alertmanager, `{"version":"3","alerts":[]}`,
			`invalid: version: "3" is not supported (want 4)`, nil},
		{"grafana bad version", (*Handler).Grafana, `{"version":"2","alerts":[]}`,
			`version: "2" is not supported (want 1)`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{failAt: -1}
			h := newTestHandler(t, pub, "")
			h.dec.MaxSize = 2048

			rec, r := do(t, tt.endpoint(h), http.MethodPost, tt.body)

			require.Equal(t, http.StatusBadRequest, rec.Code)
			require.Contains(t, r.Error, tt.wantError)
			require.Contains(t, r.Error, "nothing was published")
			if tt.wantEvents != nil {
				require.Equal(t, tt.wantEvents, r.Events)
			}
			require.Empty(t, pub.published())
		})
	}
}

func TestTooLargeEventReason(t *testing.T) {
	h := newTestHandler(t, &fakePublisher{failAt: -1}, "")
	h.dec.MaxSize = 100

	_, r := do(t, h.Events(), http.MethodPost, okEvent)

	require.Len(t, r.Events, 1)
	require.Equal(t, alert.ReasonTooLarge, r.Events[0].Reason)
	require.Contains(t, r.Events[0].Errors[0], "limit is 100")
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		header string
		want   int
	}{
		{"no token configured", "", "", http.StatusAccepted},
		{"missing", "s3cret", "", http.StatusUnauthorized},
		{"wrong", "s3cret", "Bearer s3cre", http.StatusUnauthorized},
		{"wrong scheme", "s3cret", "Basic s3cret", http.StatusUnauthorized},
		{"no scheme", "s3cret", "s3cret", http.StatusUnauthorized},
		{"right", "s3cret", "Bearer s3cret", http.StatusAccepted},
		{"scheme in lower case", "s3cret", "bearer s3cret", http.StatusAccepted},
		{"configured with a trailing newline", "s3cret\n", "Bearer s3cret",
			http.StatusAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{failAt: -1}
			var hdr []string
			if tt.header != "" {
				hdr = []string{"Authorization", tt.header}
			}

			rec, _ := do(t, newTestHandler(t, pub, tt.token).Events(), http.MethodPost,
				okEvent, hdr...)

			require.Equal(t, tt.want, rec.Code)
			if tt.want == http.StatusUnauthorized {
				require.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer")
				require.Empty(t, pub.published())
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			pub := &fakePublisher{failAt: -1}

			rec, r := do(t, newTestHandler(t, pub, "").Alertmanager(), method, okEvent)

			require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
			require.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
			require.Contains(t, r.Error, "use POST")
			require.Empty(t, pub.published())
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	big := `[` + strings.Repeat(okEvent+",", 60) + okEvent + `]`
	tests := []struct {
		name string
		body io.Reader
	}{
		{"known length", strings.NewReader(big)},
		{"unknown length", io.MultiReader(strings.NewReader(big))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{failAt: -1}
			req := httptest.NewRequest(http.MethodPost, "/v1/events", tt.body)
			rec := httptest.NewRecorder()

			newTestHandler(t, pub, "").Events().ServeHTTP(rec, req)

			require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
			require.Contains(t, rec.Body.String(), "larger than the limit of 4096 bytes")
			require.Empty(t, pub.published())
		})
	}
}

func TestPublishFailure(t *testing.T) {
	body := `[` + okEvent + `,{"id":"e2","source":"s","name":"n","severity":"info"},
		{"id":"e3","source":"s","name":"n","severity":"info"}]`
	tests := []struct {
		name       string
		failAt     int
		wantStored []storedEvent
	}{
		{"nothing stored", 0, nil},
		{"some stored", 2, []storedEvent{
			{ID: "e1", Subject: "alerts.ci_gates.high", Seq: 101},
			{ID: "e2", Subject: "alerts.s.info", Seq: 102},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{failAt: tt.failAt}

			rec, r := do(t, newTestHandler(t, pub, "").Events(), http.MethodPost, body)

			require.Equal(t, http.StatusServiceUnavailable, rec.Code)
			require.Equal(t, "5", rec.Header().Get("Retry-After"))
			require.Equal(t, "could not store the events: nats: no responders available "+
				"for request", r.Error)
			require.Equal(t, tt.wantStored, r.Stored)
			require.Empty(t, r.Accepted)
		})
	}
}

func TestWebhookEndpointsAccept(t *testing.T) {
	payload := `{"version":"%s","receiver":"hook","status":"firing","alerts":[
		{"status":"firing","labels":{"alertname":"DiskFull","severity":"critical"},
		 "startsAt":"2026-03-04T01:00:00Z","fingerprint":"abcdef0123456789"}]}`
	tests := []struct {
		name        string
		endpoint    func(h *Handler) http.Handler
		version     string
		wantSubject string
		wantKey     string
	}{
		{"alertmanager", (*Handler).Alertmanager, "4", "alerts.alertmanager_hook.critical",
			"alertmanager:abcdef0123456789"},
		{"grafana", (*Handler).Grafana, "1", "alerts.grafana_hook.critical",
			"grafana:abcdef0123456789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &fakePublisher{failAt: -1}
			h := tt.endpoint(newTestHandler(t, pub, ""))

			rec, r := do(t, h, http.MethodPost, fmt.Sprintf(payload, tt.version))

			require.Equal(t, http.StatusAccepted, rec.Code)
			require.Len(t, r.Accepted, 1)
			require.Equal(t, tt.wantSubject, r.Accepted[0].Subject)
			require.Equal(t, tt.wantKey, pub.published()[0].Key())
			require.Equal(t, r.Accepted[0].ID, pub.published()[0].ID)
		})
	}
}

func TestNewWithoutPublisherPanics(t *testing.T) {
	require.PanicsWithValue(t, "ingest: Options.Publisher is required", func() {
		New(Options{})
	})
}

func TestLogsHoldNoEventText(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		failAt int
		want   string
	}{
		{"accepted", okEvent, -1, `"ids":["e1"]`},
		{"rejected", `[` + okEvent + `,{"source":"s","name":"n","severity":"patient Ana"}]`, -1,
			`"event_1":"invalid severity"`},
		{"not stored", okEvent, 0, `"failed_id":"e1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs strings.Builder
			h := New(Options{
				Publisher: &fakePublisher{failAt: tt.failAt},
				Logger: slog.New(slog.NewJSONHandler(&logs,
					&slog.HandlerOptions{Level: slog.LevelDebug})),
			})

			do(t, h.Events(), http.MethodPost, tt.body)

			require.Contains(t, logs.String(), tt.want)
			require.NotContains(t, logs.String(), "patient Ana")
		})
	}
}

func TestEventWithoutIDIsStoredOnceWhenRetried(t *testing.T) {
	pub := &idRecorder{}
	h := New(Options{Publisher: pub})
	body := `{"source":"hook/x","name":"n","severity":"warning"}`

	for range 2 {
		rec := httptest.NewRecorder()
		h.Events().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/events",
			strings.NewReader(body)))
		require.Equal(t, http.StatusAccepted, rec.Code)
	}
	require.Len(t, pub.ids, 2)
	require.Equal(t, pub.ids[0], pub.ids[1], "a retry carries the same id, so JetStream stores it once")

	rec := httptest.NewRecorder()
	h.Events().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/events",
		strings.NewReader(`{"source":"hook/x","name":"other","severity":"warning"}`)))
	require.Equal(t, http.StatusAccepted, rec.Code)
	require.NotEqual(t, pub.ids[0], pub.ids[2], "different events get different ids")
}

// idRecorder is a Publisher that keeps the ids it was given.
type idRecorder struct{ ids []string }

func (p *idRecorder) Publish(_ context.Context, ev *alert.Event) (uint64, error) {
	p.ids = append(p.ids, ev.ID)
	return uint64(len(p.ids)), nil
}

func TestPayloadLevelRejectionNamesTheField(t *testing.T) {
	var logs strings.Builder
	h := New(Options{Publisher: &idRecorder{},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	rec := httptest.NewRecorder()
	h.Alertmanager().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/alertmanager",
		strings.NewReader(`{"version":"3","alerts":[]}`)))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, logs.String(), "field=version")
}
