package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/bench"
)

// benchFlags are the settings of `alertrouter bench`.
type benchFlags struct {
	cfg        bench.Config
	nats       natsFlags
	json       bool
	output     string
	progress   bool
	cpuProfile string
}

func (a *app) benchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the router end to end against a bare JetStream consumer",
		Long: "Measure the router end to end. bench starts an embedded NATS server with\n" +
			"JetStream on file storage (or uses --nats-url, which must not host an\n" +
			"alertrouter deployment), generates rules with --routes routes, and publishes\n" +
			"--events events over --keys dedup keys. It first runs a bare consumer that only\n" +
			"acks, then the real router (consumer, rules, dedup, fan-out) with a sink\n" +
			"channel on every receiver, and prints events/s, the ratio to the bare\n" +
			"consumer, notifications/s, publish-to-delivery latency, peak RSS and\n" +
			"allocations per event. Peak RSS includes the embedded server.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.bench(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.cfg.Events, "events", bench.DefaultEvents, "events to publish")
	fl.IntVar(&f.cfg.Keys, "keys", 0, "distinct dedup keys (0: every event distinct)")
	fl.IntVar(&f.cfg.Routes, "routes", bench.DefaultRoutes, "routes in the generated rules")
	fl.Float64Var(&f.cfg.Rate, "rate", 0, "target events per second (0: as fast as possible)")
	fl.StringVar(&f.cfg.State, "state", "memory", "dedup state and delivery records: memory or kv")
	fl.IntVar(&f.cfg.Workers, "workers", bench.DefaultWorkers, "router workers")
	fl.IntVar(&f.cfg.Publishers, "publishers", bench.DefaultPublishers, "publishing goroutines")
	fl.StringVarP(&f.output, "output", "o", "text", "text (a table) or json")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON (same as -o json)")
	fl.BoolVar(&f.progress, "progress", false, "show progress even when stderr is not a terminal")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	f.nats.register(cmd, "")
	fl.Lookup("nats-url").Usage = "external NATS server, which must not host an alertrouter " +
		"deployment (default: embedded); the other --nats flags apply to it"
	return cmd
}

func (a *app) bench(cmd *cobra.Command, f *benchFlags) error {
	if err := f.check(a.sources); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := a.sources.output(f.output); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	f.cfg.NATS = f.nats.cfg
	if f.cpuProfile != "" {
		out, err := os.Create(f.cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	var progress io.Writer
	if f.progress || isTerminal(a.stderr) {
		progress = a.stderr
	}
	rep, err := bench.Run(cmd.Context(), f.cfg, progress)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}

	if f.json || f.output == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteTable(a.stdout)
}

// check refuses what the bench package would refuse, naming the flags, and
// the counts it would read as "use the default": on the command line a
// zero is a mistake, not a request for the default. The package checks
// again for its other callers.
func (f *benchFlags) check(src sources) error {
	c := f.cfg
	errs := []error{
		src.atLeast("--events", c.Events, 1),
		src.atLeast("--routes", c.Routes, 1),
		src.atLeast("--workers", c.Workers, 1),
		src.atLeast("--publishers", c.Publishers, 1),
	}
	switch {
	case c.Keys < 0:
		errs = append(errs, src.bad("--keys", c.Keys, "want 0 (every event distinct) or more"))
	case c.Events > 0 && c.Keys > c.Events:
		errs = append(errs, src.bad("--keys", c.Keys, "more than the %d events (%s)", c.Events,
			src.name("--events")))
	}
	switch {
	case !(c.Rate >= 0) || math.IsInf(c.Rate, 1): // NaN too
		errs = append(errs, src.bad("--rate", c.Rate,
			"want 0 (as fast as possible) or a number of events per second"))
	case c.Rate > 0 && float64(c.Events)/c.Rate > maxBenchSeconds:
		errs = append(errs, src.bad("--rate", c.Rate, "%d events would take over %d hours",
			c.Events, maxBenchSeconds/3600))
	}
	if c.State != "memory" && c.State != "kv" {
		errs = append(errs, src.bad("--state", strconv.Quote(c.State), "want memory or kv"))
	}
	return errors.Join(errs...)
}

// maxBenchSeconds bounds how long a paced run may be planned to take.
const maxBenchSeconds = 24 * 3600

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
