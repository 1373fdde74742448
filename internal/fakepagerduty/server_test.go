package fakepagerduty

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type reply struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

func send(t *testing.T, s *Server, body any) (int, reply, http.Header) {
	t.Helper()
	raw, ok := body.([]byte)
	if !ok {
		var err error
		raw, err = json.Marshal(body)
		require.NoError(t, err)
	}

	resp, err := http.Post(s.URL()+"/v2/enqueue", "application/json", bytes.NewReader(raw))
	require.NoError(t, err)
	defer resp.Body.Close()

	var r reply
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	}
	return resp.StatusCode, r, resp.Header
}

func trigger(key string) map[string]any {
	return map[string]any{
		"routing_key": DefaultRoutingKey, "event_action": "trigger", "dedup_key": key,
		"payload": map[string]any{"summary": "disk full", "source": "db1", "severity": "critical"},
	}
}

func with(ev map[string]any, path string, v any) map[string]any {
	if p, ok := strings.CutPrefix(path, "payload."); ok {
		ev["payload"].(map[string]any)[p] = v
		return ev
	}
	ev[path] = v
	return ev
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name    string
		body    any
		status  int
		wantErr string
	}{
		{"valid trigger", trigger("k1"), 202, ""},
		{"trigger with timestamp", with(trigger("k"), "payload.timestamp",
			"2024-05-01T10:00:00Z"), 202, ""},
		{"no routing key", with(trigger("k"), "routing_key", ""), 400, "'routing_key' is missing"},
		{"short routing key", with(trigger("k"), "routing_key", "abc"), 400, "32 characters"},
		{"unknown routing key", with(trigger("k"), "routing_key", strings.Repeat("z", 32)),
			400, "not a known integration key"},
		{"bad action", with(trigger("k"), "event_action", "explode"), 400, "'event_action'"},
		{"dedup key too long", trigger(strings.Repeat("d", 256)), 400, "'dedup_key'"},
		{"no summary", with(trigger("k"), "payload.summary", " "), 400, "'payload.summary'"},
		{"summary too long", with(trigger("k"), "payload.summary", strings.Repeat("s", 1025)),
			400, "at most 1024"},
		{"no source", with(trigger("k"), "payload.source", ""), 400, "'payload.source'"},
		{"bad severity", with(trigger("k"), "payload.severity", "high"), 400, "'payload.severity'"},
		{"bad timestamp", with(trigger("k"), "payload.timestamp", "yesterday"), 400, "timestamp"},
		{"no payload", with(trigger("k"), "payload", nil), 400, "'payload' is missing"},
		{"resolve without key", map[string]any{"routing_key": DefaultRoutingKey,
			"event_action": "resolve"}, 400, "required for acknowledge and resolve"},
		{"link without href", with(trigger("k"), "links", []map[string]string{{"text": "x"}}),
			400, "'links[0].href'"},
		{"bad json", []byte(`{"routing_key":`), 400, "Could not parse"},
		{"too large", with(trigger("k"), "payload.custom_details",
			map[string]string{"x": strings.Repeat("a", MaxBody)}), 400, "512 KB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()

			status, r, h := send(t, s, tt.body)

			require.Equal(t, tt.status, status)
			require.Equal(t, "application/json", h.Get("Content-Type"))
			if tt.wantErr == "" {
				require.Equal(t, "success", r.Status)
				require.Equal(t, "Event processed", r.Message)
				require.Len(t, s.Events(), 1)
				return
			}
			require.Equal(t, "invalid event", r.Status)
			require.Equal(t, "Event object is invalid", r.Message)
			require.Contains(t, strings.Join(r.Errors, "\n"), tt.wantErr)
			require.Empty(t, s.Events())
		})
	}
}

func TestGeneratedDedupKey(t *testing.T) {
	s := New()
	defer s.Close()

	_, r, _ := send(t, s, trigger(""))

	require.Len(t, r.DedupKey, 32)
	require.True(t, s.Open(DefaultRoutingKey, r.DedupKey))
}

func TestIncidentLifecycle(t *testing.T) {
	s := New()
	defer s.Close()
	resolve := map[string]any{
		"routing_key": DefaultRoutingKey, "event_action": "resolve", "dedup_key": "k",
	}

	steps := []struct {
		name    string
		body    map[string]any
		open    bool
		dropped bool
	}{
		{"resolve before trigger is dropped", resolve, false, true},
		{"trigger opens", trigger("k"), true, false},
		{"second trigger folds in", trigger("k"), true, false},
		{"resolve closes", resolve, false, false},
		{"second resolve is dropped", resolve, false, true},
		{"trigger after resolve opens anew", trigger("k"), true, false},
	}
	for i, st := range steps {
		status, r, _ := send(t, s, st.body)
		require.Equal(t, http.StatusAccepted, status, st.name)
		require.Equal(t, "k", r.DedupKey, st.name)
		require.Equal(t, st.open, s.Open(DefaultRoutingKey, "k"), st.name)
		require.Equal(t, st.dropped, s.Events()[i].Dropped, st.name)
	}

	incs := s.Incidents()
	require.Len(t, incs, 2)
	require.Equal(t, StatusResolved, incs[0].Status)
	require.Equal(t, 2, incs[0].Triggers)
	require.Equal(t, StatusTriggered, incs[1].Status)
	require.False(t, s.Open(DefaultRoutingKey, "other"))
}

func TestRateLimitSlidingWindow(t *testing.T) {
	c := &clock{t: time.Unix(1700000000, 0)}
	s := New(WithRateLimit(2, time.Minute), WithClock(c.now))
	defer s.Close()

	for range 2 {
		status, _, _ := send(t, s, trigger("k"))
		require.Equal(t, http.StatusAccepted, status)
	}
	status, r, _ := send(t, s, trigger("k"))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, "throttle exceeded", r.Status)

	c.add(59 * time.Second)
	status, _, _ = send(t, s, trigger("k"))
	require.Equal(t, http.StatusTooManyRequests, status, "window still full")

	c.add(time.Second)
	status, _, _ = send(t, s, trigger("k"))
	require.Equal(t, http.StatusAccepted, status, "oldest event left the window")
	require.Len(t, s.Events(), 3)
}

func TestInjectedFaults(t *testing.T) {
	s := New()
	defer s.Close()
	s.FailNext(1, http.StatusTooManyRequests)
	s.FailNext(1, http.StatusBadGateway)

	status, _, _ := send(t, s, trigger("k"))
	require.Equal(t, http.StatusTooManyRequests, status)

	status, _, h := send(t, s, trigger("k"))
	require.Equal(t, http.StatusBadGateway, status)
	require.Equal(t, "text/html", h.Get("Content-Type"))

	status, _, _ = send(t, s, trigger("k"))
	require.Equal(t, http.StatusAccepted, status)
	require.Equal(t, 3, s.Requests())
	require.Len(t, s.Events(), 1)
}

func TestFailureRateIsSeeded(t *testing.T) {
	run := func() []int {
		s := New(WithoutRateLimit(), WithFailureRate(0.5, 7))
		defer s.Close()
		var codes []int
		for range 20 {
			status, _, _ := send(t, s, trigger("k"))
			codes = append(codes, status)
		}
		return codes
	}

	first := run()
	require.Equal(t, first, run())
	require.Contains(t, first, http.StatusBadGateway)
	require.Contains(t, first, http.StatusAccepted)
}
