package fakesmtp

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Message is one accepted message: the envelope, the raw data and the
// parts a test usually checks, decoded.
type Message struct {
	// From is the envelope sender (MAIL FROM).
	From string
	// To lists the envelope recipients (RCPT TO), in order.
	To []string
	// Data is the message exactly as the client sent it after DATA.
	Data []byte
	// Header is the parsed header; values are still RFC 2047 encoded.
	Header mail.Header
	// Subject is the Subject header decoded with mime.WordDecoder.
	Subject string
	// TextBody and HTMLBody are the first text/plain and text/html parts,
	// transfer-decoded (quoted-printable or base64).
	TextBody, HTMLBody string
	// TLS reports whether the session had switched to TLS (STARTTLS).
	TLS bool
	// AuthUser is the user the session authenticated as, or empty.
	AuthUser string
	// ParseErr is set when Data could not be parsed as a MIME message;
	// Header and the bodies are then incomplete.
	ParseErr error
}

func parse(data []byte) Message {
	m := Message{Data: data}

	pm, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		m.ParseErr = fmt.Errorf("read message: %w", err)
		return m
	}
	m.Header = pm.Header

	dec := mime.WordDecoder{}
	m.Subject, err = dec.DecodeHeader(pm.Header.Get("Subject"))
	if err != nil {
		m.ParseErr = fmt.Errorf("decode subject: %w", err)
		return m
	}

	ctype := pm.Header.Get("Content-Type")
	cte := pm.Header.Get("Content-Transfer-Encoding")
	if err := m.walk(ctype, cte, pm.Body); err != nil {
		m.ParseErr = err
	}
	return m
}

// walk descends into multipart bodies and keeps the first text/plain and
// text/html leaf.
func (m *Message) walk(ctype, cte string, body io.Reader) error {
	if ctype == "" {
		ctype = "text/plain"
	}
	media, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("parse content type %q: %w", ctype, err)
	}

	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read %s part: %w", media, err)
			}
			err = m.walk(p.Header.Get("Content-Type"),
				p.Header.Get("Content-Transfer-Encoding"), p)
			if err != nil {
				return err
			}
		}
	}

	text, err := io.ReadAll(transferDecoder(cte, body))
	if err != nil {
		return fmt.Errorf("decode %s body (%s): %w", media, cte, err)
	}
	switch {
	case media == "text/plain" && m.TextBody == "":
		m.TextBody = string(text)
	case media == "text/html" && m.HTMLBody == "":
		m.HTMLBody = string(text)
	}
	return nil
}

func transferDecoder(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	default:
		return r
	}
}
