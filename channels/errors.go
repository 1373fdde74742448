package channels

import (
	"context"
	"errors"
	"time"
)

// Error is a delivery failure with its class: whether a retry may succeed
// and, when the far side said so, how long to wait first.
type Error struct {
	Err        error
	Retryable  bool
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying: bad payload, bad credentials,
// unknown channel.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Err: err}
}

// Retryable marks err as transient. after is the far side's Retry-After,
// or zero to let the backoff decide.
func Retryable(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &Error{Err: err, Retryable: true, RetryAfter: after}
}

// IsRetryable reports whether err, or an error it wraps, is marked
// retryable. Unclassified errors are treated as retryable, since a network
// failure is the usual cause; a context cancellation never is.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable
	}
	return true
}

// RetryAfterOf returns the wait the far side asked for, or zero.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
