// Package health serves alertrouter's liveness and readiness endpoints.
// /healthz answers as long as the process can serve HTTP; /readyz runs a
// set of named checks (NATS connected, streams, consumer and state
// buckets present, rules loaded) and answers 503 with the failing check
// named when the router cannot do its work, so that an orchestrator stops
// sending it traffic and an operator sees why.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// DefaultTimeout bounds a whole readiness probe: every check together.
const DefaultTimeout = 2 * time.Second

// The values of the status field of the responses.
const (
	StatusOK       = "ok"
	StatusReady    = "ready"
	StatusNotReady = "not ready"
)

// Check is one readiness condition. Run returns nil when the condition
// holds; its error is shown to whoever asks, so it must hold no secret.
// Run must honour ctx.
type Check struct {
	// Name keys the check in the readiness response; names should be
	// unique, a repeated name shows only one of the results.
	Name string
	// Run tests the condition.
	Run func(ctx context.Context) error
}

// Handler serves /healthz and /readyz for a fixed set of checks. It is
// safe for concurrent use.
type Handler struct {
	checks  []Check
	timeout time.Duration
}

// Response is the JSON body of both endpoints.
type Response struct {
	// Status is StatusOK (liveness), StatusReady or StatusNotReady.
	Status string `json:"status"`
	// Checks maps each check's name to "ok" or its error; absent from
	// the liveness response.
	Checks map[string]string `json:"checks,omitempty"`
}

// New returns a Handler that runs checks on every readiness probe.
func New(checks ...Check) *Handler {
	return &Handler{checks: checks, timeout: DefaultTimeout}
}

// Healthz answers 200 {"status":"ok"} whenever the process is alive
// enough to serve HTTP. It runs no check: a NATS outage must make the
// router unready, not get it restarted.
func (h *Handler) Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed(w, r) {
			return
		}
		write(w, http.StatusOK, Response{Status: StatusOK})
	})
}

// Readyz runs every check concurrently within DefaultTimeout (or the
// request's own deadline, if sooner) and answers 200 with status "ready"
// when all pass, else 503 with status "not ready"; the body maps each
// check's name to "ok" or its error. A check still running at the
// deadline is reported as timed out.
func (h *Handler) Readyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed(w, r) {
			return
		}

		results, ready := h.run(r.Context())

		resp := Response{Status: StatusReady, Checks: results}
		code := http.StatusOK
		if !ready {
			resp.Status, code = StatusNotReady, http.StatusServiceUnavailable
		}
		write(w, code, resp)
	})
}

// result is one finished check.
type result struct {
	name string
	err  error
}

// run runs every check and returns each one's outcome by name, and
// whether all passed.
func (h *Handler) run(ctx context.Context) (map[string]string, bool) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()

	done := make(chan result, len(h.checks))
	for _, c := range h.checks {
		go func() { done <- result{c.Name, c.Run(ctx)} }()
	}

	out := make(map[string]string, len(h.checks))
	ready := true
	record := func(res result) {
		out[res.name] = StatusOK
		if res.err != nil {
			out[res.name], ready = res.err.Error(), false
		}
	}
	for range h.checks {
		select {
		case res := <-done:
			record(res)
		case <-ctx.Done():
			return h.unfinished(ctx, done, out, record), false
		}
	}
	return out, ready
}

// unfinished records the results that arrived by the deadline and marks
// every other check as not finished.
func (h *Handler) unfinished(ctx context.Context, done <-chan result,
	out map[string]string, record func(result)) map[string]string {
	for len(done) > 0 {
		record(<-done)
	}

	why := "timed out"
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		why = "not finished: " + ctx.Err().Error()
	}
	for _, c := range h.checks {
		if _, ok := out[c.Name]; !ok {
			out[c.Name] = why
		}
	}
	return out
}

// allowed accepts GET and HEAD, and answers 405 to anything else.
func allowed(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func write(w http.ResponseWriter, code int, resp Response) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(resp)
}
