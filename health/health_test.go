package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/health"
)

// probe GETs path from h's endpoints through a test server and decodes
// the JSON body.
func probe(t *testing.T, h http.Handler) (int, health.Response) {
	t.Helper()

	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()

	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var body health.Response
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func pass(name string) health.Check {
	return health.Check{Name: name, Run: func(context.Context) error { return nil }}
}

func fail(name, msg string) health.Check {
	return health.Check{Name: name, Run: func(context.Context) error { return errors.New(msg) }}
}

func TestHealthz(t *testing.T) {
	h := health.New(fail("nats", "disconnected"))

	code, body := probe(t, h.Healthz())

	require.Equal(t, http.StatusOK, code, "liveness ignores readiness checks")
	require.Equal(t, health.Response{Status: "ok"}, body)
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name   string
		checks []health.Check
		code   int
		want   health.Response
	}{
		{"all pass", []health.Check{pass("nats"), pass("consumer")}, http.StatusOK,
			health.Response{Status: "ready", Checks: map[string]string{
				"nats": "ok", "consumer": "ok"}}},
		{"one fails", []health.Check{pass("nats"),
			fail("consumer", "consumer alertrouter not found: consumer not found")},
			http.StatusServiceUnavailable,
			health.Response{Status: "not ready", Checks: map[string]string{"nats": "ok",
				"consumer": "consumer alertrouter not found: consumer not found"}}},
		{"no checks", nil, http.StatusOK, health.Response{Status: "ready"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := probe(t, health.New(tc.checks...).Readyz())

			require.Equal(t, tc.code, code)
			require.Equal(t, tc.want, body)
		})
	}
}

func TestReadyzRawBody(t *testing.T) {
	rec := httptest.NewRecorder()

	health.New(pass("nats"), fail("rules", "no rules loaded")).Readyz().
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))

	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.JSONEq(t, `{"status":"not ready","checks":{"nats":"ok","rules":"no rules loaded"}}`,
		rec.Body.String())
	require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
}

func TestMethods(t *testing.T) {
	h := health.New(pass("nats"))
	tests := []struct {
		name    string
		handler http.Handler
		method  string
		code    int
	}{
		{"healthz head", h.Healthz(), http.MethodHead, http.StatusOK},
		{"readyz head", h.Readyz(), http.MethodHead, http.StatusOK},
		{"healthz post", h.Healthz(), http.MethodPost, http.StatusMethodNotAllowed},
		{"readyz delete", h.Readyz(), http.MethodDelete, http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()

			tc.handler.ServeHTTP(rec, httptest.NewRequest(tc.method, "/", nil))

			require.Equal(t, tc.code, rec.Code)
			if tc.code == http.StatusMethodNotAllowed {
				require.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
			}
		})
	}
}

func TestReadyzRunsChecksConcurrently(t *testing.T) {
	// Each check waits for the other to start: run one after the other,
	// the first would wait until the readiness timeout.
	arrived := make(chan struct{}, 2)
	gate := make(chan struct{})
	go func() {
		<-arrived
		<-arrived
		close(gate)
	}()
	both := func(name string) health.Check {
		return health.Check{Name: name, Run: func(ctx context.Context) error {
			arrived <- struct{}{}
			select {
			case <-gate:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}}
	}

	code, body := probe(t, health.New(both("a"), both("b")).Readyz())

	require.Equal(t, http.StatusOK, code)
	require.Equal(t, map[string]string{"a": "ok", "b": "ok"}, body.Checks)
}

func TestReadyzTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var budget time.Duration
	checks := []health.Check{
		pass("nats"),
		{Name: "stuck", Run: func(context.Context) error {
			<-release // ignores its context
			return nil
		}},
		{Name: "deadline", Run: func(ctx context.Context) error {
			d, _ := ctx.Deadline()
			budget = time.Until(d)
			return nil
		}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, "/readyz", nil).WithContext(ctx)
	rec := httptest.NewRecorder()

	health.New(checks...).Readyz().ServeHTTP(rec, req)

	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	var body health.Response
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Equal(t, health.Response{Status: "not ready", Checks: map[string]string{
		"nats": "ok", "stuck": "timed out", "deadline": "ok"}}, body)
	require.LessOrEqual(t, budget, 200*time.Millisecond, "the request deadline is passed down")
}

func TestReadyzTimeoutCap(t *testing.T) {
	var budget time.Duration
	h := health.New(health.Check{Name: "deadline", Run: func(ctx context.Context) error {
		d, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		budget = time.Until(d)
		return nil
	}})

	code, _ := probe(t, h.Readyz())

	require.Equal(t, http.StatusOK, code)
	require.Greater(t, budget, time.Duration(0))
	require.LessOrEqual(t, budget, health.DefaultTimeout)
}
