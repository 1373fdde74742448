package pagerduty

import "github.com/alertrouter/alertrouter/channels"

var _ channels.Targeter = (*Notifier)(nil)

// Target names the integration for per-target rate limits and circuit
// breakers: "pagerduty:<hash>", PagerDuty's limits being per routing key.
// The key is a secret, so it appears only hashed.
func (n *Notifier) Target() string {
	return channels.SecretTarget("pagerduty", n.routingKey)
}
