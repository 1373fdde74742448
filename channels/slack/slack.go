// Package slack delivers notifications to Slack, through the Web API's
// chat.postMessage with a bot token or through an incoming webhook, using
// slack-go/slack. Messages use Block Kit with a plain-text fallback; all
// alert text is escaped so that an alert can never mention @channel, a
// user or a channel, nor plant a link, and it is cut to Slack's limits
// rather than rejected.
package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/alertrouter/alertrouter/channels"
)

// DefaultAPIURL is Slack's Web API base URL.
const DefaultAPIURL = slack.APIURL

// defaultTimeout bounds one delivery when the caller's context does not.
const defaultTimeout = 30 * time.Second

// Config says where and how to post. Either WebhookURL, or Token and
// Channel, must be set; with both, the bot token is used, since its
// messages have a timestamp and can be threaded or updated later.
type Config struct {
	// APIURL overrides the Web API base URL; a missing final "/" is added.
	APIURL string
	// Token is the bot token (xoxb-…) for chat.postMessage.
	Token string
	// Channel is the channel name ("#alerts") or ID to post to.
	Channel string
	// WebhookURL is an incoming webhook's URL. It is a secret.
	WebhookURL string
	// HTTPClient is the client to use; nil means one with a 30 s timeout.
	HTTPClient *http.Client
}

// Notifier posts notifications to one Slack destination.
type Notifier struct {
	client  *slack.Client
	channel string
	webhook string
	http    *http.Client
}

var _ channels.Channel = (*Notifier)(nil)

// New returns a Notifier for cfg, or ErrNoDestination.
func New(cfg Config) (*Notifier, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	n := &Notifier{http: hc, channel: cfg.Channel}

	if cfg.Token != "" && cfg.Channel != "" {
		api := cfg.APIURL
		if api == "" {
			api = DefaultAPIURL
		}
		if !strings.HasSuffix(api, "/") {
			api += "/"
		}
		n.client = slack.New(cfg.Token, slack.OptionAPIURL(api), slack.OptionHTTPClient(hc))
		return n, nil
	}

	if cfg.WebhookURL == "" {
		return nil, ErrNoDestination
	}
	if _, err := url.Parse(cfg.WebhookURL); err != nil {
		// The parse error would quote the URL, a secret: leave it out.
		return nil, errors.New("slack: webhook URL does not parse")
	}
	n.webhook = cfg.WebhookURL
	return n, nil
}

// Name returns "slack".
func (n *Notifier) Name() string { return "slack" }

// Send posts one notification. Its error is classified: see classify.
func (n *Notifier) Send(ctx context.Context, note channels.Notification) error {
	if note.Event == nil {
		return channels.Permanent(ErrNoEvent)
	}
	msg := buildMessage(note)

	if n.client != nil {
		_, _, err := n.client.PostMessageContext(ctx, n.channel,
			slack.MsgOptionText(msg.text, false),
			slack.MsgOptionBlocks(msg.blocks...),
			slack.MsgOptionParse(false),
			slack.MsgOptionLinkNames(false),
			slack.MsgOptionDisableLinkUnfurl(),
			slack.MsgOptionDisableMediaUnfurl(),
		)
		if err != nil {
			return classify(ctx, fmt.Errorf("slack chat.postMessage to %s: %w", n.channel, err))
		}
		return nil
	}

	no := false
	err := slack.PostWebhookCustomHTTPContext(ctx, n.webhook, n.http, &slack.WebhookMessage{
		Text:        msg.text,
		Blocks:      &slack.Blocks{BlockSet: msg.blocks},
		Parse:       "none",
		UnfurlLinks: &no,
		UnfurlMedia: &no,
	})
	if err != nil {
		return classify(ctx, fmt.Errorf("slack webhook post: %w", hideURL(err)))
	}
	return nil
}

// hideURL removes the webhook URL, a secret, from a transport error.
func hideURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: "<webhook URL>", Err: ue.Err}
}
