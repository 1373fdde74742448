package email

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"

	"github.com/wneessen/go-mail"
	gmsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/alertrouter/alertrouter/channels"
)

// classify turns the result of one delivery into nil, a retryable or a
// permanent error. It is the one place that knows how go-mail fails:
//
//   - the message reached the server (m.IsDelivered) even if a later
//     RSET or QUIT failed: success, so a retry sends no duplicate;
//   - *mail.SendError, a reply to MAIL, RCPT or DATA: 4xx retryable, 5xx
//     permanent, no reply code at all (the connection broke mid-way)
//     retryable, and a message go-mail could not build permanent;
//   - a *textproto.Error outside a SendError is a reply during the
//     greeting, STARTTLS or AUTH: 4xx retryable, 5xx (535 bad
//     credentials, 530 AUTH required) permanent;
//   - the server lacks STARTTLS under the mandatory policy, lacks AUTH or
//     PLAIN, or PLAIN would cross a plaintext link: permanent, since a
//     retry meets the same configuration (the receiver's fallback and the
//     dead letter take over);
//   - anything else (refused connection, timeout, TLS handshake or
//     certificate failure, broken pipe): retryable, the server may be
//     down or restarting. The caller's cancellation stays unretryable.
//
// The password is never part of the error: go-mail does not put it in
// its errors and this package adds only the server address.
func classify(addr string, err error, m *mail.Msg) error {
	if err == nil || m.IsDelivered() {
		return nil
	}
	wrapped := fmt.Errorf("email: send via %s: %w", addr, err)

	var se *mail.SendError
	if errors.As(err, &se) {
		return classifySendError(wrapped, se)
	}

	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		if tpe.Code >= 400 && tpe.Code < 500 {
			return channels.Retryable(wrapped, 0)
		}
		return channels.Permanent(wrapped)
	}

	if errors.Is(err, context.Canceled) {
		return wrapped
	}
	if isConfigMismatch(err) {
		return channels.Permanent(wrapped)
	}
	return channels.Retryable(wrapped, 0)
}

func classifySendError(wrapped error, se *mail.SendError) error {
	switch {
	case se.IsTemp():
		return channels.Retryable(wrapped, 0)
	case se.ErrorCode() >= 500:
		return channels.Permanent(wrapped)
	}

	switch se.Reason {
	case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
		return channels.Permanent(wrapped)
	}
	return channels.Retryable(wrapped, 0)
}

// isConfigMismatch reports failures go-mail decides on its own after the
// server's EHLO, which a retry would meet again. The missing-STARTTLS
// error has no sentinel in go-mail v0.8.1, so its text is matched; a test
// catches a change of wording.
func isConfigMismatch(err error) bool {
	sentinels := []error{
		mail.ErrPlainAuthNotSupported,
		mail.ErrNoSupportedAuthDiscovered,
		gmsmtp.ErrUnencrypted,
		gmsmtp.ErrWrongHostname,
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}

	msg := err.Error()
	return strings.Contains(msg, "does not support STARTTLS") ||
		strings.Contains(msg, "does not support SMTP AUTH")
}
