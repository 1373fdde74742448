// Package webhook delivers notifications as a JSON POST to any HTTP
// endpoint. The body is a Payload: a small envelope (route, receiver,
// reason, suppressed count, dedup key) around the event as alertrouter
// stores it. Responses are classed in one place (classify.go): 2xx is
// success, 408, 429 and 5xx are retried (honouring Retry-After), other
// statuses are permanent.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alertrouter/alertrouter/channels"
)

// DefaultTimeout bounds one POST when Config.HTTPClient is nil.
const DefaultTimeout = 10 * time.Second

// Config is one webhook destination.
type Config struct {
	// URL is the http or https endpoint. It may hold a token in its path
	// or query, so errors name only its host.
	URL string
	// Headers are added to every request, e.g. Authorization; they may
	// replace User-Agent but not Content-Type. Their values never appear
	// in errors.
	Headers map[string]string
	// HTTPClient sends the requests; nil means a client with
	// DefaultTimeout.
	HTTPClient *http.Client
	// Now is the clock used to turn a Retry-After date into a wait; nil
	// means time.Now.
	Now func() time.Time
}

// Notifier posts notifications to one URL. It is safe for concurrent use.
type Notifier struct {
	url     string
	host    string
	headers http.Header
	client  *http.Client
	now     func() time.Time
}

var _ channels.Channel = (*Notifier)(nil)

// New checks cfg and returns a Notifier.
func New(cfg Config) (*Notifier, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		// url.Parse quotes the whole URL in its error; keep it out.
		return nil, errors.New("webhook: invalid config: url does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("webhook: invalid config: url scheme %q, want http or https",
			u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("webhook: invalid config: url has no host")
	}

	headers, err := checkHeaders(cfg.Headers)
	if err != nil {
		return nil, fmt.Errorf("webhook: invalid config: %w", err)
	}

	n := &Notifier{url: cfg.URL, host: u.Host, headers: headers,
		client: cfg.HTTPClient, now: cfg.Now}
	if n.client == nil {
		n.client = &http.Client{Timeout: DefaultTimeout}
	}
	if n.now == nil {
		n.now = time.Now
	}
	return n, nil
}

// checkHeaders rejects names that are not HTTP tokens and values with
// control characters, without quoting the values.
func checkHeaders(in map[string]string) (http.Header, error) {
	out := make(http.Header, len(in))
	for name, value := range in {
		if name == "" || strings.IndexFunc(name, notTokenRune) >= 0 {
			return nil, fmt.Errorf("header name %q is not a valid HTTP token", name)
		}
		if strings.IndexFunc(value, func(r rune) bool {
			return r < ' ' && r != '\t' || r == 0x7f
		}) >= 0 {
			return nil, fmt.Errorf("header %s: value has control characters", name)
		}
		out.Set(name, value)
	}
	return out, nil
}

func notTokenRune(r rune) bool {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
		return false
	}
	return !strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// Name returns "webhook".
func (n *Notifier) Name() string { return "webhook" }

// Send posts the notification's Payload and classifies the outcome.
func (n *Notifier) Send(ctx context.Context, nt channels.Notification) error {
	if nt.Event == nil {
		return channels.Permanent(errors.New("webhook: notification has no event"))
	}

	body, err := json.Marshal(NewPayload(nt))
	if err != nil {
		return channels.Permanent(fmt.Errorf("webhook: encode payload: %w", err))
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return channels.Permanent(fmt.Errorf("webhook: new request to %s: %w",
			n.host, stripURL(err)))
	}
	req.Header.Set("User-Agent", "alertrouter")
	for name, values := range n.headers {
		req.Header[name] = values
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := n.client.Do(req)
	if err != nil {
		return transportError(n.host, err)
	}
	defer resp.Body.Close()
	return classify(n.host, resp, n.now())
}
