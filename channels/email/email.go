// Package email delivers notifications over SMTP with wneessen/go-mail:
// STARTTLS (mandatory by default), AUTH PLAIN, and a multipart message
// with a plain-text and an HTML part. Alert text never reaches a header
// unsanitised, and delivery errors are classed as retryable or permanent
// in one place (classify.go).
package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/alertrouter/alertrouter/channels"
)

// The TLS policies Config.TLS accepts.
const (
	// TLSMandatory requires STARTTLS; a server without it is a permanent
	// failure, so that mail never silently goes out in clear text.
	TLSMandatory = "mandatory"
	// TLSOpportunistic uses STARTTLS when the server offers it. With
	// credentials set, AUTH PLAIN is still refused on a plaintext
	// connection to anything but localhost.
	TLSOpportunistic = "opportunistic"
	// TLSNone never uses STARTTLS. Credentials, if set, cross the network
	// in clear text: only for a relay on a trusted network.
	TLSNone = "none"
)

// DefaultTimeout bounds dialing and each SMTP command when Config.Timeout
// is zero.
const DefaultTimeout = 15 * time.Second

// Config is one SMTP destination.
type Config struct {
	// Host is the SMTP server's name or address.
	Host string
	// Port is the SMTP port; 0 means 587 (submission), or 25 with TLS none.
	Port int
	// From is the sender address.
	From string
	// To lists the recipient addresses; at least one.
	To []string
	// Username and Password enable AUTH PLAIN when Username is set.
	Username, Password string
	// TLS is TLSMandatory (also when empty), TLSOpportunistic or TLSNone.
	TLS string
	// TLSConfig replaces the default client TLS settings, e.g. to trust a
	// private CA. ServerName defaults to Host, MinVersion to TLS 1.2.
	TLSConfig *tls.Config
	// Timeout bounds dialing and each command; 0 means DefaultTimeout.
	Timeout time.Duration
}

// Notifier sends notifications as e-mail. It is safe for concurrent use:
// each Send opens its own connection.
type Notifier struct {
	cfg    Config
	client *mail.Client
	addr   string
}

var _ channels.Channel = (*Notifier)(nil)

// New checks cfg and prepares a client. It does not connect.
func New(cfg Config) (*Notifier, error) {
	if err := validate(&cfg); err != nil {
		return nil, err
	}

	client, err := mail.NewClient(cfg.Host, clientOptions(cfg)...)
	if err != nil {
		return nil, fmt.Errorf("email: new client for %s: %w", cfg.Host, err)
	}

	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	return &Notifier{cfg: cfg, client: client, addr: addr}, nil
}

// Name returns "email".
func (n *Notifier) Name() string { return "email" }

// Send builds the message and delivers it over one SMTP connection.
func (n *Notifier) Send(ctx context.Context, nt channels.Notification) error {
	if nt.Event == nil {
		return channels.Permanent(errors.New("email: notification has no event"))
	}

	m, err := buildMessage(n.cfg, nt)
	if err != nil {
		return channels.Permanent(fmt.Errorf("email: build message: %w", err))
	}

	err = n.client.DialAndSendWithContext(ctx, m)
	return classify(n.addr, err, m)
}

func validate(cfg *Config) error {
	var errs []error
	if cfg.Host == "" {
		errs = append(errs, errors.New("host is required"))
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d is out of range", cfg.Port))
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil {
		errs = append(errs, fmt.Errorf("from %q: %w", cfg.From, err))
	}
	if len(cfg.To) == 0 {
		errs = append(errs, errors.New("at least one to address is required"))
	}
	for _, to := range cfg.To {
		if _, err := netmail.ParseAddress(to); err != nil {
			errs = append(errs, fmt.Errorf("to %q: %w", to, err))
		}
	}
	if cfg.Password != "" && cfg.Username == "" {
		errs = append(errs, errors.New("password is set but username is empty"))
	}
	if cfg.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %s is negative", cfg.Timeout))
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSMandatory
	case TLSMandatory, TLSOpportunistic, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("unknown tls policy %q (want %s, %s or %s)",
			cfg.TLS, TLSMandatory, TLSOpportunistic, TLSNone))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("email: invalid config: %w", err)
	}

	fillDefaults(cfg)
	return nil
}

func fillDefaults(cfg *Config) {
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == TLSNone {
			cfg.Port = 25
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	cfg.To = append([]string(nil), cfg.To...)
}

func clientOptions(cfg Config) []mail.Option {
	opts := []mail.Option{
		mail.WithPort(cfg.Port),
		mail.WithTimeout(cfg.Timeout),
	}

	switch cfg.TLS {
	case TLSMandatory:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if cfg.TLSConfig != nil {
		tc := cfg.TLSConfig.Clone()
		if tc.ServerName == "" && !tc.InsecureSkipVerify {
			tc.ServerName = cfg.Host
		}
		if tc.MinVersion == 0 {
			tc.MinVersion = tls.VersionTLS12
		}
		opts = append(opts, mail.WithTLSConfig(tc))
	}

	if cfg.Username != "" {
		auth := mail.SMTPAuthPlain
		if cfg.TLS == TLSNone {
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth),
			mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return opts
}
