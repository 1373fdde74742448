package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/redact"
	"github.com/alertrouter/alertrouter/rules"
)

// routeAnswer is the JSON answer of `route --output json`.
type routeAnswer struct {
	Routes    []string `json:"routes"`
	Receivers []string `json:"receivers"`
	Unrouted  bool     `json:"unrouted"`
	Key       string   `json:"key"`
	// Redacted is the masked text each receiver marked redact would get.
	Redacted map[string]redactedText `json:"redacted,omitempty"`
}

// redactedText is the text of an event after masking.
type redactedText struct {
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

func (a *app) routeCmd() *cobra.Command {
	var rulesPath, output string
	cmd := &cobra.Command{
		Use:   "route --rules FILE [--output text|json] EVENT.json",
		Short: "Show where an event would go and why, without sending anything",
		Long: "Validate EVENT.json (a schema v1 event; - reads standard input) and show\n" +
			"which routes match it and which receivers it reaches, in delivery order.\n" +
			"For receivers marked redact: true, show the masked text they would get.\n" +
			"Nothing is sent. Secrets are not expanded.",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if rulesPath == "" {
				return errRulesRequired
			}
			if err := a.sources.output(output); err != nil {
				return err
			}
			rs, err := rules.Load(rulesPath, rules.Options{SkipSecrets: true})
			if err != nil {
				return fmt.Errorf("load rules: %w", err)
			}
			ev, err := a.readEvent(args[0], 0)
			if err != nil {
				return err
			}

			res := rs.Route(ev)
			ans := routeAnswer{Routes: []string{}, Receivers: res.Receivers,
				Unrouted: res.Unrouted, Key: ev.Key()}
			for _, rt := range res.Routes {
				ans.Routes = append(ans.Routes, rt.Name)
			}
			if ans.Receivers == nil {
				ans.Receivers = []string{}
			}
			masked, names := redactFor(rs, ev, res.Receivers)
			if output == "json" {
				ans.Redacted = masked
				enc := json.NewEncoder(a.stdout)
				return enc.Encode(ans)
			}
			var text bytes.Buffer
			printRoute(&text, ev, res)
			printRedacted(&text, masked, names)
			_, err = a.stdout.Write(text.Bytes())
			return err
		},
	}
	cmd.Flags().StringVar(&rulesPath, "rules", "", "rules file (required)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// maxEventRead is the most of standard input read as one event.
const maxEventRead = 16 << 20

// readEvent reads and decodes the event of a file, or of standard input
// for -, refusing one larger than maxSize bytes (0: alert.DefaultMaxSize).
func (a *app) readEvent(path string, maxSize int) (*alert.Event, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(a.stdin, maxEventRead))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	d := alert.Decoder{MaxSize: maxSize}
	ev, err := d.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", path, err)
	}
	return ev, nil
}

// printRoute writes the routing of ev as text. The event's own strings
// are written through printable.
func printRoute(w io.Writer, ev *alert.Event, res rules.Result) {
	fmt.Fprintf(w, "event:     %s from %s (%s, %s)\n", printable(ev.Name), printable(ev.Source),
		ev.Severity, ev.Status)
	fmt.Fprintf(w, "key:       %s\n", printable(ev.Key()))
	if res.Unrouted {
		fmt.Fprintln(w, "routes:    none matched (unrouted)")
	}
	for i, rt := range res.Routes {
		label := "routes:   "
		if i > 0 {
			label = "          "
		}
		cont := ""
		if rt.Continue {
			cont = ", continue"
		}
		fmt.Fprintf(w, "%s %s (line %d%s) -> %s\n", label, rt.Name, rt.Line, cont,
			strings.Join(rt.Receivers, ", "))
	}
	if len(res.Receivers) == 0 {
		fmt.Fprintln(w, "receivers: none (the event would be counted and audited only)")
		return
	}
	fmt.Fprintf(w, "receivers: %s\n", strings.Join(res.Receivers, ", "))
}

// redactFor masks ev as the router would for each of the receivers that
// is marked redact, and returns the text by receiver and their names in
// delivery order.
func redactFor(rs *rules.Rules, ev *alert.Event, receivers []string) (
	map[string]redactedText, []string) {
	var names []string
	for _, name := range receivers {
		if rcv := rs.Receivers[name]; rcv != nil && rcv.Redact {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}

	patterns := make([]redact.Pattern, len(rs.RedactPatterns))
	for i, p := range rs.RedactPatterns {
		patterns[i] = redact.Pattern{Name: p.Name, Re: p.Pattern}
	}
	m := redact.New(patterns, rs.SensitiveLabels).Event(ev)
	text := redactedText{Title: m.Title, Description: m.Description, Labels: m.Labels,
		Annotations: m.Annotations}
	if text.Labels == nil {
		text.Labels = map[string]string{}
	}

	out := make(map[string]redactedText, len(names))
	for _, name := range names {
		out[name] = text
	}
	return out, names
}

// printRedacted shows the masked text once, for all the receivers that
// get it: every redacting receiver gets the same text.
func printRedacted(w io.Writer, masked map[string]redactedText, names []string) {
	if len(names) == 0 {
		return
	}
	text := masked[names[0]]

	fmt.Fprintf(w, "redacted:  what %s would get\n", strings.Join(names, ", "))
	fmt.Fprintf(w, "  title:       %s\n", printable(text.Title))
	fmt.Fprintf(w, "  description: %s\n", printable(text.Description))
	fmt.Fprintf(w, "  labels:      %s\n", pairs(text.Labels))
	if len(text.Annotations) > 0 {
		fmt.Fprintf(w, "  annotations: %s\n", pairs(text.Annotations))
	}
}

// pairs writes m as k=v, sorted by key, each through printable.
func pairs(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	kv := make([]string, len(keys))
	for i, k := range keys {
		kv[i] = printable(k) + "=" + printable(m[k])
	}
	return strings.Join(kv, ", ")
}

// printable returns s as it is when every character of it prints, and
// else quoted with Go escapes (\x1b, \n, \u202e), so that an event can
// neither drive the terminal with control characters nor reorder the text
// around it with bidi controls, and the reader sees what is there.
func printable(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
