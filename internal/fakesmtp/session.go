package fakesmtp

import (
	"io"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

type backend struct{ srv *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: b.srv, conn: c}, nil
}

// session is one client connection. go-smtp calls its methods from the
// connection's goroutine only, so its own fields need no lock.
type session struct {
	srv  *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
	// drop closes the connection at the next Reset, which go-smtp calls
	// right after it has answered DATA.
	drop bool
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string {
	if s.srv.cfg.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || s.srv.cfg.username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return smtp.ErrAuthFailed
		}
		if username != s.srv.cfg.username || password != s.srv.cfg.password {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.cfg.username != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	if err := s.srv.fault(StageMail); err != nil {
		return err
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.srv.fault(StageRcpt); err != nil {
		return err
	}
	if s.srv.cfg.rejected[strings.ToLower(to)] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: "mailbox unavailable"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := s.srv.fault(StageData); err != nil {
		return err
	}

	_, tls := s.conn.TLSConnectionState()
	msg := parse(data)
	msg.From, msg.To = s.from, append([]string(nil), s.to...)
	msg.TLS, msg.AuthUser = tls, s.user
	s.srv.record(msg)
	s.drop = s.srv.cfg.dropAfterData
	return nil
}

func (s *session) Reset() {
	s.from, s.to = "", nil

	if s.drop {
		s.drop = false
		_ = s.conn.Conn().Close()
	}
}

func (s *session) Logout() error { return nil }
