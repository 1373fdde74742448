package fakeslack

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// Via says which door a message came in by.
type Via string

// The two ways a message reaches the fake.
const (
	ViaAPI     Via = "api"
	ViaWebhook Via = "webhook"
)

// Message is one accepted message, as Slack would store it.
type Message struct {
	Via Via
	// Channel is the channel ID for the Web API, the webhook's name for a
	// webhook.
	Channel string
	// Text is the text field, after Slack's truncation at 40,000 chars.
	Text string
	// Blocks is the blocks JSON array as sent, or nil.
	Blocks json.RawMessage
	// Token is the bot token used (Web API only).
	Token string
	// TS is the message timestamp returned to the sender (Web API only).
	TS string
	// Warning is the warning returned, such as "message_truncated".
	Warning string
	// Params holds every form field (Web API) other than the token.
	Params map[string]string
	// Time is when the fake accepted the message.
	Time time.Time
}

const (
	maxText       = 40000
	maxBlocks     = 50
	maxSection    = 3000
	maxField      = 2000
	maxFields     = 10
	maxHeader     = 150
	maxBlockID    = 255
	maxCtxElems   = 10
	maxWebhookLen = 1 << 20
)

// handleAPI serves /api/<method>. Only chat.postMessage is implemented;
// other methods answer unknown_method, as Slack does.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	formErr := r.ParseForm()

	s.mu.Lock()
	defer s.mu.Unlock()

	s.requests++
	if f, ok := s.takeFault(); ok {
		writeFault(w, f, true)
		return
	}

	switch {
	case method != "chat.postMessage":
		writeAPIError(w, "unknown_method")
	case r.Method != http.MethodPost:
		writeAPIError(w, "invalid_request")
	case formErr != nil:
		writeAPIError(w, "invalid_form_data")
	default:
		s.postMessage(w, r)
	}
}

// postMessage checks and records one chat.postMessage call. The caller
// holds s.mu. The token is read from the form, as slack-go sends it.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	token := r.PostForm.Get("token")
	if !s.tokens[token] {
		writeAPIError(w, "invalid_auth")
		return
	}

	channel := s.channels[strings.TrimPrefix(r.PostForm.Get("channel"), "#")]
	if channel == "" {
		writeAPIError(w, "channel_not_found")
		return
	}

	text, warning, code := s.checkContent(r.PostForm.Get("text"), r.PostForm.Get("blocks"))
	if code != "" {
		writeAPIError(w, code)
		return
	}

	now := s.now()
	if s.limiter != nil {
		if ok, wait := s.limiter.allow(channel, now); !ok {
			writeFault(w, fault{status: http.StatusTooManyRequests, retryAfter: wait}, true)
			return
		}
	}

	msg := Message{
		Via: ViaAPI, Channel: channel, Text: text, Token: token,
		TS: s.nextTS(now), Warning: warning, Params: params(r), Time: now,
	}
	if b := r.PostForm.Get("blocks"); b != "" {
		msg.Blocks = json.RawMessage(b)
	}
	s.messages = append(s.messages, msg)

	reply := map[string]any{
		"ok": true, "channel": channel, "ts": msg.TS,
		"message": map[string]any{"type": "message", "text": text, "ts": msg.TS},
	}
	if warning != "" {
		reply["warning"] = warning
		reply["response_metadata"] = map[string]any{"warnings": []string{warning}}
	}
	writeJSON(w, http.StatusOK, reply)
}

// handleWebhook serves /services/<name>, Slack's incoming webhooks, which
// answer in plain text: "ok", or an error code with a 4xx status.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/services/")
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxWebhookLen))

	s.mu.Lock()
	defer s.mu.Unlock()

	s.requests++
	if !s.webhooks[name] {
		writeText(w, http.StatusNotFound, "no_service")
		return
	}
	if f, ok := s.takeFault(); ok {
		writeFault(w, f, false)
		return
	}

	var payload struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if readErr != nil || r.Method != http.MethodPost || json.Unmarshal(body, &payload) != nil {
		writeText(w, http.StatusBadRequest, "invalid_payload")
		return
	}

	blocks := string(payload.Blocks)
	if blocks == "null" {
		blocks = ""
	}
	text, warning, code := s.checkContent(payload.Text, blocks)
	if code == "no_text" {
		code = "invalid_payload"
	}
	if code != "" {
		writeText(w, http.StatusBadRequest, code)
		return
	}

	now := s.now()
	if s.limiter != nil {
		if ok, wait := s.limiter.allow("webhook:"+name, now); !ok {
			writeFault(w, fault{status: http.StatusTooManyRequests, retryAfter: wait}, false)
			return
		}
	}

	msg := Message{Via: ViaWebhook, Channel: name, Text: text, Warning: warning, Time: now}
	if blocks != "" {
		msg.Blocks = json.RawMessage(blocks)
	}
	s.messages = append(s.messages, msg)
	writeText(w, http.StatusOK, "ok")
}

// checkContent applies Slack's content rules. It returns the text as
// stored (truncated at 40,000 characters, with a warning) or an error code.
func (s *Server) checkContent(text, blocks string) (string, string, string) {
	if blocks != "" {
		if code := checkBlocks(blocks, s.blocksCap); code != "" {
			return "", "", code
		}
	}
	if strings.TrimSpace(text) == "" && (blocks == "" || blocks == "[]") {
		return "", "", "no_text"
	}

	if r := []rune(text); len(r) > maxText {
		return string(r[:maxText]), "message_truncated", ""
	}
	return text, "", ""
}

func params(r *http.Request) map[string]string {
	p := make(map[string]string, len(r.PostForm))
	for k, v := range r.PostForm {
		if k != "token" && len(v) > 0 {
			p[k] = v[0]
		}
	}
	return p
}

func writeAPIError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
