package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/audit"
	"github.com/alertrouter/alertrouter/internal/natstest"
)

func TestAuditFlagsParse(t *testing.T) {
	now := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		flags        auditReadFlags
		since, until time.Time
		wantErr      string
	}{
		{"no times", auditReadFlags{output: "table"}, time.Time{}, time.Time{}, ""},
		{"durations ago", auditReadFlags{output: "json", since: "2h", until: "30m"},
			now.Add(-2 * time.Hour), now.Add(-30 * time.Minute), ""},
		{"rfc 3339", auditReadFlags{output: "table", since: "2026-05-01T00:00:00Z"},
			time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Time{}, ""},
		{"bad since", auditReadFlags{output: "table", since: "yesterday"},
			time.Time{}, time.Time{}, `--since "yesterday": want a duration`},
		{"bad until", auditReadFlags{output: "table", until: "2026-13-01"},
			time.Time{}, time.Time{}, `--until "2026-13-01"`},
		{"bad output", auditReadFlags{output: "yaml"}, time.Time{}, time.Time{},
			`--output "yaml": want text or json`},
		{"negative since", auditReadFlags{output: "text", since: "-5m"},
			time.Time{}, time.Time{},
			`--since "-5m": want how long ago, such as 5m0s, not a negative duration`},
		{"negative until", auditReadFlags{output: "text", until: "-1h"},
			time.Time{}, time.Time{}, `--until "-1h": want how long ago`},
		{"since later than until", auditReadFlags{output: "text", since: "1m", until: "2h"},
			time.Time{}, time.Time{}, `--since "1m" (2026-05-06T11:59:00Z): later than ` +
				`--until "2h" (2026-05-06T10:00:00Z), so nothing can match`},
		{"since later than until, times", auditReadFlags{output: "text",
			since: "2026-05-02T00:00:00Z", until: "2026-05-01T00:00:00Z"}, time.Time{},
			time.Time{}, `--since "2026-05-02T00:00:00Z": later than ` +
				`--until "2026-05-01T00:00:00Z", so nothing can match: ` +
				`want --since before --until`},
		{"since equal to until", auditReadFlags{output: "text", since: "2026-05-01T00:00:00Z",
			until: "2026-05-01T00:00:00Z"}, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), ""},
		{"zero duration is now", auditReadFlags{output: "text", until: "0s"},
			time.Time{}, now, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.flags
			err := f.parse(nil, now)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.True(t, tt.since.Equal(f.filter.Since), "since %s", f.filter.Since)
			require.True(t, tt.until.Equal(f.filter.Until), "until %s", f.filter.Until)
		})
	}
}

// auditRecords runs `alertrouter audit ... -o json` and decodes its lines.
func auditRecords(t *testing.T, bin string, args ...string) []audit.Record {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"audit", "-o", "json"}, args...)...)
	out, err := cmd.Output()
	require.NoError(t, err, "audit %v", args)
	var recs []audit.Record
	for line := range strings.Lines(string(out)) {
		var r audit.Record
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		recs = append(recs, r)
	}
	return recs
}

func TestAuditTrailOfAWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	listen := freeAddr(t)
	url := "nats://" + listen
	w := startWorker(t, bin, nil, "--rules", consoleRules, "--nats-listen", listen,
		"--data", filepath.Join(dir, "data"))

	event := filepath.Join("..", "..", "examples", "events", "04-database-down.json")
	publishFile(t, bin, url, event)
	waitIdle(t, url, 1)
	publishFile(t, bin, url, event)
	waitIdle(t, url, 2)

	var recs []audit.Record
	count := func(kind string) int {
		n := 0
		for _, r := range recs {
			if r.Kind == kind {
				n++
			}
		}
		return n
	}
	require.Eventually(t, func() bool {
		recs = auditRecords(t, bin, "--nats-url", url, "--key", "records-db/primary-down")
		return count(audit.KindSuppressed) == 3
	}, 10*time.Second, 50*time.Millisecond, "records: %+v", recs)

	t.Run("both events received and routed", func(t *testing.T) {
		require.Equal(t, 2, count(audit.KindReceived))
		require.Equal(t, 2, count(audit.KindRouted))
		require.Equal(t, []string{"critical-to-oncall", "personal-data", "records-prod"},
			recs[1].Routes)
	})

	t.Run("the first delivered once per receiver, the duplicate suppressed", func(t *testing.T) {
		var delivered []string
		for _, r := range recs {
			if r.Kind == audit.KindDelivered {
				delivered = append(delivered, r.Receiver+"/"+r.Channel)
				require.Equal(t, recs[0].EventID, r.EventID)
			}
			if r.Kind == audit.KindSuppressed {
				require.Equal(t, recs[len(recs)-1].EventID, r.EventID)
				require.Equal(t, "duplicate", r.Reason)
			}
		}
		require.ElementsMatch(t, []string{"oncall-pager/console", "privacy-office/console",
			"eng-chat/console"}, delivered)
	})

	t.Run("no alert text in the trail", func(t *testing.T) {
		out := runCmd(t, bin, "audit", "--nats-url", url, "-o", "json")
		require.NotContains(t, out, "not accepting connections")
		require.NotContains(t, out, "records-db-0")
	})

	t.Run("the rules in force at start", func(t *testing.T) {
		recs := auditRecords(t, bin, "--nats-url", url, "--kind", audit.KindRulesReloaded)
		require.Len(t, recs, 1)
		require.Equal(t, "start", recs[0].Trigger)
		require.Equal(t, audit.OutcomeSuccess, recs[0].Outcome)
		require.Len(t, recs[0].RulesHash, 64)
	})

	t.Run("a reload on SIGHUP", func(t *testing.T) {
		require.NoError(t, w.cmd.Process.Signal(syscall.SIGHUP))
		var recs []audit.Record
		require.Eventually(t, func() bool {
			recs = auditRecords(t, bin, "--nats-url", url, "--kind", audit.KindRulesReloaded)
			return len(recs) == 2
		}, 10*time.Second, 50*time.Millisecond)
		require.Equal(t, "SIGHUP", recs[1].Trigger)
		require.Equal(t, recs[0].RulesHash, recs[1].RulesHash)
	})

	t.Run("table", func(t *testing.T) {
		out := runCmd(t, bin, "audit", "--nats-url", url, "--outcome", "suppressed",
			"--route", "records-prod", "--since", "1h")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 2, out)
		require.Regexp(t, `^TIME\s+KIND\s+EVENT\s+ROUTE\s+RECEIVER/CHANNEL\s+OUTCOME\s+DETAIL`,
			lines[0])
		require.Regexp(t, `suppressed\s+\S+\s+records-prod\s+-\s+suppressed\s+`+
			`key=records-db/primary-down reason=duplicate`, lines[1])
	})
}

func TestAuditFiltersChecked(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown outcome", []string{"--outcome", "nope"},
			`--outcome "nope": want one of delivered, failed, retry, suppressed`},
		{"unknown kind", []string{"--kind", "sent"}, `--kind "sent": want one of received`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The port refuses connections: the flags are checked first.
			args := append([]string{"audit", "--nats-url", "nats://127.0.0.1:1"}, tt.args...)
			code, _, errOut := runCLI(t, "", args...)
			require.Equal(t, 1, code)
			require.Contains(t, errOut, tt.want)
		})
	}
}

func TestAuditSaysWhenNothingMatches(t *testing.T) {
	url := natsServer(t)
	ensureStreams(t, url)
	nc := natstest.Dial(t, url)
	rec := `{"v":1,"time":"2026-05-06T12:00:00Z","kind":"rules_reloaded","outcome":"success"}`
	require.NoError(t, nc.Publish(audit.Subject(audit.KindRulesReloaded), []byte(rec)))
	require.NoError(t, nc.Flush())

	tests := []struct {
		name    string
		args    []string
		out     string
		errOut  string
		records int
	}{
		{"json, a record", []string{"-o", "json"}, `"kind":"rules_reloaded"`, "", 1},
		{"json, none since", []string{"-o", "json", "--since", "2999-01-01T00:00:00Z"}, "",
			"no audit records match", 0},
		{"json, none of the outcome", []string{"-o", "json", "--outcome", "failure"}, "",
			"no audit records match", 0},
		{"text, none until", []string{"--until", "2000-01-01T00:00:00Z"},
			"no audit records match", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"audit", "--nats-url", url}, tt.args...)
			code, out, errOut := runCLI(t, "", args...)
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out, tt.out, "stdout %q stderr %q", out, errOut)
			require.Contains(t, errOut, tt.errOut)
			require.Equal(t, tt.records, strings.Count(out, `"kind"`))
		})
	}
}

// TestAuditTableEscapesRecords checks that the table shows a record's
// control and bidi characters as escapes, so that an event id with a
// newline, stored before events were refused for it, cannot forge a row.
func TestAuditTableEscapesRecords(t *testing.T) {
	url := natsServer(t)
	ensureStreams(t, url)
	nc := natstest.Dial(t, url)
	rec := `{"v":1,"time":"2026-05-06T12:00:00Z","kind":"suppressed",` +
		`"event_id":"evt-1\n2026-05-06T12:00:01Z  delivered  evt-2","route":"r\u202eoops",` +
		`"receiver":"pager\t","outcome":"suppressed","key":"k\u001b[2J","reason":"dup\r"}`
	require.NoError(t, nc.Publish(audit.Subject(audit.KindSuppressed), []byte(rec)))
	require.NoError(t, nc.Flush())

	code, out, errOut := runCLI(t, "", "audit", "--nats-url", url)

	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	for _, r := range out {
		require.True(t, r == '\n' || unicode.IsPrint(r), "%U printed raw in:\n%s", r, out)
	}
	require.Contains(t, lines[1], `"evt-1\n2026-05-06T12:00:01Z  delivered  evt-2"`)
	require.Contains(t, lines[1], `"r\u202eoops"`)
	require.Contains(t, lines[1], `"pager\t"`)
	require.Contains(t, lines[1], `key="k\x1b[2J" reason="dup\r"`)
}

// TestAuditWithoutStream checks that audit against a server where no
// worker has made the audit stream says so plainly.
func TestAuditWithoutStream(t *testing.T) {
	url := natsServer(t)
	t.Setenv("ALERTROUTER_NATS_URL", url)

	code, out, errOut := runCLI(t, "", "audit")

	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Equal(t, "alertrouter: no audit trail on this server yet: alertrouter run "+
		"creates stream ALERTS_AUDIT when it starts with --audit (the default); check "+
		"that $ALERTROUTER_NATS_URL is the server the worker uses\n", errOut)
}
