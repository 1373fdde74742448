package console

import "github.com/alertrouter/alertrouter/channels"

var _ channels.Targeter = (*Notifier)(nil)

// Target returns "console": every console notifier shares one target,
// which has no rate limit.
func (n *Notifier) Target() string { return "console" }
