package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/config"
	"github.com/alertrouter/alertrouter/dedup"
	"github.com/alertrouter/alertrouter/health"
	"github.com/alertrouter/alertrouter/ingest"
	"github.com/alertrouter/alertrouter/metrics"
	"github.com/alertrouter/alertrouter/router"
)

// httpFlags configure the worker's one HTTP listener.
type httpFlags struct {
	addr      string
	token     string
	tokenFile string
}

func (f *httpFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "http", "127.0.0.1:9095", "HTTP listen address for /healthz, "+
		"/readyz, /metrics and the ingest endpoints; empty turns it off")
	fl.StringVar(&f.token, "ingest-token", "", "bearer token the ingest endpoints require "+
		"(prefer the environment variable or --ingest-token-file)")
	fl.StringVar(&f.tokenFile, "ingest-token-file", "", "file holding the ingest bearer token")
}

// checkToken refuses an --ingest-token of white space only: the ingest
// endpoints would want it, and no request can carry it, so that every
// event would be refused with 401. Empty means no token.
func (f *httpFlags) checkToken(src sources) error {
	if f.token != "" && strings.TrimSpace(f.token) == "" {
		return src.bad("--ingest-token", strconv.Quote(f.token),
			"want a token, or leave it unset for none")
	}
	return nil
}

// ingestToken returns the configured token, from the flag or the file;
// name says where a setting came from (see app.settingName).
func (f *httpFlags) ingestToken(name func(flag string) string) (string, error) {
	if f.tokenFile == "" {
		return f.token, nil
	}
	if f.token != "" {
		return "", fmt.Errorf("give %s or %s, not both", name("--ingest-token"),
			name("--ingest-token-file"))
	}
	data, err := os.ReadFile(f.tokenFile)
	if err != nil {
		return "", fmt.Errorf("--ingest-token-file: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("--ingest-token-file %s is empty", f.tokenFile)
	}
	return token, nil
}

// endpoints maps the worker's HTTP paths to their handlers.
func (a *app) endpoints(conn *config.Conn, js jetstream.JetStream, f *runFlags,
	r *router.Router, m *metrics.Metrics, log *slog.Logger) (map[string]http.Handler, error) {
	token, err := f.http.ingestToken(a.settingName)
	if err != nil {
		return nil, err
	}
	if f.http.addr != "" && token == "" && !loopback(f.http.addr) {
		log.Warn("ingest endpoints accept events without a token on a non-loopback address; "+
			"set ALERTROUTER_INGEST_TOKEN or --ingest-token-file", "addr", f.http.addr)
	}
	in := ingest.New(ingest.Options{Publisher: ingest.JetStreamPublisher(js), Token: token,
		Decoder: alert.Decoder{MaxSize: f.maxSize}, Logger: log})
	checks := []health.Check{
		health.NATSConnected(conn),
		health.StreamPresent(js, router.StreamAlerts),
		health.ConsumerPresent(js, router.StreamAlerts, f.consumer),
		health.RulesLoaded(r.Rules),
	}
	if f.state == "kv" {
		checks = append(checks,
			health.BucketsPresent(js, dedup.DefaultKVBucket, router.DefaultLedgerBucket))
	}
	h := health.New(checks...)
	return map[string]http.Handler{
		"/healthz":         h.Healthz(),
		"/readyz":          h.Readyz(),
		"/metrics":         m.Handler(),
		"/v1/events":       in.Events(),
		"/v1/alertmanager": in.Alertmanager(),
		"/v1/grafana":      in.Grafana(),
	}, nil
}

// serve listens on the address (so that a taken port fails the start)
// and serves until the returned stop is called.
func (f *httpFlags) serve(ctx context.Context, log *slog.Logger,
	routes map[string]http.Handler) (func(), error) {
	if f.addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return nil, fmt.Errorf("--http %s: %w", f.addr, err)
	}

	mux := http.NewServeMux()
	for path, h := range routes {
		mux.Handle(path, h)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
		}
	}()
	log.Info("http listening", "addr", ln.Addr().String())

	return func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}, nil
}

// loopback reports whether a listen address is reachable only locally.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
