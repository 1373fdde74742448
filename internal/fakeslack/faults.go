package fakeslack

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// fault is one injected failure: an HTTP status, with a Retry-After
// header when retryAfter > 0, or an API error code sent with HTTP 200.
type fault struct {
	status     int
	retryAfter int
	apiError   string
}

// FailNext makes the next n requests (Web API or webhook) fail with the
// HTTP status; a positive retryAfter adds "Retry-After: <seconds>".
func (s *Server) FailNext(n, status, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for range n {
		s.faults = append(s.faults, fault{status: status, retryAfter: retryAfter})
	}
}

// FailNextAPIError makes the next n requests fail the way Slack's Web API
// reports errors: HTTP 200 with {"ok":false,"error":code}. A webhook
// request that meets such a fault gets HTTP 500 with code as its body.
func (s *Server) FailNextAPIError(n int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for range n {
		s.faults = append(s.faults, fault{status: http.StatusOK, apiError: code})
	}
}

// takeFault returns the next injected fault, or a random 500 when a
// failure rate is set. The caller holds s.mu.
func (s *Server) takeFault() (fault, bool) {
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		return f, true
	}
	if s.rng != nil && s.rng.Float64() < s.failRate {
		return fault{status: http.StatusInternalServerError}, true
	}
	return fault{}, false
}

// writeFault sends f; api selects the Web API's JSON bodies over the
// webhooks' plain text ones.
func writeFault(w http.ResponseWriter, f fault, api bool) {
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
	}

	switch {
	case f.apiError != "" && api:
		writeAPIError(w, f.apiError)
	case f.apiError != "":
		writeText(w, http.StatusInternalServerError, f.apiError)
	case api && f.status == http.StatusTooManyRequests:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
	default:
		writeText(w, f.status, http.StatusText(f.status))
	}
}

// limiter is a token bucket per key (a channel ID or webhook name).
type limiter struct {
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{rate: perSecond, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes a token for key at now. When none is left it returns the
// whole seconds to wait, at least 1, as Slack's Retry-After does.
func (l *limiter) allow(key string, now time.Time) (bool, int) {
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}

	elapsed := now.Sub(b.last).Seconds()
	if elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}

	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := int(math.Ceil((1 - b.tokens) / l.rate))
	return false, max(wait, 1)
}

func (l *limiter) reset() { l.buckets = map[string]*bucket{} }
