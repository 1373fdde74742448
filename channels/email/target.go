package email

import "github.com/alertrouter/alertrouter/channels"

var _ channels.Targeter = (*Notifier)(nil)

// Target names the SMTP server for per-target rate limits and circuit
// breakers: "smtp:<host>:<port>". Credentials are not part of it.
func (n *Notifier) Target() string {
	return "smtp:" + n.addr
}
