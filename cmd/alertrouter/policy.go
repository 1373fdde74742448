package main

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/channels"
)

// policyFlags set the per-target rate limits and circuit breakers.
type policyFlags struct {
	limits  map[string]string
	breaker channels.BreakerSettings
}

func (f *policyFlags) register(cmd *cobra.Command) {
	kinds := make([]string, 0)
	for k, l := range channels.DefaultLimits() {
		kinds = append(kinds, fmt.Sprintf("%s=%s/%d", k, l.Every, l.Burst))
	}
	sort.Strings(kinds)

	fl := cmd.Flags()
	fl.StringToStringVar(&f.limits, "limit", nil, "rate limit per target of a kind, "+
		"KIND=EVERY/BURST or KIND=off (repeatable; defaults "+strings.Join(kinds, ", ")+")")
	fl.IntVar(&f.breaker.Failures, "breaker-failures", 5,
		"consecutive temporary failures that open a target's circuit breaker")
	fl.DurationVar(&f.breaker.OpenFor, "breaker-open", 30*time.Second,
		"how long an open breaker refuses before it lets a probe through")
}

// validate refuses rate limits and breaker settings that cannot work.
func (f *policyFlags) validate(src sources) error {
	_, err := parseLimits(src, f.limits)
	return errors.Join(err, src.atLeast("--breaker-failures", f.breaker.Failures, 1),
		src.positive("--breaker-open", f.breaker.OpenFor))
}

// guards builds the shared limiters and breakers, logging breaker changes.
func (f *policyFlags) guards(src sources, log *slog.Logger,
	changed func(target, from, to string)) (*channels.Guards, error) {
	if err := f.validate(src); err != nil {
		return nil, err
	}
	limits, err := parseLimits(src, f.limits)
	if err != nil {
		return nil, err
	}
	return channels.NewGuards(channels.GuardOptions{
		Limits:  limits,
		Breaker: f.breaker,
		OnStateChange: func(target, from, to string) {
			log.Warn("circuit breaker changed", "target", target, "from", from, "to", to)
			if changed != nil {
				changed(target, from, to)
			}
		},
	}), nil
}

// parseLimits reads KIND=EVERY/BURST or KIND=off values of --limit.
func parseLimits(src sources, in map[string]string) (map[string]channels.Limit, error) {
	known := channels.DefaultLimits()
	out := make(map[string]channels.Limit, len(in))
	for kind, v := range in {
		if _, ok := known[kind]; !ok {
			return nil, src.bad("--limit", kind+"="+v, "unknown kind %q (want one of %s)",
				kind, strings.Join(sortedKeys(known), ", "))
		}
		if v == "off" {
			out[kind] = channels.Limit{}
			continue
		}
		every, burst, ok := strings.Cut(v, "/")
		d, err := time.ParseDuration(every)
		n, nerr := strconv.Atoi(burst)
		if !ok || err != nil || nerr != nil || d <= 0 || n < 1 {
			return nil, src.bad("--limit", kind+"="+v, "want EVERY/BURST such as 1s/3, or off")
		}
		out[kind] = channels.Limit{Every: d, Burst: n}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
