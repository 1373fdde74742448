// Package fakesmtp is a real SMTP server on a loopback TCP port for tests.
// It speaks the protocol through emersion/go-smtp, so the client under test
// (go-mail) goes through greeting, EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT
// and DATA exactly as against a production server. It records every
// accepted message, parsed, and can be told to fail chosen commands.
package fakesmtp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Stage is the SMTP command a fault is injected at.
type Stage int

// The stages FailNextAt can fail.
const (
	// StageMail is the MAIL FROM command.
	StageMail Stage = iota
	// StageRcpt is each RCPT TO command.
	StageRcpt
	// StageData is the end of the DATA transfer: the message was received
	// in full and is then refused.
	StageData
)

// Option configures a Server.
type Option func(*config)

type config struct {
	username, password string
	startTLS           bool
	dropAfterData      bool
	rejected           map[string]bool
}

// WithAuth requires AUTH PLAIN with these credentials before MAIL FROM.
// AUTH is offered on plaintext connections too (AllowInsecureAuth), as
// many submission servers on a private network do.
func WithAuth(username, password string) Option {
	return func(c *config) {
		c.username, c.password = username, password
	}
}

// WithSTARTTLS offers STARTTLS with a self-signed certificate for
// 127.0.0.1 and localhost, generated at start. Clients trust it through
// Server.CertPool or Server.ClientTLSConfig.
func WithSTARTTLS() Option {
	return func(c *config) { c.startTLS = true }
}

// WithRejectedRecipients makes RCPT TO fail with 550 5.1.1 for each of
// these addresses, every time: a permanent failure.
func WithRejectedRecipients(addrs ...string) Option {
	return func(c *config) {
		for _, a := range addrs {
			c.rejected[strings.ToLower(a)] = true
		}
	}
}

// WithDropAfterData makes the server close each connection right after it
// has accepted a message (250 after DATA), so the client's next command,
// RSET or QUIT, fails although the message was delivered.
func WithDropAfterData() Option {
	return func(c *config) { c.dropAfterData = true }
}

// Server is a running SMTP server. Its methods are safe for concurrent use.
type Server struct {
	cfg  config
	smtp *smtp.Server
	ln   net.Listener
	pool *x509.CertPool
	done chan struct{}

	mu       sync.Mutex
	messages []Message
	faults   map[Stage][]*smtp.SMTPError
	changed  chan struct{}
}

// New starts a server on 127.0.0.1 with a random port. Close stops it.
func New(opts ...Option) (*Server, error) {
	s := &Server{
		cfg:     config{rejected: make(map[string]bool)},
		faults:  make(map[Stage][]*smtp.SMTPError),
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
	for _, o := range opts {
		o(&s.cfg)
	}

	srv := smtp.NewServer(backend{s})
	srv.Domain = "fakesmtp.localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 100
	srv.ErrorLog = discardLogger{}
	if s.cfg.startTLS {
		cert, pool, err := selfSigned()
		if err != nil {
			return nil, fmt.Errorf("fakesmtp: make certificate: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert},
			MinVersion: tls.VersionTLS12}
		s.pool = pool
	}
	s.smtp = srv

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakesmtp: listen: %w", err)
	}
	s.ln = ln

	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Addr returns host:port of the listener.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host returns the listening IP address, "127.0.0.1".
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the listening TCP port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// CertPool returns a pool holding the server's certificate, or nil when
// STARTTLS is off.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// ClientTLSConfig returns a client configuration that trusts the server's
// certificate and names 127.0.0.1, or nil when STARTTLS is off.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.pool == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.pool, ServerName: s.Host(), MinVersion: tls.VersionTLS12}
}

// Close stops the server, closes open connections and waits for the
// serving goroutine to end.
func (s *Server) Close() error {
	err := s.smtp.Close()
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}

	// Serve may not have registered the listener yet, in which case
	// smtp.Server.Close did not close it.
	if lerr := s.ln.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) && err == nil {
		err = lerr
	}

	<-s.done
	return err
}

// FailNext makes the next n RCPT TO commands fail with this reply, e.g.
// FailNext(2, 451, smtp.EnhancedCode{4, 3, 0}, "try later") for two
// temporary failures before acceptance.
func (s *Server) FailNext(n, code int, enhanced smtp.EnhancedCode, msg string) {
	s.FailNextAt(StageRcpt, n, code, enhanced, msg)
}

// FailNextAt makes the next n commands at stage fail with this reply.
func (s *Server) FailNextAt(stage Stage, n, code int, enhanced smtp.EnhancedCode, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for range n {
		s.faults[stage] = append(s.faults[stage],
			&smtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: msg})
	}
}

// fault pops the next injected failure for stage, or returns nil.
func (s *Server) fault(stage Stage) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	q := s.faults[stage]
	if len(q) == 0 {
		return nil
	}
	s.faults[stage] = q[1:]
	return q[0]
}

// Messages returns a copy of the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()

	return append([]Message(nil), s.messages...)
}

// WaitFor waits until at least n messages were accepted and returns them,
// or returns an error after timeout.
func (s *Server) WaitFor(n int, timeout time.Duration) ([]Message, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	for {
		s.mu.Lock()
		got, changed := len(s.messages), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages(), nil
		}

		select {
		case <-changed:
		case <-timer.C:
			return nil, fmt.Errorf("fakesmtp: got %d messages after %s, want %d",
				got, timeout, n)
		}
	}
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.messages = append(s.messages, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}
