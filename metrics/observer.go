package metrics

import (
	"time"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/rules"
)

// Outcomes of a finished delivery, the outcome label of
// alertrouter_notifications_total.
const (
	OutcomeDelivered = "delivered"
	OutcomeFailed    = "failed"
)

// Results of a rules reload, the result label of
// alertrouter_rules_reloads_total.
const (
	ReloadSuccess = "success"
	ReloadFailure = "failure"
)

// DeadLetterDelivery is the dead-letter reason of a notification given up
// on; the other reasons are the rejection reasons of alert.RejectReason.
const DeadLetterDelivery = "delivery"

// unknownReason labels a suppression that carries no reason.
const unknownReason = "unknown"

// breakerValues maps breaker state names to alertrouter_breaker_state.
var breakerValues = map[string]float64{"closed": 0, "half-open": 1, "open": 2}

// initLabels creates the series of every known reason and result at zero,
// so that rate() and absence alerts work before the first occurrence.
func (m *Metrics) initLabels() {
	rejects := []string{alert.ReasonBadJSON, alert.ReasonInvalid, alert.ReasonTooLarge}
	for _, r := range rejects {
		m.rejected.WithLabelValues(r)
		m.deadLetters.WithLabelValues(r)
	}
	m.deadLetters.WithLabelValues(DeadLetterDelivery)
	m.reloads.WithLabelValues(ReloadSuccess)
	m.reloads.WithLabelValues(ReloadFailure)
}

// Rejected counts a message that was not a valid event, by the reason of
// its decode error.
func (m *Metrics) Rejected(_ string, err error) {
	m.rejected.WithLabelValues(alert.RejectReason(err)).Inc()
}

// Routed counts a valid event as received, by source and severity, then
// once per matching route, or as unrouted. A message redelivered by
// JetStream (after a crash or a nak) is routed, and counted, again.
func (m *Metrics) Routed(ev *alert.Event, res rules.Result) {
	m.received.WithLabelValues(m.sources.label(ev.Source), ev.Severity.String()).Inc()

	for _, rt := range res.Routes {
		m.routed.WithLabelValues(rt.Name).Inc()
	}
	if res.Unrouted {
		m.unrouted.Inc()
	}
}

// Suppressed counts an event held back by dedup on route, by the reason
// of the decision.
func (m *Metrics) Suppressed(_ *alert.Event, route string, d dedup.Decision) {
	reason := d.SuppressReason
	if reason == "" {
		reason = unknownReason
	}
	m.suppressed.WithLabelValues(route, reason).Inc()
}

// Retrying counts a failed delivery attempt that another attempt follows.
func (m *Metrics) Retrying(_ channels.Notification, channel string, _ int, _ time.Duration,
	_ error) {
	m.retries.WithLabelValues(channel).Inc()
}

// Delivered counts a finished delivery by receiver, channel and outcome,
// and observes its duration and attempts.
func (m *Metrics) Delivered(n channels.Notification, channel string, attempts int,
	took time.Duration, err error) {
	outcome := OutcomeDelivered
	if err != nil {
		outcome = OutcomeFailed
	}
	m.notifications.WithLabelValues(n.Receiver, channel, outcome).Inc()

	m.duration.WithLabelValues(channel).Observe(took.Seconds())
	m.attempts.WithLabelValues(channel).Observe(float64(attempts))
}

// DeadLettered counts a dead letter by reason.
func (m *Metrics) DeadLettered(reason string) {
	m.deadLetters.WithLabelValues(reason).Inc()
}

// Received does nothing: events are counted when routed, with their
// severity and source.
func (m *Metrics) Received(*alert.Event, []byte, string) {}

// Done does nothing: an event's work is already counted by the calls
// before it. It completes the router's Observer interface.
func (m *Metrics) Done(*alert.Event) {}

// BreakerChanged records a target's new breaker state. Its signature fits
// channels.GuardOptions.OnStateChange. An unknown state name is ignored.
func (m *Metrics) BreakerChanged(target, _, to string) {
	v, ok := breakerValues[to]
	if !ok {
		return
	}
	m.breaker.WithLabelValues(target).Set(v)
}

// RulesReloaded counts a reload attempt. On success (err nil) it also
// puts rs in alertrouter_rules_info, removing the previous rules' series;
// on failure the old rules stay in force, and in the metric.
func (m *Metrics) RulesReloaded(rs *rules.Rules, err error) {
	if err != nil {
		m.reloads.WithLabelValues(ReloadFailure).Inc()
		return
	}
	m.reloads.WithLabelValues(ReloadSuccess).Inc()
	m.SetRules(rs)
}

// SetRules puts rs in alertrouter_rules_info without counting a reload,
// for the rules loaded at start. A nil rs changes nothing.
func (m *Metrics) SetRules(rs *rules.Rules) {
	if rs == nil {
		return
	}

	m.rulesMu.Lock()
	defer m.rulesMu.Unlock()

	m.rulesInfo.WithLabelValues(rs.File, rs.Hash).Set(1)
	same := m.rulesFile == rs.File && m.rulesHash == rs.Hash
	if m.rulesSet && !same {
		m.rulesInfo.DeleteLabelValues(m.rulesFile, m.rulesHash)
	}
	m.rulesFile, m.rulesHash, m.rulesSet = rs.File, rs.Hash, true
}
