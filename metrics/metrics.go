// Package metrics exposes what alertrouter does as Prometheus metrics:
// events received, rejected, routed, unrouted and suppressed, notifications
// delivered and failed, delivery latency, attempts and retries, dead
// letters, breaker states, rules reloads, the JetStream consumer backlog
// and the NATS connection. The metric names are a fixed contract with the
// dashboards and alerting rules, documented on each collector.
//
// Metrics listens to the router through the router's Observer interface,
// which it implements without importing the router, and to the delivery
// guards and the rules reloader through BreakerChanged and RulesReloaded.
// It registers everything on its own registry, never the global one.
package metrics

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every alertrouter metric.
const namespace = "alertrouter"

// MaxSources is how many distinct event sources get their own series in
// alertrouter_events_received_total; events from further sources are
// counted under source="other", so a misbehaving producer cannot blow up
// the number of series.
const MaxSources = 200

// OtherSource is the source label of events past MaxSources.
const OtherSource = "other"

// DefaultScrapeTimeout bounds how long a scrape waits for consumer info.
const DefaultScrapeTimeout = 2 * time.Second

// ConsumerInfoFunc reads the durable consumer's backlog: messages not yet
// delivered, delivered but not acked, and redelivered.
type ConsumerInfoFunc func(ctx context.Context) (pending, ackPending, redelivered uint64,
	err error)

// Options configure New.
type Options struct {
	// Version is the alertrouter version, shown in alertrouter_build_info.
	Version string
	// Consumer, when set, is called at scrape time for the consumer gauges.
	Consumer ConsumerInfoFunc
	// Connected, when set, is called at scrape time for
	// alertrouter_nats_connected.
	Connected func() bool
	// ScrapeTimeout bounds the Consumer call; 0 means DefaultScrapeTimeout.
	ScrapeTimeout time.Duration
}

// Metrics holds alertrouter's collectors, registered on its own registry.
// Its methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	received      *prometheus.CounterVec
	rejected      *prometheus.CounterVec
	routed        *prometheus.CounterVec
	unrouted      prometheus.Counter
	suppressed    *prometheus.CounterVec
	notifications *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	attempts      *prometheus.HistogramVec
	retries       *prometheus.CounterVec
	deadLetters   *prometheus.CounterVec
	breaker       *prometheus.GaugeVec
	reloads       *prometheus.CounterVec
	rulesInfo     *prometheus.GaugeVec

	sources *sourceCap

	rulesMu   sync.Mutex
	rulesFile string
	rulesHash string
	rulesSet  bool
}

// New builds the collectors and registers them, with the Go runtime and
// process collectors, on a fresh registry.
func New(o Options) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), sources: newSourceCap(MaxSources)}
	m.events()
	m.deliveries()
	m.operations()
	m.initLabels()

	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Name: "build_info",
		Help: "Always 1; the labels say which alertrouter build is running.",
		ConstLabels: prometheus.Labels{"version": o.Version,
			"goversion": runtime.Version()},
	})
	buildInfo.Set(1)

	timeout := o.ScrapeTimeout
	if timeout <= 0 {
		timeout = DefaultScrapeTimeout
	}
	m.reg.MustRegister(buildInfo, newLiveCollector(o.Consumer, o.Connected, timeout),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the registry every collector is registered on, for
// tests and for callers that add their own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// counter makes a counter vector with the alertrouter namespace and
// registers it.
func (m *Metrics) counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name,
		Help: help}, labels)
	m.reg.MustRegister(c)
	return c
}

// gauge makes a gauge vector with the alertrouter namespace and registers
// it.
func (m *Metrics) gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name,
		Help: help}, labels)
	m.reg.MustRegister(g)
	return g
}

// histogram makes a histogram vector with the alertrouter namespace and
// registers it.
func (m *Metrics) histogram(name, help string, buckets []float64,
	labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace,
		Name: name, Help: help, Buckets: buckets}, labels)
	m.reg.MustRegister(h)
	return h
}

// events builds the collectors of the intake and routing stages.
func (m *Metrics) events() {
	m.received = m.counter("events_received_total",
		"Valid events taken from the stream, by source (capped) and severity.",
		"source", "severity")
	m.rejected = m.counter("events_rejected_total",
		"Messages that were not valid events, by reason.", "reason")
	m.routed = m.counter("events_routed_total",
		"Events matched by a route, once per matching route.", "route")
	m.unrouted = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace,
		Name: "events_unrouted_total", Help: "Events that matched no route."})
	m.reg.MustRegister(m.unrouted)
	m.suppressed = m.counter("events_suppressed_total",
		"Events held back by dedup on a route, by reason.", "route", "reason")
}

// deliveries builds the collectors of the delivery stage.
func (m *Metrics) deliveries() {
	m.notifications = m.counter("notifications_total",
		"Finished deliveries per receiver and channel, by outcome (delivered, failed).",
		"receiver", "channel", "outcome")
	m.duration = m.histogram("delivery_duration_seconds",
		"Time to deliver one notification on one channel, retries included.",
		[]float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}, "channel")
	m.attempts = m.histogram("delivery_attempts",
		"Attempts used by one finished delivery.", []float64{1, 2, 3, 5, 8, 13}, "channel")
	m.retries = m.counter("delivery_retries_total",
		"Failed delivery attempts followed by another attempt.", "channel")
	m.deadLetters = m.counter("dead_letters_total",
		"Messages and notifications dead-lettered, by reason.", "reason")
}

// operations builds the collectors of breakers and rules reloads.
func (m *Metrics) operations() {
	m.breaker = m.gauge("breaker_state",
		"Circuit breaker state per far-side target: 0 closed, 1 half-open, 2 open.",
		"target")
	m.reloads = m.counter("rules_reloads_total",
		"Rules reloads, by result (success, failure).", "result")
	m.rulesInfo = m.gauge("rules_info",
		"Always 1; the labels name the rules file in force and its SHA-256.",
		"file", "hash")
}
