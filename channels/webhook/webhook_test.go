package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

const secretToken = "tok-abc-very-secret"

var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testNotification() channels.Notification {
	ev := &alert.Event{
		ID:         "evt-1",
		Source:     "ci/quality-gates",
		Name:       "coverage_below_threshold",
		Severity:   alert.SeverityHigh,
		Status:     alert.StatusFiring,
		Title:      "Coverage below 80%",
		Labels:     map[string]string{"pipeline": "main"},
		OccurredAt: time.Date(2026, 3, 1, 11, 59, 0, 0, time.UTC),
		Extra:      map[string]json.RawMessage{"build": json.RawMessage(`42`)},
	}
	return channels.Notification{Event: ev, Route: "ci-gates", Receiver: "eng-chat",
		Key: ev.Key(), Reason: channels.ReasonRepeat, Suppressed: 3}
}

func newNotifier(t *testing.T, rawURL string, headers map[string]string) *Notifier {
	t.Helper()

	n, err := New(Config{URL: rawURL, Headers: headers,
		Now: func() time.Time { return fixedNow }})
	require.NoError(t, err)
	return n
}

func TestSendPostsPayload(t *testing.T) {
	type seen struct {
		method, path, query string
		header              http.Header
		body                []byte
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	n := newNotifier(t, srv.URL+"/hook?token="+secretToken,
		map[string]string{"Authorization": "Bearer " + secretToken, "X-Team": "eng"})
	nt := testNotification()

	require.NoError(t, n.Send(t.Context(), nt))

	s := <-got
	require.Equal(t, http.MethodPost, s.method)
	require.Equal(t, "/hook", s.path)
	require.Equal(t, "token="+secretToken, s.query)
	require.Equal(t, "application/json", s.header.Get("Content-Type"))
	require.Equal(t, "Bearer "+secretToken, s.header.Get("Authorization"))
	require.Equal(t, "eng", s.header.Get("X-Team"))
	require.Equal(t, "alertrouter", s.header.Get("User-Agent"))

	var p map[string]any
	require.NoError(t, json.Unmarshal(s.body, &p))
	ev := p["event"].(map[string]any)
	delete(p, "event")
	require.Equal(t, map[string]any{"version": "1", "route": "ci-gates",
		"receiver": "eng-chat", "reason": "repeat", "suppressed": float64(3),
		"key": nt.Key}, p)
	require.Equal(t, "evt-1", ev["id"])
	require.Equal(t, "high", ev["severity"])
	require.Equal(t, "firing", ev["status"])
	require.Equal(t, "Coverage below 80%", ev["title"])
	require.Equal(t, map[string]any{"pipeline": "main"}, ev["labels"])
	require.Equal(t, "2026-03-01T11:59:00Z", ev["occurred_at"])
	require.Equal(t, float64(42), ev["build"])
}

func TestSendClassifiesStatus(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		retryAfter    string
		body          string
		wantErr       bool
		wantRetryable bool
		wantWait      time.Duration
	}{
		{name: "200 ok", status: 200},
		{name: "202 accepted", status: 202},
		{name: "429 with seconds", status: 429, retryAfter: "7", wantErr: true,
			wantRetryable: true, wantWait: 7 * time.Second},
		{name: "429 with http date", status: 429,
			retryAfter: fixedNow.Add(30 * time.Second).Format(http.TimeFormat),
			wantErr:    true, wantRetryable: true, wantWait: 30 * time.Second},
		{name: "429 without header", status: 429, wantErr: true, wantRetryable: true},
		{name: "500", status: 500, body: "boom", wantErr: true, wantRetryable: true},
		{name: "503 with seconds", status: 503, retryAfter: "2", wantErr: true,
			wantRetryable: true, wantWait: 2 * time.Second},
		{name: "408", status: 408, wantErr: true, wantRetryable: true},
		{name: "400", status: 400, body: "invalid payload", wantErr: true},
		{name: "401", status: 401, wantErr: true},
		{name: "404", status: 404, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
				_ *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			n := newNotifier(t, srv.URL+"/h?token="+secretToken,
				map[string]string{"Authorization": secretToken})

			err := n.Send(t.Context(), testNotification())

			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, tt.wantRetryable, channels.IsRetryable(err))
			require.Equal(t, tt.wantWait, channels.RetryAfterOf(err))
			require.Contains(t, err.Error(), hostOf(t, srv.URL))
			require.NotContains(t, err.Error(), secretToken)
			require.Contains(t, err.Error(), tt.body)
		})
	}
}

func TestSendNetworkErrorIsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	n := newNotifier(t, srv.URL+"/h?token="+secretToken, nil)

	err := n.Send(t.Context(), testNotification())

	require.Error(t, err)
	require.True(t, channels.IsRetryable(err))
	require.NotContains(t, err.Error(), secretToken)
	require.Contains(t, err.Error(), hostOf(t, srv.URL))
}

func TestSendCanceledIsNotRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	err := newNotifier(t, srv.URL, nil).Send(ctx, testNotification())

	require.ErrorIs(t, err, context.Canceled)
	require.False(t, channels.IsRetryable(err))
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "valid", cfg: Config{URL: "https://hooks.example.org/x"}},
		{name: "bad scheme", cfg: Config{URL: "ftp://x/" + secretToken}, wantErr: `"ftp"`},
		{name: "no host", cfg: Config{URL: "https:///" + secretToken}, wantErr: "no host"},
		{name: "unparsable", cfg: Config{URL: "http://x/%zz?" + secretToken},
			wantErr: "does not parse"},
		{name: "bad header name", cfg: Config{URL: "https://h/",
			Headers: map[string]string{"Bad Name": "v"}}, wantErr: `"Bad Name"`},
		{name: "header value with CRLF", cfg: Config{URL: "https://h/",
			Headers: map[string]string{"Authorization": secretToken + "\r\nX: y"}},
			wantErr: "control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := New(tt.cfg)

			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, "webhook", n.Name())
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.NotContains(t, err.Error(), secretToken)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{name: "empty", in: "", want: 0},
		{name: "seconds", in: " 120 ", want: 2 * time.Minute},
		{name: "zero", in: "0", want: 0},
		{name: "negative", in: "-5", want: 0},
		{name: "huge seconds capped", in: "99999999999", want: 24 * time.Hour},
		{name: "garbage", in: "soon", want: 0},
		{name: "future date", in: fixedNow.Add(time.Minute).Format(http.TimeFormat),
			want: time.Minute},
		{name: "past date", in: fixedNow.Add(-time.Minute).Format(http.TimeFormat), want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, retryAfter(tt.in, fixedNow))
		})
	}
}

func TestReadExcerptIsOneBoundedLine(t *testing.T) {
	body := "line one\r\nline\x1b[31m two" + strings.Repeat("x", 1000)

	got := readExcerpt(strings.NewReader(body))

	require.True(t, strings.HasPrefix(got, "line one line [31m two"), got)
	require.LessOrEqual(t, len(got), maxExcerpt)
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()

	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Host
}
