package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/alertrouter/alertrouter/channels"
)

// ErrNoRoutingKey is returned by New when the routing key is empty.
var ErrNoRoutingKey = errors.New("pagerduty: routing key is empty")

// ErrNoEvent is returned, marked permanent, for a notification without an
// event.
var ErrNoEvent = errors.New("pagerduty: notification has no event")

// classify marks err, already wrapped with context, as retryable or
// permanent for PagerDuty. This is the one place that decides:
//   - a cancelled context is not retryable; go-pagerduty flattens
//     transport errors with %v, so the context itself is consulted and
//     joined in, keeping errors.Is(err, context.Canceled) true;
//   - an API error is retryable for 429, 408 and 5xx, permanent for 400
//     (an invalid event) and any other status;
//   - anything else, such as a network error, is retryable.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.Canceled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: %w", err, context.Canceled)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}

	var apiErr pagerduty.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.StatusCode
		if code == http.StatusTooManyRequests || code == http.StatusRequestTimeout ||
			code >= 500 {
			return channels.Retryable(err, 0)
		}
		return channels.Permanent(err)
	}
	return channels.Retryable(err, 0)
}
