package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/alertrouter/alertrouter/channels"
)

// Headers alertrouter adds to every message, so that mail rules and
// scripts can sort and correlate without parsing the subject.
const (
	// HeaderKey carries the alert's dedup key, the same for its firing and
	// resolved notifications.
	HeaderKey mail.Header = "X-Alertrouter-Key"
	// HeaderRoute carries the name of the route that matched.
	HeaderRoute mail.Header = "X-Alertrouter-Route"
)

// view is what both body templates see. Every string in it comes from the
// alert and is escaped by html/template in the HTML part.
type view struct {
	Headline    string
	Description string
	Source      string
	Name        string
	Severity    string
	Status      string
	OccurredAt  string
	Compliance  string
	Labels      []pair
	Annotations []pair
	Route       string
	Receiver    string
	Reason      string
	Suppressed  int
	Key         string
	EventID     string
}

type pair struct {
	Name, Value string
	// URL is set when Value is an http(s) URL, shown as a link in HTML.
	URL bool
}

func buildMessage(cfg Config, nt channels.Notification) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(cfg.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := m.To(cfg.To...); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}

	m.Subject(headerText(nt.Headline(), maxSubject))
	m.SetMessageIDWithValue(messageID(cfg.From, nt))
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	setIfNotEmpty(m, HeaderKey, headerText(nt.Key, maxHeaderID))
	setIfNotEmpty(m, HeaderRoute, headerText(nt.Route, maxHeaderID))

	v := newView(nt)
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, v); err != nil {
		return nil, fmt.Errorf("render text part: %w", err)
	}
	if err := htmlTmpl.Execute(&html, v); err != nil {
		return nil, fmt.Errorf("render html part: %w", err)
	}
	m.SetBodyString(mail.TypeTextPlain, text.String())
	m.AddAlternativeString(mail.TypeTextHTML, html.String())
	return m, nil
}

func setIfNotEmpty(m *mail.Msg, h mail.Header, v string) {
	if v != "" {
		m.SetGenHeader(h, v)
	}
}

// messageID is stable for one notification, so a retried delivery carries
// the same Message-ID and mail systems can drop the duplicate.
func messageID(from string, nt channels.Notification) string {
	h := sha256.New()
	for _, s := range []string{nt.Event.ID, nt.Route, nt.Receiver, string(nt.Reason)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}

	domain := "alertrouter.invalid"
	if a, err := netmail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 && i < len(a.Address)-1 {
			domain = a.Address[i+1:]
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16]) + "@" + domain
}

func newView(nt channels.Notification) view {
	ev := nt.Event
	v := view{
		Headline:    line(nt.Headline()),
		Description: bodyText(ev.Description),
		Source:      line(ev.Source),
		Name:        line(ev.Name),
		Severity:    ev.Severity.String(),
		Status:      line(string(ev.Status)),
		Compliance:  line(strings.Join(ev.Compliance, ", ")),
		Labels:      pairs(ev.Labels, line),
		Annotations: pairs(ev.Annotations, bodyText),
		Route:       line(nt.Route),
		Receiver:    line(nt.Receiver),
		Reason:      line(string(nt.Reason)),
		Suppressed:  nt.Suppressed,
		Key:         line(nt.Key),
		EventID:     line(ev.ID),
	}
	if !ev.OccurredAt.IsZero() {
		v.OccurredAt = ev.OccurredAt.Format(time.RFC3339)
	}
	return v
}

// pairs lists a map sorted by name; names are one line, values are
// cleaned with value.
func pairs(m map[string]string, value func(string) string) []pair {
	out := make([]pair, 0, len(m))
	for k, val := range m {
		out = append(out, pair{Name: line(k), Value: value(val), URL: isWebURL(val)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
