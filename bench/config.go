// Package bench measures alertrouter end to end: it runs the real
// pipeline (JetStream on file storage, the router's consumer, rules,
// dedup and fan-out) against a sink channel that records when each
// notification arrives, publishes a generated workload, and compares the
// router's throughput with a bare JetStream consumer that only acks the
// same events. `alertrouter bench` prints its Report.
package bench

import (
	"errors"
	"fmt"
	"math"

	"github.com/alertrouter/alertrouter/config"
)

// Defaults of a run.
const (
	DefaultEvents     = 200_000
	DefaultRoutes     = 50
	DefaultWorkers    = 8
	DefaultPublishers = 4
)

// Config describes one run.
type Config struct {
	// Events is how many events are published; 0 means DefaultEvents.
	Events int
	// Keys is how many distinct dedup keys the events cycle through
	// (event i has key i mod Keys); 0 means every event is distinct.
	Keys int
	// Routes is how many routes the generated rules have, the last a
	// catch-all; 0 means DefaultRoutes.
	Routes int
	// Rate is the target publish rate in events per second; 0 publishes
	// as fast as the publishers can.
	Rate float64
	// State is where dedup state and delivery records live: "memory"
	// (the default) or "kv".
	State string
	// NATS reaches an existing NATS server (URL, credentials, TLS); an
	// empty URL starts an embedded one with JetStream on file storage in a
	// temporary folder, and the other fields are ignored.
	NATS config.NATS
	// Workers is the router's worker count; 0 means DefaultWorkers.
	Workers int
	// Publishers is how many goroutines publish; 0 means
	// DefaultPublishers.
	Publishers int
	// DataDir is the embedded server's store; empty means a temporary
	// folder removed after the run.
	DataDir string
}

// withDefaults checks the fields, then fills zero ones.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.Events < 0 {
		errs = append(errs, fmt.Errorf("events %d: want at least 1", c.Events))
	}
	if c.Keys < 0 {
		errs = append(errs, fmt.Errorf("keys %d: want 0 (every event distinct) or more",
			c.Keys))
	}
	if c.Events > 0 && c.Keys > c.Events {
		errs = append(errs, fmt.Errorf("keys %d: more than the %d events", c.Keys, c.Events))
	}
	if c.Routes < 0 {
		errs = append(errs, fmt.Errorf("routes %d: want at least 1", c.Routes))
	}
	if !(c.Rate >= 0) || math.IsInf(c.Rate, 1) {
		errs = append(errs, fmt.Errorf("rate %g: want 0 (as fast as possible) or a number "+
			"of events per second", c.Rate))
	}
	if c.State != "" && c.State != "memory" && c.State != "kv" {
		errs = append(errs, fmt.Errorf("state %q: want memory or kv", c.State))
	}
	if c.Workers < 0 {
		errs = append(errs, fmt.Errorf("workers %d: want at least 1", c.Workers))
	}
	if c.Publishers < 0 {
		errs = append(errs, fmt.Errorf("publishers %d: want at least 1", c.Publishers))
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}

	if c.Events == 0 {
		c.Events = DefaultEvents
	}
	if c.Keys == 0 {
		c.Keys = c.Events
	}
	if c.Routes == 0 {
		c.Routes = DefaultRoutes
	}
	if c.State == "" {
		c.State = "memory"
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.Publishers == 0 {
		c.Publishers = DefaultPublishers
	}
	return c, nil
}

// distinctKeys is how many keys the events actually use.
func (c Config) distinctKeys() int { return min(c.Keys, c.Events) }
