package router

import (
	"fmt"
	"io"
	"net/http"

	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/channels/console"
	"github.com/alertrouter/alertrouter/channels/email"
	"github.com/alertrouter/alertrouter/channels/pagerduty"
	"github.com/alertrouter/alertrouter/channels/slack"
	"github.com/alertrouter/alertrouter/channels/webhook"
	"github.com/alertrouter/alertrouter/rules"
)

// ChannelFactory builds the channels of one receiver.
type ChannelFactory func(rcv *rules.Receiver) ([]channels.Channel, error)

// AdapterOptions are process-wide settings shared by the adapters.
type AdapterOptions struct {
	// Console is where console channels write; nil means standard output.
	Console io.Writer
	// HTTPClient is used by the HTTP adapters; nil means a default client.
	HTTPClient *http.Client
}

// Adapters returns the factory that builds real adapters from a
// receiver's configuration.
func Adapters(o AdapterOptions) ChannelFactory {
	return func(rcv *rules.Receiver) ([]channels.Channel, error) {
		var out []channels.Channel
		add := func(kind string, i int, ch channels.Channel, err error) error {
			if err != nil {
				return fmt.Errorf("%s[%d]: %w", kind, i, err)
			}
			out = append(out, ch)
			return nil
		}

		for i, c := range rcv.Slack {
			ch, err := slack.New(slack.Config{APIURL: c.APIURL, Token: c.Token.Value(),
				Channel: c.Channel, WebhookURL: c.WebhookURL.Value(), HTTPClient: o.HTTPClient})
			if err := add("slack", i, ch, err); err != nil {
				return nil, err
			}
		}
		for i, c := range rcv.PagerDuty {
			ch, err := pagerduty.New(pagerduty.Config{RoutingKey: c.RoutingKey.Value(),
				EventsURL: c.EventsURL, HTTPClient: o.HTTPClient})
			if err := add("pagerduty", i, ch, err); err != nil {
				return nil, err
			}
		}
		for i, c := range rcv.Email {
			ch, err := email.New(email.Config{Host: c.Host, Port: c.Port, From: c.From, To: c.To,
				Username: c.Username, Password: c.Password.Value(), TLS: c.TLS})
			if err := add("email", i, ch, err); err != nil {
				return nil, err
			}
		}
		for i, c := range rcv.Webhook {
			headers := make(map[string]string, len(c.Headers))
			for k, v := range c.Headers {
				headers[k] = v.Value()
			}
			ch, err := webhook.New(webhook.Config{URL: c.URL.Value(), Headers: headers,
				HTTPClient: o.HTTPClient})
			if err := add("webhook", i, ch, err); err != nil {
				return nil, err
			}
		}
		for range rcv.Console {
			out = append(out, console.New(o.Console))
		}
		return out, nil
	}
}
