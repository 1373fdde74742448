package slack

import "github.com/alertrouter/alertrouter/channels"

var _ channels.Targeter = (*Notifier)(nil)

// Target names the destination for per-target rate limits and circuit
// breakers: "slack:<channel>" with a bot token (Slack limits
// chat.postMessage per channel), or "slack-webhook:<hash>" for an
// incoming webhook, whose URL is a secret and so appears only hashed.
func (n *Notifier) Target() string {
	if n.client != nil {
		return "slack:" + n.channel
	}
	return channels.SecretTarget("slack-webhook", n.webhook)
}
