// Package fakeslack is an HTTP fake of Slack's Web API (chat.postMessage)
// and of incoming webhooks, for tests. It enforces the documented limits
// that matter to a sender (auth, channels, text and block limits, per
// channel rate limits with Retry-After), can inject faults, and records
// every accepted message so a test can check what a user would see.
//
// The server listens on 127.0.0.1 on a random port, so the URL can be
// handed to another process as well as to a client in the test process.
package fakeslack

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the bot token a server accepts when no WithTokens
// option is given.
const DefaultToken = "xoxb-fake-token"

// DefaultChannel is the channel a server has when no WithChannels option
// is given; its ID is DefaultChannelID.
const DefaultChannel = "alerts"

// DefaultChannelID is the ID of DefaultChannel.
const DefaultChannelID = "C000ALERTS"

// Server is a running fake of Slack. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server
	now func() time.Time

	mu        sync.Mutex
	tokens    map[string]bool
	channels  map[string]string // name or ID -> ID
	webhooks  map[string]bool
	messages  []Message
	requests  int
	lastTS    int64
	limiter   *limiter
	faults    []fault
	failRate  float64
	rng       *rand.Rand
	blocksCap int
}

// Option configures a Server.
type Option func(*Server)

// WithTokens sets the bot tokens the Web API accepts, replacing
// DefaultToken.
func WithTokens(tokens ...string) Option {
	return func(s *Server) {
		s.tokens = make(map[string]bool, len(tokens))
		for _, t := range tokens {
			s.tokens[t] = true
		}
	}
}

// WithChannels sets the channels that exist, replacing DefaultChannel.
// Each is given by name ("alerts" or "#alerts"); its ID is "C" followed
// by the upper-cased name, padded to ten characters. ChannelID returns it.
func WithChannels(names ...string) Option {
	return func(s *Server) {
		s.channels = make(map[string]string, 2*len(names))
		for _, n := range names {
			s.addChannel(n)
		}
	}
}

// WithRateLimit sets the per-channel (and per-webhook) rate: perSecond
// messages a second on average with bursts of burst. Slack allows about
// one a second with short bursts; the default is 1 and 3.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *Server) { s.limiter = newLimiter(perSecond, burst) }
}

// WithoutRateLimit turns rate limiting off.
func WithoutRateLimit() Option {
	return func(s *Server) { s.limiter = nil }
}

// WithClock replaces the wall clock, for rate limits and timestamps.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithFailureRate makes a share (0 to 1) of requests fail with HTTP 500,
// chosen by a random generator seeded with seed so a run can be repeated.
func WithFailureRate(rate float64, seed uint64) Option {
	return func(s *Server) {
		s.failRate = rate
		s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
}

// WithBlocksCharLimit sets the cap on the total characters of text in a
// message's blocks, beyond which Slack answers msg_blocks_too_long. Slack
// does not document it; it is about 12,000, the default. Zero disables it.
func WithBlocksCharLimit(n int) Option {
	return func(s *Server) { s.blocksCap = n }
}

// New starts a fake Slack on 127.0.0.1 on a random port. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		now:       time.Now,
		tokens:    map[string]bool{DefaultToken: true},
		channels:  map[string]string{},
		webhooks:  map[string]bool{},
		limiter:   newLimiter(1, 3),
		blocksCap: 12000,
	}
	s.channels[DefaultChannel] = DefaultChannelID
	s.channels[DefaultChannelID] = DefaultChannelID

	for _, o := range opts {
		o(s)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/services/", s.handleWebhook)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL returns the Web API base URL, ending in "/", for slack.OptionAPIURL.
func (s *Server) URL() string { return s.srv.URL + "/api/" }

// WebhookURL returns the URL of the incoming webhook called name, creating
// the webhook if needed. Posts to webhooks never created this way get 404
// no_service.
func (s *Server) WebhookURL(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.webhooks[name] = true
	return s.srv.URL + "/services/" + name
}

// ChannelID returns the ID of an existing channel given by name or ID, or
// "" if there is none.
func (s *Server) ChannelID(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.channels[strings.TrimPrefix(name, "#")]
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Messages returns a copy of every accepted message, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()

	return append([]Message(nil), s.messages...)
}

// Requests returns how many requests reached the server, accepted or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.requests
}

// Reset forgets recorded messages, pending faults and rate-limit state.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.messages = nil
	s.faults = nil
	s.requests = 0
	if s.limiter != nil {
		s.limiter.reset()
	}
}

func (s *Server) addChannel(name string) {
	name = strings.TrimPrefix(name, "#")
	id := "C" + strings.ToUpper(name)
	if len(id) < 10 {
		id += strings.Repeat("0", 10-len(id))
	}
	s.channels[name] = id
	s.channels[id] = id
}

// nextTS returns a message timestamp in Slack's "seconds.micros" form that
// never repeats, even for two messages in the same microsecond. The
// caller holds s.mu.
func (s *Server) nextTS(now time.Time) string {
	us := now.UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}
