// Package pagerduty delivers notifications to PagerDuty through the
// Events API v2, using PagerDuty/go-pagerduty. A firing alert becomes a
// trigger and a resolved one a resolve, both with the same dedup key, so
// the incident PagerDuty opened is closed. Events are kept within
// PagerDuty's limits: dedup keys of at most 255 characters, summaries of
// at most 1024, payloads under 512 KB.
package pagerduty

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/alertrouter/alertrouter/channels"
)

// DefaultEventsURL is the Events API base URL of PagerDuty's US service
// region; the EU region is https://events.eu.pagerduty.com.
const DefaultEventsURL = "https://events.pagerduty.com"

// Config says which PagerDuty integration to send to.
type Config struct {
	// RoutingKey is the integration key (32 characters). It is a secret.
	RoutingKey string
	// EventsURL overrides the Events API base URL; the client appends
	// /v2/enqueue. Empty means DefaultEventsURL.
	EventsURL string
	// HTTPClient is the client to use; nil means go-pagerduty's default.
	HTTPClient *http.Client
}

// Notifier sends notifications to one PagerDuty integration.
type Notifier struct {
	client     *pagerduty.Client
	routingKey string
}

var _ channels.Channel = (*Notifier)(nil)

// New returns a Notifier for cfg, or an error when the routing key is
// missing or the events URL is not an http(s) URL.
func New(cfg Config) (*Notifier, error) {
	if cfg.RoutingKey == "" {
		return nil, ErrNoRoutingKey
	}

	endpoint := strings.TrimSuffix(cfg.EventsURL, "/")
	if endpoint == "" {
		endpoint = DefaultEventsURL
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pagerduty: events URL %q: want an http(s) URL", endpoint)
	}

	c := pagerduty.NewClient("", pagerduty.WithV2EventsAPIEndpoint(endpoint))
	if cfg.HTTPClient != nil {
		c.HTTPClient = cfg.HTTPClient
	}
	return &Notifier{client: c, routingKey: cfg.RoutingKey}, nil
}

// Name returns "pagerduty".
func (n *Notifier) Name() string { return "pagerduty" }

// Send triggers or resolves the alert's incident. Its error is
// classified: see classify.
func (n *Notifier) Send(ctx context.Context, note channels.Notification) error {
	if note.Event == nil {
		return channels.Permanent(ErrNoEvent)
	}
	ev := buildEvent(n.routingKey, note)

	if _, err := n.client.ManageEventWithContext(ctx, ev); err != nil {
		return classify(ctx, fmt.Errorf("pagerduty %s %s: %w", ev.Action, ev.DedupKey, err))
	}
	return nil
}
