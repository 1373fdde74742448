package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/rules"
)

// routeAnswer is the JSON answer of `route --output json`.
type routeAnswer struct {
	Routes    []string `json:"routes"`
	Receivers []string `json:"receivers"`
	Unrouted  bool     `json:"unrouted"`
	Key       string   `json:"key"`
}

func (a *app) routeCmd() *cobra.Command {
	var rulesPath, output string
	cmd := &cobra.Command{
		Use:   "route --rules FILE [--output text|json] EVENT.json",
		Short: "Show where an event would go and why, without sending anything",
		Long: "Validate EVENT.json (a schema v1 event; - reads standard input) and show\n" +
			"which routes match it and which receivers it reaches, in delivery order.\n" +
			"Nothing is sent. Secrets are not expanded.",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if rulesPath == "" {
				return errRulesRequired
			}
			if output != "text" && output != "json" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			rs, err := rules.Load(rulesPath, rules.Options{SkipSecrets: true})
			if err != nil {
				return fmt.Errorf("load rules: %w", err)
			}
			ev, err := a.readEvent(args[0])
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
			if output == "json" {
				enc := json.NewEncoder(a.stdout)
				return enc.Encode(ans)
			}
			printRoute(a.stdout, ev, res)
			return nil
		},
	}
	cmd.Flags().StringVar(&rulesPath, "rules", "", "rules file (required)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func (a *app) readEvent(path string) (*alert.Event, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(a.stdin, 16<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	var d alert.Decoder
	ev, err := d.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", path, err)
	}
	return ev, nil
}

func printRoute(w io.Writer, ev *alert.Event, res rules.Result) {
	fmt.Fprintf(w, "event:     %s from %s (%s, %s)\n", ev.Name, ev.Source, ev.Severity, ev.Status)
	fmt.Fprintf(w, "key:       %s\n", ev.Key())
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
