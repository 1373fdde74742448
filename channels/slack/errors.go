package slack

import (
	"context"
	"errors"
	"net/http"

	"github.com/slack-go/slack"

	"github.com/alertrouter/alertrouter/channels"
)

// ErrNoDestination is returned by New when the configuration names
// neither an incoming webhook nor a bot token and channel.
var ErrNoDestination = errors.New("slack: need a webhook URL, or a bot token and a channel")

// ErrNoEvent is returned, marked permanent, for a notification without an
// event.
var ErrNoEvent = errors.New("slack: notification has no event")

// permanentCode reports whether a Web API error code is one that no
// retry can fix: bad credentials, a wrong channel, a rejected message.
func permanentCode(code string) bool {
	switch code {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked",
		"token_expired", "missing_scope", "not_allowed_token_type", "no_permission",
		"ekm_access_denied", "channel_not_found", "not_in_channel", "is_archived",
		"restricted_action", "invalid_blocks", "invalid_blocks_format", "msg_too_long",
		"msg_blocks_too_long", "no_text", "too_many_attachments", "invalid_arguments",
		"invalid_form_data", "invalid_arg_name", "unknown_method", "method_deprecated":
		return true
	}
	return false
}

// classify marks err, already wrapped with context, as retryable or
// permanent for Slack. This is the one place that decides:
//   - a cancelled context is returned as is, so IsRetryable says no;
//   - 429 with Retry-After is retryable after that wait;
//   - another HTTP status is retryable when it is 429 or 5xx;
//   - a Web API error code is permanent when it is a configuration or
//     content problem, retryable otherwise (ratelimited, internal_error,
//     fatal_error, service_unavailable and codes not known here);
//   - anything else, such as a network error, is retryable.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		return err
	}

	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return channels.Retryable(err, rl.RetryAfter)
	}

	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		if sc.Code == http.StatusTooManyRequests || sc.Code >= 500 {
			return channels.Retryable(err, 0)
		}
		return channels.Permanent(err)
	}

	var se slack.SlackErrorResponse
	if errors.As(err, &se) && permanentCode(se.Err) {
		return channels.Permanent(err)
	}
	return channels.Retryable(err, 0)
}
