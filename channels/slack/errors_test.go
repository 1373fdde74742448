package slack

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/channels"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		retryable  bool
		retryAfter time.Duration
	}{
		{"rate limited", &slack.RateLimitedError{RetryAfter: 30 * time.Second}, true,
			30 * time.Second},
		{"status 429", slack.StatusCodeError{Code: 429}, true, 0},
		{"status 503", slack.StatusCodeError{Code: 503}, true, 0},
		{"status 404", slack.StatusCodeError{Code: 404}, false, 0},
		{"status 410", slack.StatusCodeError{Code: 410}, false, 0},
		{"invalid_auth", slack.SlackErrorResponse{Err: "invalid_auth"}, false, 0},
		{"token_revoked", slack.SlackErrorResponse{Err: "token_revoked"}, false, 0},
		{"missing_scope", slack.SlackErrorResponse{Err: "missing_scope"}, false, 0},
		{"is_archived", slack.SlackErrorResponse{Err: "is_archived"}, false, 0},
		{"msg_too_long", slack.SlackErrorResponse{Err: "msg_too_long"}, false, 0},
		{"ratelimited code", slack.SlackErrorResponse{Err: "ratelimited"}, true, 0},
		{"fatal_error", slack.SlackErrorResponse{Err: "fatal_error"}, true, 0},
		{"service_unavailable", slack.SlackErrorResponse{Err: "service_unavailable"}, true, 0},
		{"unknown code", slack.SlackErrorResponse{Err: "something_new"}, true, 0},
		{"network", errors.New("connection refused"), true, 0},
		{"deadline", context.DeadlineExceeded, true, 0},
		{"cancelled", context.Canceled, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wrapped := fmt.Errorf("slack chat.postMessage to #a: %w", tt.err)

			got := classify(context.Background(), wrapped)

			require.ErrorIs(t, got, wrapped)
			require.Equal(t, tt.retryable, channels.IsRetryable(got))
			require.Equal(t, tt.retryAfter, channels.RetryAfterOf(got))
		})
	}
}

func TestClassifyNil(t *testing.T) {
	require.NoError(t, classify(context.Background(), nil))
}
