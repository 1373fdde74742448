package fakeslack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// clock is a settable time source shared with the server under test.
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

type apiReply struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	Warning string `json:"warning"`
}

func post(t *testing.T, s *Server, form url.Values) (*http.Response, apiReply) {
	t.Helper()
	resp, err := http.PostForm(s.URL()+"chat.postMessage", form)
	require.NoError(t, err)
	defer resp.Body.Close()

	var r apiReply
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	}
	return resp, r
}

func form(token, channel, text string, blocks string) url.Values {
	v := url.Values{"token": {token}, "channel": {channel}, "text": {text}}
	if blocks != "" {
		v.Set("blocks", blocks)
	}
	return v
}

func sectionBlocks(n, textLen int) string {
	b := make([]map[string]any, n)
	for i := range b {
		b[i] = map[string]any{
			"type": "section",
			"text": map[string]any{"type": "mrkdwn", "text": strings.Repeat("x", textLen)},
		}
	}
	raw, _ := json.Marshal(b)
	return string(raw)
}

func TestPostMessageValidation(t *testing.T) {
	tests := []struct {
		name    string
		form    url.Values
		wantErr string
		warning string
	}{
		{"accepted", form(DefaultToken, "#alerts", "hi", ""), "", ""},
		{"by channel id", form(DefaultToken, DefaultChannelID, "hi", ""), "", ""},
		{"bad token", form("xoxb-wrong", "alerts", "hi", ""), "invalid_auth", ""},
		{"missing token", url.Values{"channel": {"alerts"}, "text": {"x"}},
			"invalid_auth", ""},
		{"unknown channel", form(DefaultToken, "#nope", "hi", ""), "channel_not_found", ""},
		{"no channel", form(DefaultToken, "", "hi", ""), "channel_not_found", ""},
		{"no text no blocks", form(DefaultToken, "alerts", " ", ""), "no_text", ""},
		{"blocks without text", form(DefaultToken, "alerts", "", sectionBlocks(1, 10)), "", ""},
		{"too many blocks", form(DefaultToken, "alerts", "x", sectionBlocks(51, 1)),
			"invalid_blocks", ""},
		{"section too long", form(DefaultToken, "alerts", "x", sectionBlocks(1, 3001)),
			"invalid_blocks", ""},
		{"blocks total too long", form(DefaultToken, "alerts", "x", sectionBlocks(5, 2900)),
			"msg_blocks_too_long", ""},
		{"blocks not json", form(DefaultToken, "alerts", "x", "[{"), "invalid_blocks_format", ""},
		{"long text truncated", form(DefaultToken, "alerts", strings.Repeat("é", 40001), ""),
			"", "message_truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(WithoutRateLimit())
			defer s.Close()

			resp, r := post(t, s, tt.form)

			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, tt.wantErr == "", r.OK)
			require.Equal(t, tt.wantErr, r.Error)
			require.Equal(t, tt.warning, r.Warning)
			if tt.wantErr != "" {
				require.Empty(t, s.Messages())
				return
			}
			msgs := s.Messages()
			require.Len(t, msgs, 1)
			require.Equal(t, DefaultChannelID, msgs[0].Channel)
			require.Equal(t, r.TS, msgs[0].TS)
			require.Equal(t, DefaultToken, msgs[0].Token)
			require.LessOrEqual(t, len([]rune(msgs[0].Text)), 40000)
		})
	}
}

func TestTimestampsAreUnique(t *testing.T) {
	frozen := time.Unix(1700000000, 0)
	s := New(WithoutRateLimit(), WithClock(func() time.Time { return frozen }))
	defer s.Close()

	seen := map[string]bool{}
	for range 20 {
		_, r := post(t, s, form(DefaultToken, "alerts", "hi", ""))
		require.True(t, r.OK)
		require.False(t, seen[r.TS], "ts %s repeated", r.TS)
		seen[r.TS] = true
	}
	require.Len(t, s.Messages(), 20)
}

func TestRateLimitPerChannel(t *testing.T) {
	c := &clock{t: time.Unix(1700000000, 0)}
	s := New(WithRateLimit(1, 2), WithClock(c.now), WithChannels("a", "b"))
	defer s.Close()

	for range 2 {
		_, r := post(t, s, form(DefaultToken, "a", "hi", ""))
		require.True(t, r.OK)
	}
	resp, _ := post(t, s, form(DefaultToken, "a", "hi", ""))
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))

	_, r := post(t, s, form(DefaultToken, "b", "other channel", ""))
	require.True(t, r.OK, "channel b has its own budget")

	c.add(time.Second)
	_, r = post(t, s, form(DefaultToken, "a", "hi", ""))
	require.True(t, r.OK, "a token refills after a second")
	require.Len(t, s.Messages(), 4)
}

func TestInjectedFaults(t *testing.T) {
	s := New(WithoutRateLimit())
	defer s.Close()

	s.FailNext(1, http.StatusTooManyRequests, 7)
	s.FailNext(1, http.StatusInternalServerError, 0)
	s.FailNextAPIError(1, "internal_error")

	resp, _ := post(t, s, form(DefaultToken, "alerts", "hi", ""))
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "7", resp.Header.Get("Retry-After"))

	resp, _ = post(t, s, form(DefaultToken, "alerts", "hi", ""))
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)

	_, r := post(t, s, form(DefaultToken, "alerts", "hi", ""))
	require.Equal(t, "internal_error", r.Error)

	_, r = post(t, s, form(DefaultToken, "alerts", "hi", ""))
	require.True(t, r.OK)
	require.Len(t, s.Messages(), 1)
	require.Equal(t, 4, s.Requests())

	s.Reset()
	require.Empty(t, s.Messages())
	require.Zero(t, s.Requests())
}

func TestFailureRateIsSeeded(t *testing.T) {
	run := func() []int {
		s := New(WithoutRateLimit(), WithFailureRate(0.5, 42))
		defer s.Close()
		var codes []int
		for range 20 {
			resp, _ := post(t, s, form(DefaultToken, "alerts", "hi", ""))
			codes = append(codes, resp.StatusCode)
		}
		return codes
	}

	first := run()
	require.Equal(t, first, run())
	require.Contains(t, first, http.StatusInternalServerError)
	require.Contains(t, first, http.StatusOK)
}

func TestWebhook(t *testing.T) {
	tests := []struct {
		name   string
		hook   string
		body   string
		status int
		reply  string
	}{
		{"accepted", "T1/B1/x", `{"text":"hello"}`, 200, "ok"},
		{"blocks only", "T1/B1/x", `{"blocks":` + sectionBlocks(1, 5) + `}`, 200, "ok"},
		{"invalid json", "T1/B1/x", `{"text":`, 400, "invalid_payload"},
		{"no text", "T1/B1/x", `{"username":"bot"}`, 400, "invalid_payload"},
		{"bad blocks", "T1/B1/x", `{"text":"x","blocks":` + sectionBlocks(51, 1) + `}`,
			400, "invalid_blocks"},
		{"unknown webhook", "T9/B9/nope", `{"text":"hello"}`, 404, "no_service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(WithoutRateLimit())
			defer s.Close()
			u := s.WebhookURL("T1/B1/x")
			u = strings.Replace(u, "T1/B1/x", tt.hook, 1)

			resp, err := http.Post(u, "application/json", strings.NewReader(tt.body))
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)

			require.Equal(t, tt.status, resp.StatusCode)
			require.Equal(t, tt.reply, string(body))
			require.Equal(t, tt.status == 200, len(s.Messages()) == 1)
		})
	}
}

func TestControlSequences(t *testing.T) {
	m := Message{
		Text:   "hi <!channel> &lt;!here&gt; <@U123>",
		Blocks: json.RawMessage(`[{"type":"section","text":{"type":"mrkdwn","text":"<https://x|y>"}}]`),
	}

	require.Equal(t, []string{"<!channel>", "<@U123>", "<https://x|y>"}, m.ControlSequences())
	require.Equal(t, []string{"<https://x|y>"}, m.BlockTexts())
}

func TestConcurrentPosts(t *testing.T) {
	s := New(WithoutRateLimit())
	defer s.Close()

	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			resp, err := http.PostForm(s.URL()+"chat.postMessage",
				form(DefaultToken, "alerts", "hi", ""))
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()

	seen := map[string]bool{}
	for _, m := range s.Messages() {
		seen[m.TS] = true
	}
	require.Len(t, seen, 16, "every message accepted with its own ts")
}
