package webhook

import (
	"strings"

	"github.com/alertrouter/alertrouter/channels"
)

var _ channels.Targeter = (*Notifier)(nil)

// Target names the receiving host for per-target rate limits and circuit
// breakers: "webhook:<host[:port]>". The URL's path, query and user info,
// which may hold a token, are left out.
func (n *Notifier) Target() string {
	return "webhook:" + strings.ToLower(n.host)
}
