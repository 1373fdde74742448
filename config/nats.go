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
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	// NKeyFile is a file holding an NKey seed (SU...), for NKey auth.
	NKeyFile string
	// User and Password authenticate with a user name. PasswordFile, in
	// place of Password, names a file holding it.
	User, Password, PasswordFile string
	// Token authenticates with a token; TokenFile, in place of Token,
	// names a file holding it.
	Token, TokenFile string
	// CAFile trusts a custom CA for TLS connections.
	CAFile string
	// CertFile and KeyFile are a client certificate and its private key,
	// for servers that verify clients over TLS.
	CertFile, KeyFile string
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
// URL is set. The connection reconnects forever and logs its state;
// neither its logs nor its errors hold a password, token or key.
func (n NATS) Connect(log *slog.Logger) (*Conn, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	auth, err := n.authOptions()
	if err != nil {
		return nil, err
	}

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

	nc, err := nats.Connect(url, append(n.clientOptions(log), auth...)...)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("connect to nats %s: %w", redactURLs(url), err)
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
			log.Info("nats reconnected", "url", redactURLs(nc.ConnectedUrl()))
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				log.Warn("nats error", "subject", sub.Subject, "err", err)
				return
			}
			log.Warn("nats error", "err", err)
		}),
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

// Validate reports every setting that cannot work, such as a password
// without a user or a client certificate without its key, naming the
// flags that set them.
func (n NATS) Validate() error {
	return n.ValidateNamed(nil)
}

// ValidateNamed is Validate naming each setting that is given by
// name(flag), such as the environment variable or file the value came
// from when no flag gave it; nil names the flags (--nats-token).
func (n NATS) ValidateNamed(name func(flag string) string) error {
	if name == nil {
		name = func(flag string) string { return flag }
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if n.Password != "" && n.PasswordFile != "" {
		bad("%s and %s: set one, not both", name("--nats-password"),
			name("--nats-password-file"))
	}
	if n.Token != "" && n.TokenFile != "" {
		bad("%s and %s: set one, not both", name("--nats-token"), name("--nats-token-file"))
	}
	password := n.passwordFlag()
	switch {
	case password != "" && n.User == "":
		bad("a nats password%s needs --nats-user", aside(password, name))
	case n.User != "" && password == "":
		bad("%s needs --nats-password or --nats-password-file", name("--nats-user"))
	}
	switch {
	case n.CertFile != "" && n.KeyFile == "":
		bad("%s needs --nats-tls-key, the certificate's private key", name("--nats-tls-cert"))
	case n.KeyFile != "" && n.CertFile == "":
		bad("%s needs --nats-tls-cert, the client certificate", name("--nats-tls-key"))
	}

	methods := n.authMethods(name)
	if len(methods) > 1 {
		bad("set one way to authenticate to nats, not %d: %s",
			len(methods), strings.Join(methods, ", "))
	}
	if given := n.remoteOnly(name); n.URL == "" && len(given) > 0 {
		bad("%s: nats credentials and TLS settings need --nats-url (the embedded server "+
			"takes neither)", strings.Join(given, ", "))
	}
	return errors.Join(errs...)
}

// remoteOnly names every credential and TLS setting that is given, each
// where it came from: settings that only a server at --nats-url can use.
func (n NATS) remoteOnly(name func(flag string) string) []string {
	settings := []struct{ flag, value string }{
		{"--nats-user", n.User}, {"--nats-password", n.Password},
		{"--nats-password-file", n.PasswordFile}, {"--nats-token", n.Token},
		{"--nats-token-file", n.TokenFile}, {"--nats-creds", n.CredsFile},
		{"--nats-nkey", n.NKeyFile}, {"--nats-ca", n.CAFile},
		{"--nats-tls-cert", n.CertFile}, {"--nats-tls-key", n.KeyFile},
	}
	var out []string
	for _, s := range settings {
		if s.value != "" {
			out = append(out, name(s.flag))
		}
	}
	return out
}

// authMethods names the ways to authenticate that are set, each by the
// first of its settings that is given.
func (n NATS) authMethods(name func(flag string) string) []string {
	var out []string
	switch {
	case n.User != "":
		out = append(out, name("--nats-user"))
	case n.passwordFlag() != "":
		out = append(out, name(n.passwordFlag()))
	}
	switch {
	case n.Token != "":
		out = append(out, name("--nats-token"))
	case n.TokenFile != "":
		out = append(out, name("--nats-token-file"))
	}
	if n.CredsFile != "" {
		out = append(out, name("--nats-creds"))
	}
	if n.NKeyFile != "" {
		out = append(out, name("--nats-nkey"))
	}
	return out
}

// passwordFlag is the flag of the password that is given, or "".
func (n NATS) passwordFlag() string {
	switch {
	case n.Password != "":
		return "--nats-password"
	case n.PasswordFile != "":
		return "--nats-password-file"
	}
	return ""
}

// aside is " (source)" when name calls flag something else, else "".
func aside(flag string, name func(string) string) string {
	if src := name(flag); src != flag {
		return " (" + src + ")"
	}
	return ""
}

// authOptions turns the credentials into client options, reading the
// password, token and NKey seed files.
func (n NATS) authOptions() ([]nats.Option, error) {
	var opts []nats.Option
	if n.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(n.CredsFile))
	}
	if n.NKeyFile != "" {
		opt, err := nats.NkeyOptionFromSeed(n.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--nats-nkey %s: %w", n.NKeyFile, err)
		}
		opts = append(opts, opt)
	}
	if n.CertFile != "" {
		opts = append(opts, nats.ClientCert(n.CertFile, n.KeyFile))
	}

	password, err := valueOrFile(n.Password, n.PasswordFile, "--nats-password-file")
	if err != nil {
		return nil, err
	}
	if n.User != "" {
		opts = append(opts, nats.UserInfo(n.User, password))
	}

	token, err := valueOrFile(n.Token, n.TokenFile, "--nats-token-file")
	if err != nil {
		return nil, err
	}
	if token != "" {
		opts = append(opts, nats.Token(token))
	}
	return opts, nil
}

// valueOrFile returns value, or the content of file with surrounding
// white space trimmed. Errors name the file, never its content.
func valueOrFile(value, file, flag string) (string, error) {
	if file == "" {
		return value, nil
	}

	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flag, err)
	}
	v := strings.TrimSpace(string(data))
	if v == "" {
		return "", fmt.Errorf("%s: %s is empty", flag, file)
	}
	return v, nil
}

// redactURLs masks the user information (a user and password, or a
// token) of each URL in a comma-separated list, for logs and errors. A
// URL without a scheme reads as nats://, as the client reads it.
func redactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if !strings.Contains(p, "://") {
			p = "nats://" + p
		}

		u, err := url.Parse(p)
		switch {
		case err == nil && u.User != nil:
			u.User = url.User("redacted")
			parts[i] = u.String()
		case strings.Contains(p, "@"):
			parts[i] = "<unparsable url>"
		}
	}
	return strings.Join(parts, ",")
}
