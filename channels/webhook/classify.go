package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/alertrouter/alertrouter/channels"
)

// Limits on how much of a response is read: a short excerpt goes into the
// error, and the rest is drained (up to a bound) so the connection can be
// reused.
const (
	maxExcerpt = 200
	maxDrain   = 64 << 10
)

// classify decides what a response means:
//
//   - 2xx: delivered;
//   - 429: retryable after Retry-After (seconds or an HTTP date);
//   - 408 and 5xx: retryable, after Retry-After when given (503 often
//     has one);
//   - any other status (400, 401, 403, 404, 410, 3xx left unfollowed):
//     permanent, the request itself or the configuration is wrong.
//
// The error names the host and quotes the start of the body; never the
// path, query or request headers, which may carry secrets.
func classify(host string, resp *http.Response, now time.Time) error {
	excerpt := readExcerpt(resp.Body)
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}

	err := fmt.Errorf("webhook: post to %s: status %d", host, code)
	if excerpt != "" {
		err = fmt.Errorf("webhook: post to %s: status %d: %q", host, code, excerpt)
	}

	wait := retryAfter(resp.Header.Get("Retry-After"), now)
	switch {
	case code == http.StatusTooManyRequests, code == http.StatusRequestTimeout, code >= 500:
		return channels.Retryable(err, wait)
	default:
		return channels.Permanent(err)
	}
}

// transportError classes a failure to get any response: retryable (the
// endpoint may be down or slow), unless the caller cancelled. The URL is
// cut out of the error, since url.Error quotes it whole.
func transportError(host string, err error) error {
	wrapped := fmt.Errorf("webhook: post to %s: %w", host, stripURL(err))
	if errors.Is(err, context.Canceled) {
		return wrapped
	}
	return channels.Retryable(wrapped, 0)
}

// stripURL returns the error inside a *url.Error, without the URL.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryAfter parses a Retry-After value: delay-seconds (capped at a day)
// or an HTTP date (RFC 9110 section 10.2.3). Anything else, or a time
// already past, gives zero, which leaves the wait to the backoff.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// readExcerpt returns the start of a body as one printable line, and
// drains a bounded rest.
func readExcerpt(body io.Reader) string {
	buf := make([]byte, maxExcerpt)
	n, _ := io.ReadFull(body, buf)
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))

	s := strings.ToValidUTF8(string(buf[:n]), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
