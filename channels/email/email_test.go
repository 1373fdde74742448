package email

import (
	"context"
	"crypto/tls"
	"net"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/fakesmtp"
)

func TestNewValidates(t *testing.T) {
	valid := Config{Host: "smtp.example.org", From: "a@example.org", To: []string{"b@example.org"}}
	tests := []struct {
		name    string
		change  func(c *Config)
		wantErr string
	}{
		{name: "valid", change: func(*Config) {}},
		{name: "unknown tls policy", change: func(c *Config) { c.TLS = "starttls" },
			wantErr: `unknown tls policy "starttls"`},
		{name: "no host", change: func(c *Config) { c.Host = "" }, wantErr: "host is required"},
		{name: "bad from", change: func(c *Config) { c.From = "not an address" },
			wantErr: `from "not an address"`},
		{name: "no recipients", change: func(c *Config) { c.To = nil },
			wantErr: "at least one to address"},
		{name: "bad recipient", change: func(c *Config) { c.To = []string{"x\r\nBcc: y@z"} },
			wantErr: "to "},
		{name: "password without user", change: func(c *Config) { c.Password = "pw" },
			wantErr: "username is empty"},
		{name: "bad port", change: func(c *Config) { c.Port = 70000 }, wantErr: "port 70000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.change(&cfg)

			n, err := New(cfg)

			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, "email", n.Name())
				require.Equal(t, 587, n.cfg.Port)
				require.Equal(t, TLSMandatory, n.cfg.TLS)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestSendDelivers(t *testing.T) {
	tests := []struct {
		name     string
		server   []fakesmtp.Option
		tls      string
		auth     bool
		trustCA  bool
		wantTLS  bool
		wantUser string
	}{
		{name: "tls none with auth", server: []fakesmtp.Option{fakesmtp.WithAuth(testUser,
			testPassword)}, tls: TLSNone, auth: true, wantUser: testUser},
		{name: "starttls mandatory with custom CA and auth", server: []fakesmtp.Option{
			fakesmtp.WithSTARTTLS(), fakesmtp.WithAuth(testUser, testPassword)},
			tls: TLSMandatory, auth: true, trustCA: true, wantTLS: true, wantUser: testUser},
		{name: "opportunistic upgrades when offered",
			server: []fakesmtp.Option{fakesmtp.WithSTARTTLS()},
			tls:    TLSOpportunistic, trustCA: true, wantTLS: true},
		{name: "opportunistic stays plain when not offered", tls: TLSOpportunistic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, tt.server...)
			cfg := baseConfig(s)
			cfg.TLS = tt.tls
			if tt.auth {
				cfg.Username, cfg.Password = testUser, testPassword
			}
			if tt.trustCA {
				cfg.TLSConfig = &tls.Config{RootCAs: s.CertPool()}
			}

			require.NoError(t, newNotifier(t, cfg).Send(t.Context(), testNotification()))

			msgs := s.Messages()
			require.Len(t, msgs, 1)
			require.Equal(t, tt.wantTLS, msgs[0].TLS)
			require.Equal(t, tt.wantUser, msgs[0].AuthUser)
			require.Equal(t, "alertrouter@example.com", msgs[0].From)
			require.Equal(t, []string{"oncall@example.org"}, msgs[0].To)
		})
	}
}

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name          string
		server        []fakesmtp.Option
		setup         func(s *fakesmtp.Server)
		change        func(c *Config, s *fakesmtp.Server)
		wantRetryable bool
	}{
		{name: "mandatory tls against server without STARTTLS is permanent",
			change: func(c *Config, _ *fakesmtp.Server) { c.TLS = TLSMandatory }},
		{name: "wrong password is permanent",
			server: []fakesmtp.Option{fakesmtp.WithAuth(testUser, "other-password")},
			change: func(c *Config, _ *fakesmtp.Server) {
				c.Username, c.Password = testUser, testPassword
			}},
		{name: "550 on RCPT is permanent",
			server: []fakesmtp.Option{fakesmtp.WithRejectedRecipients("oncall@example.org")}},
		{name: "554 after DATA is permanent", setup: func(s *fakesmtp.Server) {
			s.FailNextAt(fakesmtp.StageData, 1, 554, smtp.EnhancedCode{5, 6, 0}, "spam")
		}},
		{name: "421 at MAIL is retryable", wantRetryable: true, setup: func(s *fakesmtp.Server) {
			s.FailNextAt(fakesmtp.StageMail, 1, 421, smtp.EnhancedCode{4, 3, 2}, "busy")
		}},
		{name: "untrusted certificate is retryable", wantRetryable: true,
			server: []fakesmtp.Option{fakesmtp.WithSTARTTLS()},
			change: func(c *Config, _ *fakesmtp.Server) { c.TLS = TLSMandatory }},
		{name: "server down is retryable", wantRetryable: true,
			change: func(c *Config, _ *fakesmtp.Server) { c.Port = closedPort(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, tt.server...)
			if tt.setup != nil {
				tt.setup(s)
			}
			cfg := baseConfig(s)
			if tt.change != nil {
				tt.change(&cfg, s)
			}

			err := newNotifier(t, cfg).Send(t.Context(), testNotification())

			require.Error(t, err)
			t.Log(err)
			var ce *channels.Error
			require.ErrorAs(t, err, &ce, "error is not classified: %v", err)
			require.Equal(t, tt.wantRetryable, channels.IsRetryable(err), "%v", err)
			require.NotContains(t, err.Error(), testPassword)
			require.Empty(t, s.Messages())
		})
	}
}

func TestTemporaryFailuresThenSuccess(t *testing.T) {
	s := startServer(t)
	s.FailNext(2, 451, smtp.EnhancedCode{4, 3, 0}, "greylisted, try later")
	n := newNotifier(t, baseConfig(s))

	for i := range 2 {
		err := n.Send(t.Context(), testNotification())
		require.Error(t, err, "attempt %d", i+1)
		require.True(t, channels.IsRetryable(err), "attempt %d: %v", i+1, err)
		require.ErrorContains(t, err, "451")
	}
	require.NoError(t, n.Send(t.Context(), testNotification()))

	require.Len(t, s.Messages(), 1)
}

func TestDeliveredDespiteFailedReset(t *testing.T) {
	s := startServer(t, fakesmtp.WithDropAfterData())
	n := newNotifier(t, baseConfig(s))
	m, err := buildMessage(n.cfg, testNotification())
	require.NoError(t, err)

	sendErr := n.client.DialAndSendWithContext(t.Context(), m)

	require.Error(t, sendErr, "go-mail should report the failed RSET")
	require.True(t, m.IsDelivered())
	require.NoError(t, classify(n.addr, sendErr, m))
	require.NoError(t, n.Send(t.Context(), testNotification()))
	require.Len(t, s.Messages(), 2)
}

func TestSendCanceledIsNotRetryable(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	err := newNotifier(t, baseConfig(s)).Send(ctx, testNotification())

	require.ErrorIs(t, err, context.Canceled)
	require.False(t, channels.IsRetryable(err))
}

func TestSendWithoutEventIsPermanent(t *testing.T) {
	s := startServer(t)

	err := newNotifier(t, baseConfig(s)).Send(t.Context(), channels.Notification{})

	require.Error(t, err)
	require.False(t, channels.IsRetryable(err))
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}
