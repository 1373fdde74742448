package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/audit"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/internal/natstest"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

var _ router.Observer = (*audit.Auditor)(nil)

// eventFields are the identity fields every event record carries.
func eventFields(kind string) audit.Record {
	return audit.Record{V: audit.Version, Time: testTime, Kind: kind, Worker: "host-a:42",
		EventID: "ev-1", Key: "records-db/primary-down", Source: "monitor/db",
		Name: "database_down", Severity: "critical", Status: "firing"}
}

func with(r audit.Record, edit func(*audit.Record)) audit.Record {
	edit(&r)
	return r
}

func TestAuditorRecordsEachObserverCall(t *testing.T) {
	a, js := setup(t)
	ev := event("ev-1")
	raw, err := json.Marshal(ev)
	require.NoError(t, err)
	n := channels.Notification{Event: ev, Route: "critical-to-oncall", Receiver: "oncall",
		Key: ev.Key(), Reason: channels.ReasonNew}
	farErr := errors.New("pagerduty: 502 bad gateway")
	rs := &rules.Rules{File: "/etc/alertrouter/rules.yaml", Hash: "abc123"}

	tests := []struct {
		name string
		call func()
		want audit.Record
	}{
		{"received", func() { a.Received(ev, raw, "") },
			with(eventFields(audit.KindReceived), func(r *audit.Record) {
				r.Subject = "alerts.monitor_db.critical"
				r.PayloadSHA256 = sha256Hex(raw)
			})},
		{"replayed", func() { a.Received(ev, raw, "17") },
			with(eventFields(audit.KindReplayed), func(r *audit.Record) {
				r.Subject = "alerts.monitor_db.critical"
				r.PayloadSHA256 = sha256Hex(raw)
				r.Reason = "dead letter 17"
			})},
		{"rejected", func() {
			a.Rejected("alerts.x.high", rejectErr(t))
		}, audit.Record{V: 1, Time: testTime, Kind: audit.KindRejected, Worker: "host-a:42",
			Subject: "alerts.x.high", Outcome: audit.OutcomeRejected, Reason: alert.ReasonBadJSON,
			Error: rejectErr(t).Error()}},
		{"routed", func() {
			a.Routed(ev, rules.Result{Routes: []*rules.Route{{Name: "a"}, {Name: "b"}}})
		}, with(eventFields(audit.KindRouted), func(r *audit.Record) {
			r.Routes = []string{"a", "b"}
		})},
		{"unrouted", func() { a.Routed(ev, rules.Result{Unrouted: true}) },
			with(eventFields(audit.KindUnrouted), func(r *audit.Record) {
				r.Route = router.UnroutedRoute
			})},
		{"suppressed", func() {
			a.Suppressed(ev, "a", dedup.Decision{SuppressReason: dedup.SuppressDuplicate})
		}, with(eventFields(audit.KindSuppressed), func(r *audit.Record) {
			r.Route, r.Outcome, r.Reason = "a", audit.OutcomeSuppressed, "duplicate"
		})},
		{"attempt", func() { a.Retrying(n, "pagerduty", 1, time.Second, farErr) },
			with(eventFields(audit.KindAttempt), func(r *audit.Record) {
				r.Route, r.Receiver, r.Channel = "critical-to-oncall", "oncall", "pagerduty"
				r.Attempt, r.Outcome, r.Reason = 1, audit.OutcomeRetry, "new"
				r.Error = farErr.Error()
			})},
		{"delivered", func() { a.Delivered(n, "pagerduty", 2, time.Second, nil) },
			with(eventFields(audit.KindDelivered), func(r *audit.Record) {
				r.Route, r.Receiver, r.Channel = "critical-to-oncall", "oncall", "pagerduty"
				r.Attempt, r.Outcome, r.Reason = 2, audit.OutcomeDelivered, "new"
			})},
		{"failed", func() { a.Delivered(n, "pagerduty", 3, time.Second, farErr) },
			with(eventFields(audit.KindFailed), func(r *audit.Record) {
				r.Route, r.Receiver, r.Channel = "critical-to-oncall", "oncall", "pagerduty"
				r.Attempt, r.Outcome, r.Reason = 3, audit.OutcomeFailed, "new"
				r.Error = farErr.Error()
			})},
		{"dead lettered", func() { a.DeadLettered("delivery") },
			audit.Record{V: 1, Time: testTime, Kind: audit.KindDeadLettered,
				Worker: "host-a:42", Outcome: audit.OutcomeDeadLettered, Reason: "delivery"}},
		{"rules loaded", func() { a.RulesReloaded(rs.File, rs, "SIGHUP", nil) },
			audit.Record{V: 1, Time: testTime, Kind: audit.KindRulesReloaded,
				Worker: "host-a:42", Outcome: audit.OutcomeSuccess, Trigger: "SIGHUP",
				RulesFile: rs.File, RulesHash: rs.Hash}},
		{"rules refused", func() {
			a.RulesReloaded("rules.yaml", nil, "file change", errors.New("rules.yaml:3:1: bad"))
		}, audit.Record{V: 1, Time: testTime, Kind: audit.KindRulesReloaded,
			Worker: "host-a:42", Outcome: audit.OutcomeFailure, Trigger: "file change",
			RulesFile: "rules.yaml", Error: "rules.yaml:3:1: bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.call()

			recs := readAll(t, a, js, audit.Filter{})
			require.NotEmpty(t, recs)
			got := recs[len(recs)-1]
			got.Time = got.Time.UTC()
			require.Equal(t, tt.want, got)
		})
	}

	t.Run("done makes no record", func(t *testing.T) {
		before := len(readAll(t, a, js, audit.Filter{}))
		a.Done(ev)
		require.Len(t, readAll(t, a, js, audit.Filter{}), before)
	})
}

// rejectErr is the decoder's error for a truncated message.
func rejectErr(t *testing.T) error {
	t.Helper()
	var dec alert.Decoder
	_, err := dec.Decode([]byte(`{"source":`))
	require.Error(t, err)
	return err
}

func TestAuditorNeverStoresAlertText(t *testing.T) {
	a, js := setup(t)
	ev := event("ev-pii")
	raw, err := json.Marshal(ev)
	require.NoError(t, err)
	require.Contains(t, string(raw), "123.456.789-09", "the fixture carries a CPF")
	n := channels.Notification{Event: ev, Route: "r", Receiver: "chat", Key: ev.Key()}

	a.Received(ev, raw, "")
	a.Routed(ev, rules.Result{Routes: []*rules.Route{{Name: "r"}}})
	a.Suppressed(ev, "r", dedup.Decision{SuppressReason: dedup.SuppressDuplicate})
	a.Retrying(n, "slack", 1, time.Second, errors.New("slack: 503: "+ev.Description))
	a.Delivered(n, "slack", 2, time.Second, nil)
	require.NoError(t, a.Flush(testCtx(t)))

	stream, err := js.Stream(testCtx(t), audit.StreamName)
	require.NoError(t, err)
	info, err := stream.Info(testCtx(t))
	require.NoError(t, err)
	require.EqualValues(t, 5, info.State.Msgs)
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		msg, err := stream.GetMsg(testCtx(t), seq)
		require.NoError(t, err)
		require.Contains(t, string(msg.Data), `"event_id":"ev-pii"`)
		for _, s := range sensitive {
			require.NotContains(t, string(msg.Data), s, "record %d: %s", seq, msg.Data)
		}
	}
}

func TestAuditorCapsErrors(t *testing.T) {
	a, js := setup(t)
	long := strings.Repeat("é", audit.MaxErrorLen) + "\nsecond line"

	a.RulesReloaded("rules.yaml", nil, "SIGHUP", errors.New(long))

	recs := readAll(t, a, js, audit.Filter{})
	require.Len(t, recs, 1)
	require.LessOrEqual(t, len(recs[0].Error), audit.MaxErrorLen)
	require.True(t, strings.HasPrefix(long, recs[0].Error), "cut on a character boundary")
	require.NotContains(t, recs[0].Error, "\n")
}

func TestAuditorMasksPersonalDataInErrors(t *testing.T) {
	a, js := setup(t)
	ev := event("ev-echo")
	n := channels.Notification{Event: ev, Route: "r", Receiver: "hook", Key: ev.Key()}
	echo := errors.New("webhook: 400: body: patient CPF 123.456.789-09, " +
		"contact maria@example.org")

	a.Retrying(n, "webhook", 1, time.Second, echo)
	a.Delivered(n, "webhook", 2, time.Second, echo)

	recs := readAll(t, a, js, audit.Filter{EventID: "ev-echo"})
	require.Len(t, recs, 2)
	for _, r := range recs {
		require.Equal(t, "webhook: 400: body: patient CPF [REDACTED:cpf], "+
			"contact [REDACTED:email]", r.Error)
	}
}

func TestAuditorLogsLostRecordsWithoutText(t *testing.T) {
	nc := natstest.Connect(t, natstest.Server(t)) // no audit stream: every publish fails
	var logs syncBuffer
	a, err := audit.New(nc, audit.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)

	a.Routed(event("ev-lost"), rules.Result{Unrouted: true})
	require.NoError(t, a.Close(testCtx(t)))

	out := logs.String()
	require.Contains(t, out, `msg="audit record lost"`)
	require.Contains(t, out, "kind=unrouted")
	require.Contains(t, out, "event_id=ev-lost")
	require.Contains(t, out, "level=ERROR")
	for _, s := range sensitive {
		require.NotContains(t, out, s)
	}
}

func TestAuditorFlush(t *testing.T) {
	t.Run("stores every record before returning", func(t *testing.T) {
		a, js := setup(t)
		for i := range 200 {
			a.Received(event(fmt.Sprintf("ev-%d", i)), []byte("{}"), "")
		}
		require.NoError(t, a.Flush(testCtx(t)))

		stream, err := js.Stream(testCtx(t), audit.StreamName)
		require.NoError(t, err)
		require.EqualValues(t, 200, stream.CachedInfo().State.Msgs)
	})

	t.Run("gives up when the context ends", func(t *testing.T) {
		nc := natstest.Connect(t, natstest.Server(t))
		// A subscriber that never answers stands in for a stalled stream.
		sub, err := nc.SubscribeSync(audit.SubjectPrefix + ">")
		require.NoError(t, err)
		defer func() { _ = sub.Unsubscribe() }()
		require.NoError(t, nc.Flush())
		a, err := audit.New(nc, audit.Options{})
		require.NoError(t, err)

		a.Received(event("ev-stalled"), []byte("{}"), "")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		err = a.Flush(ctx)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorContains(t, err, "1 records still waiting")
	})
}
