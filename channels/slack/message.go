package slack

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

// Budgets for each part of a message. Each stays under Slack's section
// limit (3,000), and together they stay under the undocumented cap of
// about 12,000 characters on all the text in a message's blocks.
const (
	headlineBudget    = 1800
	labelsBudget      = 2000
	annotationsBudget = 2000
	contextBudget     = 1500
)

// message is what a notification becomes in Slack: Block Kit blocks and a
// plain-text fallback for notifications and clients without blocks.
type message struct {
	text   string
	blocks []slack.Block
}

// severityIcon returns the emoji shown before a firing alert's headline.
func severityIcon(s alert.Severity) string {
	switch s {
	case alert.SeverityCritical:
		return ":red_circle:"
	case alert.SeverityHigh:
		return ":large_orange_circle:"
	case alert.SeverityWarning:
		return ":large_yellow_circle:"
	}
	return ":large_blue_circle:"
}

// buildMessage renders a notification. All text that comes from the alert
// is escaped and cut to fit, so the message is never rejected for its
// content and never pings or links anything the alert asks for.
func buildMessage(n channels.Notification) message {
	ev := n.Event
	icon := severityIcon(ev.Severity)
	if n.Resolved() {
		icon = ":white_check_mark:"
	}

	head := icon + " *" + fit(n.Headline(), headlineBudget) + "*"
	if r := reasonText(n); r != "" {
		head += "\n_" + r + "_"
	}
	blocks := []slack.Block{section(head)}

	if ev.Description != "" {
		blocks = append(blocks, section(fit(ev.Description, maxSection)))
	}
	if s := labelsText(ev.Labels); s != "" {
		blocks = append(blocks, section(s))
	}
	if s := annotationsText(ev.Annotations); s != "" {
		blocks = append(blocks, section(s))
	}

	ctx := fit(contextText(n), contextBudget)
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(ctx)))

	return message{text: fallbackText(n), blocks: blocks}
}

// mrkdwn returns a verbatim mrkdwn text object: Slack does not turn bare
// names or URLs in it into mentions or links.
func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, true)
}

func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(text), nil, nil)
}

// reasonText explains why the notification is sent, with the count of
// suppressed duplicates when there were any.
func reasonText(n channels.Notification) string {
	var parts []string
	switch n.Reason {
	case channels.ReasonRepeat:
		parts = append(parts, "Reminder: still firing")
	case channels.ReasonEscalated:
		parts = append(parts, "Escalated: severity rose since the last notification")
	case channels.ReasonResolved:
		parts = append(parts, "Resolved")
	case channels.ReasonTest:
		parts = append(parts, "Test notification")
	}

	if s := suppressedText(n.Suppressed); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

func suppressedText(count int) string {
	switch {
	case count <= 0:
		return ""
	case count == 1:
		return "1 duplicate suppressed since last notification"
	}
	return fmt.Sprintf("%d duplicates suppressed since last notification", count)
}

func labelsText(labels map[string]string) string {
	if len(labels) == 0 {
		return ""
	}

	var b strings.Builder
	b.WriteString("*Labels*")
	for _, k := range sortedKeys(labels) {
		fmt.Fprintf(&b, "\n• %s: %s", k, labels[k])
	}
	return fit(b.String(), labelsBudget)
}

// annotationsText lists the annotations, with the runbook and dashboard
// URLs as links when they are plain http(s) URLs.
func annotationsText(ann map[string]string) string {
	if len(ann) == 0 {
		return ""
	}

	var links []string
	for _, a := range []struct{ key, label string }{
		{"runbook_url", "Runbook"}, {"dashboard_url", "Dashboard"},
	} {
		if l := link(ann[a.key], a.label); l != "" {
			links = append(links, l)
		}
	}
	linkLine := strings.Join(links, " · ")

	var b strings.Builder
	b.WriteString("*Annotations*")
	for _, k := range sortedKeys(ann) {
		fmt.Fprintf(&b, "\n• %s: %s", k, ann[k])
	}
	rest := fit(b.String(), annotationsBudget-len([]rune(linkLine))-1)

	if linkLine == "" {
		return rest
	}
	return linkLine + "\n" + rest
}

func contextText(n channels.Notification) string {
	ev := n.Event
	parts := []string{
		fmt.Sprintf("route %s → receiver %s", n.Route, n.Receiver),
		"source " + ev.Source,
		"key " + n.Key,
	}
	if len(ev.Compliance) > 0 {
		parts = append(parts, "compliance "+strings.Join(ev.Compliance, ", "))
	}
	if !ev.OccurredAt.IsZero() {
		parts = append(parts, "at "+ev.OccurredAt.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, " · ")
}

// fallbackText is the message's plain text: headline, reason, description
// and where it came from, escaped and within Slack's text limit.
func fallbackText(n channels.Notification) string {
	lines := []string{n.Headline()}
	if r := reasonText(n); r != "" {
		lines = append(lines, r)
	}
	if n.Event.Description != "" {
		lines = append(lines, n.Event.Description)
	}
	lines = append(lines, fmt.Sprintf("route %s → receiver %s", n.Route, n.Receiver))
	return fit(strings.Join(lines, "\n"), maxText)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
