package fakesmtp

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

const sample = "From: a@example.org\r\n" +
	"To: b@example.org\r\n" +
	"Subject: =?UTF-8?q?Press=C3=A3o_arterial?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=XYZ\r\n" +
	"\r\n" +
	"--XYZ\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"cr=C3=ADtica =3D high\r\n" +
	"--XYZ\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+aGk8L3A+\r\n" +
	"--XYZ--\r\n"

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()

	s, err := New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func dial(t *testing.T, s *Server) *smtp.Client {
	t.Helper()

	c, err := smtp.Dial(s.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func send(c *smtp.Client, to ...string) error {
	return c.SendMail("a@example.org", to, strings.NewReader(sample))
}

func codeOf(t *testing.T, err error) int {
	t.Helper()

	var se *smtp.SMTPError
	require.True(t, errors.As(err, &se), "not an SMTP error: %v", err)
	return se.Code
}

func TestRecordsParsedMessage(t *testing.T) {
	s := start(t)

	require.NoError(t, send(dial(t, s), "b@example.org", "c@example.org"))

	msgs, err := s.WaitFor(1, 5*time.Second)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.NoError(t, m.ParseErr)
	require.Equal(t, "a@example.org", m.From)
	require.Equal(t, []string{"b@example.org", "c@example.org"}, m.To)
	require.Equal(t, "Pressão arterial", m.Subject)
	require.Equal(t, "crítica = high", m.TextBody)
	require.Equal(t, "<p>hi</p>", m.HTMLBody)
	require.Equal(t, "b@example.org", m.Header.Get("To"))
	require.False(t, m.TLS)
	require.Empty(t, m.AuthUser)
	require.Equal(t, "127.0.0.1", s.Host())
	require.Nil(t, s.ClientTLSConfig())
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name     string
		password string
		skipAuth bool
		wantCode int
	}{
		{name: "right password", password: "s3cret"},
		{name: "wrong password", password: "nope", wantCode: 535},
		{name: "no auth", skipAuth: true, wantCode: 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, WithAuth("bot", "s3cret"))
			c := dial(t, s)

			var err error
			if !tt.skipAuth {
				err = c.Auth(sasl.NewPlainClient("", "bot", tt.password))
			}
			if err == nil {
				err = send(c, "b@example.org")
			}

			if tt.wantCode != 0 {
				require.Equal(t, tt.wantCode, codeOf(t, err))
				require.Empty(t, s.Messages())
				return
			}
			require.NoError(t, err)
			require.Equal(t, "bot", s.Messages()[0].AuthUser)
		})
	}
}

func TestSTARTTLS(t *testing.T) {
	s := start(t, WithSTARTTLS())
	require.NotNil(t, s.CertPool())

	c, err := smtp.DialStartTLS(s.Addr(), s.ClientTLSConfig())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, send(c, "b@example.org"))

	require.True(t, s.Messages()[0].TLS)
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(s *Server)
		opts     []Option
		wantCode []int // per attempt; 0 means accepted
	}{
		{
			name: "two 451 at RCPT then accept",
			setup: func(s *Server) {
				s.FailNext(2, 451, smtp.EnhancedCode{4, 3, 0}, "try later")
			},
			wantCode: []int{451, 451, 0},
		},
		{
			name: "554 at end of DATA once",
			setup: func(s *Server) {
				s.FailNextAt(StageData, 1, 554, smtp.EnhancedCode{5, 6, 0}, "bad content")
			},
			wantCode: []int{554, 0},
		},
		{
			name: "421 at MAIL once",
			setup: func(s *Server) {
				s.FailNextAt(StageMail, 1, 421, smtp.EnhancedCode{4, 4, 5}, "busy")
			},
			wantCode: []int{421, 0},
		},
		{
			name:     "rejected recipient every time",
			setup:    func(*Server) {},
			opts:     []Option{WithRejectedRecipients("B@example.org")},
			wantCode: []int{550, 550},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.opts...)
			tt.setup(s)

			accepted := 0
			for i, want := range tt.wantCode {
				err := send(dial(t, s), "b@example.org")
				if want == 0 {
					require.NoError(t, err, "attempt %d", i+1)
					accepted++
					continue
				}
				require.Equal(t, want, codeOf(t, err), "attempt %d", i+1)
			}
			require.Len(t, s.Messages(), accepted)
		})
	}
}

func TestDropAfterData(t *testing.T) {
	s := start(t, WithDropAfterData())
	c := dial(t, s)

	require.NoError(t, c.Mail("a@example.org", nil))
	require.NoError(t, c.Rcpt("b@example.org", nil))
	w, err := c.Data()
	require.NoError(t, err)
	_, err = w.Write([]byte(sample))
	require.NoError(t, err)
	require.NoError(t, w.Close())

	require.Error(t, c.Reset())
	require.Len(t, s.Messages(), 1)
}

func TestWaitForTimesOut(t *testing.T) {
	s := start(t)

	_, err := s.WaitFor(1, 10*time.Millisecond)

	require.ErrorContains(t, err, "got 0 messages")
}
