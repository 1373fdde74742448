// Package fakepagerduty is an HTTP fake of PagerDuty's Events API v2
// (POST /v2/enqueue), for tests. It validates events the way PagerDuty
// documents, rate-limits per routing key, can inject faults, records every
// accepted event, and keeps incident state per routing key and dedup key,
// so a test can check that a trigger opened an incident and a resolve
// closed it.
package fakepagerduty

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// DefaultRoutingKey is the integration key a server accepts when no
// WithRoutingKeys option is given. Routing keys are 32 characters.
const DefaultRoutingKey = "R0000000000000000000000000000001"

// Incident statuses.
const (
	StatusTriggered    = "triggered"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// Server is a running fake of the Events API. It is safe for concurrent
// use.
type Server struct {
	srv *httptest.Server
	now func() time.Time

	mu        sync.Mutex
	keys      map[string]bool
	events    []Event
	incidents []*Incident
	requests  int
	limit     int
	window    time.Duration
	sent      map[string][]time.Time
	faults    []int
	failRate  float64
	rng       *rand.Rand
}

// Option configures a Server.
type Option func(*Server)

// WithRoutingKeys sets the routing keys that exist, replacing
// DefaultRoutingKey. Keys that are not 32 characters are never accepted.
func WithRoutingKeys(keys ...string) Option {
	return func(s *Server) {
		s.keys = make(map[string]bool, len(keys))
		for _, k := range keys {
			s.keys[k] = true
		}
	}
}

// WithRateLimit allows n events per routing key in any sliding window of
// the given length. PagerDuty allows about 120 a minute, the default.
func WithRateLimit(n int, window time.Duration) Option {
	return func(s *Server) { s.limit, s.window = n, window }
}

// WithoutRateLimit turns rate limiting off.
func WithoutRateLimit() Option {
	return func(s *Server) { s.limit = 0 }
}

// WithClock replaces the wall clock, for the rate limit and event times.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithFailureRate makes a share (0 to 1) of requests fail with HTTP 502,
// chosen by a random generator seeded with seed.
func WithFailureRate(rate float64, seed uint64) Option {
	return func(s *Server) {
		s.failRate = rate
		s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
}

// New starts a fake Events API on 127.0.0.1 on a random port. Close it
// when done.
func New(opts ...Option) *Server {
	s := &Server{
		now:    time.Now,
		keys:   map[string]bool{DefaultRoutingKey: true},
		limit:  120,
		window: time.Minute,
		sent:   map[string][]time.Time{},
	}
	for _, o := range opts {
		o(s)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/v2/enqueue", s.handleEnqueue)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL returns the base URL to give a client as its events endpoint; the
// client appends /v2/enqueue.
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// FailNext makes the next n requests fail with the HTTP status (429,
// 500, 502...). 5xx bodies are HTML, as from PagerDuty's load balancers.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for range n {
		s.faults = append(s.faults, status)
	}
}

// Events returns a copy of every accepted event, oldest first, including
// acknowledge and resolve events that were dropped for want of an open
// incident (see Event.Dropped).
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()

	return append([]Event(nil), s.events...)
}

// Requests returns how many requests reached the server, accepted or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.requests
}

// Open reports whether an incident for the routing key and dedup key is
// open (triggered or acknowledged).
func (s *Server) Open(routingKey, dedupKey string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.openIncident(routingKey, dedupKey) != nil
}

// Incidents returns a copy of every incident, oldest first. A dedup key
// that was resolved and triggered again has two.
func (s *Server) Incidents() []Incident {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := make([]Incident, len(s.incidents))
	for i, inc := range s.incidents {
		out[i] = *inc
	}
	return out
}

// openIncident returns the open incident for the keys, or nil. The caller
// holds s.mu.
func (s *Server) openIncident(routingKey, dedupKey string) *Incident {
	for i := len(s.incidents) - 1; i >= 0; i-- {
		inc := s.incidents[i]
		if inc.RoutingKey == routingKey && inc.DedupKey == dedupKey {
			if inc.Status == StatusResolved {
				return nil
			}
			return inc
		}
	}
	return nil
}

// allow applies the sliding-window rate limit for a routing key. The
// caller holds s.mu.
func (s *Server) allow(key string, now time.Time) bool {
	if s.limit <= 0 {
		return true
	}

	recent := s.sent[key][:0]
	for _, t := range s.sent[key] {
		if now.Sub(t) < s.window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= s.limit {
		s.sent[key] = recent
		return false
	}
	s.sent[key] = append(recent, now)
	return true
}

// takeFault returns the next injected failure status, or 0. The caller
// holds s.mu.
func (s *Server) takeFault() int {
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		return f
	}
	if s.rng != nil && s.rng.Float64() < s.failRate {
		return http.StatusBadGateway
	}
	return 0
}
