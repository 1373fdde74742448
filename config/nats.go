// Package config holds the process settings of alertrouter: how to reach
// NATS (an existing deployment, or an embedded server with JetStream for a
// laptop), where the rules file is, and the worker's tuning. Commands fill
// it from flags; it turns settings into live connections.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// DefaultNATSListen is where the embedded server listens unless told
// otherwise, so that `alertrouter publish` on the same machine finds it.
const DefaultNATSListen = "127.0.0.1:4222"

// NATS says how to reach NATS.
type NATS struct {
	// URL of an existing NATS deployment; empty starts an embedded server.
	URL string
	// Listen is the embedded server's host:port; port 0 picks a free one.
	Listen string
	// DataDir is the embedded server's JetStream store.
	DataDir string
	// CredsFile is a NATS credentials file (JWT and NKey seed).
	CredsFile string
	// User and Password authenticate with a user name.
	User, Password string
	// Token authenticates with a token.
	Token string
	// CAFile trusts a custom CA for TLS connections.
	CAFile string
	// Name is the client connection name shown by NATS monitoring.
	Name string
}

// Conn is a live NATS connection and, when embedded, its server.
type Conn struct {
	*nats.Conn
	server *server.Server
	lock   *os.File
}

// Close drains the connection and stops the embedded server, if any.
func (c *Conn) Close() {
	if c.Conn != nil {
		_ = c.Drain()
		for c.Conn.Status() != nats.CLOSED {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if c.server != nil {
		c.server.Shutdown()
		c.server.WaitForShutdown()
	}
	if c.lock != nil {
		_ = c.lock.Close()
	}
}

// Embedded reports whether the connection goes to an embedded server.
func (c *Conn) Embedded() bool { return c.server != nil }

// Connect connects to NATS, first starting the embedded server when no
// URL is set. The connection reconnects forever and logs its state.
func (n NATS) Connect(log *slog.Logger) (*Conn, error) {
	c := &Conn{}
	url := n.URL
	if url == "" {
		srv, lock, err := n.startEmbedded()
		if err != nil {
			return nil, err
		}
		c.server, c.lock = srv, lock
		url = srv.ClientURL()
		log.Info("embedded nats started", "url", url, "data", n.DataDir)
	}

	nc, err := nats.Connect(url, n.clientOptions(log)...)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("connect to nats %s: %w", url, err)
	}
	c.Conn = nc
	return c, nil
}

func (n NATS) clientOptions(log *slog.Logger) []nats.Option {
	name := n.Name
	if name == "" {
		name = "alertrouter"
	}
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
		}),
	}
	if n.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(n.CredsFile))
	}
	if n.User != "" {
		opts = append(opts, nats.UserInfo(n.User, n.Password))
	}
	if n.Token != "" {
		opts = append(opts, nats.Token(n.Token))
	}
	if n.CAFile != "" {
		opts = append(opts, nats.RootCAs(n.CAFile))
	}
	return opts
}

func (n NATS) startEmbedded() (*server.Server, *os.File, error) {
	listen := n.Listen
	if listen == "" {
		listen = DefaultNATSListen
	}
	host, portText, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, nil, fmt.Errorf("nats listen address %q: %w", listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, nil, fmt.Errorf("nats listen address %q: port: %w", listen, err)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}

	dir := n.DataDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "alertrouter-nats")
	}
	lock, err := lockDataDir(dir)
	if err != nil {
		return nil, nil, err
	}
	srv, err := n.serve(host, port, dir)
	if err != nil {
		if lock != nil {
			_ = lock.Close()
		}
		return nil, nil, err
	}
	return srv, lock, nil
}

func (n NATS) serve(host string, port int, dir string) (*server.Server, error) {
	srv, err := server.NewServer(&server.Options{
		ServerName: "alertrouter-embedded",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   dir,
		NoLog:      true,
		NoSigs:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}

	// Fail fast on a taken port, rather than waiting for readiness.
	if port != server.RANDOM_PORT {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return nil, fmt.Errorf("embedded nats cannot listen on %s (pass --nats-listen, "+
				"or --nats-url to use a running NATS): %w", net.JoinHostPort(host,
				strconv.Itoa(port)), err)
		}
		_ = ln.Close()
	}

	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("embedded nats did not become ready within 10s")
	}
	return srv, nil
}
