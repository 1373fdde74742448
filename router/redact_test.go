package router

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/rules"
)

const redactRules = `
receivers:
  pager: { console: {} }
  chat: { console: {}, redact: true }
  audit-chat: { console: {}, redact: true }
redact_patterns: { mrn: 'MRN-[0-9]+' }
sensitive_labels: [patient]
routes:
  - name: all
    receivers: [pager, chat, audit-chat]
`

func parseRedactRules(t *testing.T) *rules.Rules {
	t.Helper()
	rs, err := rules.Parse("redact.yaml", []byte(redactRules), rules.Options{})
	require.NoError(t, err)
	return rs
}

func TestRedactReceiverGetsMaskedEvent(t *testing.T) {
	rs := parseRedactRules(t)
	h := start(t, newRecorder(), func(o *Options) { o.Rules = rs })

	h.publish(t, `{"source":"monitor/records","name":"export_failed","severity":"high",
		"title":"export failed for CPF 529.982.247-25",
		"description":"record MRN-00042, contact maria@example.com",
		"labels":{"service":"records","patient":"Maria Silva"}}`)
	h.waitDone(t, 1)

	pager, chat := h.rec.got("pager"), h.rec.got("chat")
	require.Len(t, pager, 1)
	require.Len(t, chat, 1)

	require.Equal(t, "export failed for CPF 529.982.247-25", pager[0].Event.Title)
	require.Equal(t, "record MRN-00042, contact maria@example.com", pager[0].Event.Description)
	require.Equal(t, "Maria Silva", pager[0].Event.Labels["patient"])

	require.Equal(t, "export failed for CPF [REDACTED:cpf]", chat[0].Event.Title)
	require.Equal(t, "record [REDACTED:mrn], contact [REDACTED:email]",
		chat[0].Event.Description)
	require.Equal(t, "[REDACTED]", chat[0].Event.Labels["patient"])
	require.Equal(t, "records", chat[0].Event.Labels["service"])
	require.Equal(t, pager[0].Key, chat[0].Key, "masking never changes the dedup key")
}

func TestNotificationsShareOneRedactedCopy(t *testing.T) {
	rs := parseRedactRules(t)
	set := &ruleSet{rules: rs, redactor: newRedactor(rs)}
	ev := &alert.Event{Source: "s", Name: "n", Title: "a@b.org",
		Labels: map[string]string{"patient": "Maria"}}
	plan := []Planned{
		{Route: "all", Receiver: "pager", Reason: channels.ReasonNew},
		{Route: "all", Receiver: "chat", Reason: channels.ReasonNew},
		{Route: "all", Receiver: "audit-chat", Reason: channels.ReasonNew},
		{Route: "old", Receiver: "removed", Reason: channels.ReasonReplay},
	}

	got := notifications(set, ev, plan)

	require.Same(t, ev, got[0].Event, "a receiver without redact gets the event itself")
	require.Equal(t, "[REDACTED:email]", got[1].Event.Title)
	require.Same(t, got[1].Event, got[2].Event, "one masked copy per event")
	require.Same(t, got[1].Event, got[3].Event, "an unknown receiver is masked too")
	require.Equal(t, "a@b.org", ev.Title, "the event itself is not changed")
	for _, n := range got {
		require.Equal(t, ev.Key(), n.Key)
	}
}
