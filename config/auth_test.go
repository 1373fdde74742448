package config

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"
)

// startServer runs a nats-server with opts on a random local port.
func startServer(t *testing.T, opts *server.Options) *server.Server {
	t.Helper()
	opts.Host, opts.Port = "127.0.0.1", server.RANDOM_PORT
	opts.NoLog, opts.NoSigs = true, true
	srv, err := server.NewServer(opts)
	require.NoError(t, err)

	srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv
}

// writeFile writes content to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	file := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(file, []byte(content), 0o600))
	return file
}

// nkeySeed makes an NKey user, writes its seed into dir and returns the
// seed file and the public key.
func nkeySeed(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	kp, err := nkeys.CreateUser()
	require.NoError(t, err)
	seed, err := kp.Seed()
	require.NoError(t, err)
	pub, err := kp.PublicKey()
	require.NoError(t, err)
	return writeFile(t, dir, name, string(seed)+"\n"), pub
}

// authCase is a server set up for one way to authenticate, settings that
// get in, and settings that must not.
type authCase struct {
	name string
	srv  *server.Options
	good NATS
	bad  NATS
	// secrets must appear in no error and no log line.
	secrets []string
}

func authCases(t *testing.T) []authCase {
	t.Helper()
	dir := t.TempDir()
	seedFile, pub := nkeySeed(t, dir, "user.nk")
	otherSeed, _ := nkeySeed(t, dir, "other.nk")
	seed, err := os.ReadFile(seedFile)
	require.NoError(t, err)

	return []authCase{
		{
			name:    "user and password",
			srv:     &server.Options{Username: "alice", Password: "pw-Secret-1"},
			good:    NATS{User: "alice", Password: "pw-Secret-1"},
			bad:     NATS{User: "alice", Password: "wrong-Secret-2"},
			secrets: []string{"pw-Secret-1", "wrong-Secret-2"},
		},
		{
			name: "password file",
			srv:  &server.Options{Username: "alice", Password: "pw-Secret-1"},
			good: NATS{User: "alice",
				PasswordFile: writeFile(t, dir, "pw", "  pw-Secret-1\n")},
			bad: NATS{User: "alice",
				PasswordFile: writeFile(t, dir, "badpw", "wrong-Secret-3\n")},
			secrets: []string{"pw-Secret-1", "wrong-Secret-3"},
		},
		{
			name:    "token",
			srv:     &server.Options{Authorization: "tok-Secret-4"},
			good:    NATS{Token: "tok-Secret-4"},
			bad:     NATS{Token: "wrong-Secret-5"},
			secrets: []string{"tok-Secret-4", "wrong-Secret-5"},
		},
		{
			name:    "token file",
			srv:     &server.Options{Authorization: "tok-Secret-4"},
			good:    NATS{TokenFile: writeFile(t, dir, "tok", "tok-Secret-4\r\n")},
			bad:     NATS{TokenFile: writeFile(t, dir, "badtok", "wrong-Secret-6")},
			secrets: []string{"tok-Secret-4", "wrong-Secret-6"},
		},
		{
			name:    "nkey",
			srv:     &server.Options{Nkeys: []*server.NkeyUser{{Nkey: pub}}},
			good:    NATS{NKeyFile: seedFile},
			bad:     NATS{NKeyFile: otherSeed},
			secrets: []string{strings.TrimSpace(string(seed))},
		},
		{
			name:    "credentials in the url",
			srv:     &server.Options{Username: "alice", Password: "pw-Secret-1"},
			good:    NATS{URL: "nats://alice:pw-Secret-1@{addr}"},
			bad:     NATS{URL: "nats://alice:wrong-Secret-7@{addr}"},
			secrets: []string{"pw-Secret-1", "wrong-Secret-7"},
		},
		{
			name:    "token in the url",
			srv:     &server.Options{Authorization: "tok-Secret-4"},
			good:    NATS{URL: "nats://tok-Secret-4@{addr}"},
			bad:     NATS{URL: "nats://wrong-Secret-8@{addr}"},
			secrets: []string{"tok-Secret-4", "wrong-Secret-8"},
		},
	}
}

func TestAuthMethods(t *testing.T) {
	for _, tc := range authCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.srv)
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))

			conn, err := withServer(tc.good, srv).Connect(log)
			require.NoError(t, err)
			require.NoError(t, conn.Flush())
			conn.Close()

			_, err = withServer(tc.bad, srv).Connect(log)
			require.ErrorIs(t, err, nats.ErrAuthorization)
			for _, s := range tc.secrets {
				require.NotContains(t, err.Error(), s)
				require.NotContains(t, logs.String(), s)
			}
		})
	}
}

// withServer points n at srv: its URL, or {addr} in the URL it has.
func withServer(n NATS, srv *server.Server) NATS {
	addr := srv.Addr().String()
	if n.URL == "" {
		n.URL = "nats://" + addr
	}
	n.URL = strings.ReplaceAll(n.URL, "{addr}", addr)
	return n
}

func TestClientCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, dir, "trusted")
	_, _, serverPair := ca.issue(t, dir, "server", true)
	certFile, keyFile, _ := ca.issue(t, dir, "client", false)
	rogue := newCA(t, dir, "rogue")
	rogueCert, rogueKey, _ := rogue.issue(t, dir, "rogue-client", false)

	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := startServer(t, &server.Options{
		TLS:       true,
		TLSVerify: true,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{serverPair},
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
		},
	})
	url := srv.ClientURL()

	tests := []struct {
		name string
		n    NATS
		fail bool
		// want is part of the error, where it does not depend on timing.
		want string
	}{
		{name: "trusted client", n: NATS{CertFile: certFile, KeyFile: keyFile}},
		{name: "client of another ca", n: NATS{CertFile: rogueCert, KeyFile: rogueKey},
			fail: true},
		{name: "no client certificate", fail: true},
		{name: "unknown server ca", n: NATS{CertFile: certFile, KeyFile: keyFile,
			CAFile: rogue.file}, fail: true, want: "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.n
			n.URL = url
			if n.CAFile == "" {
				n.CAFile = ca.file
			}

			conn, err := n.Connect(slog.New(slog.DiscardHandler))
			if !tt.fail {
				require.NoError(t, err)
				require.NoError(t, conn.Flush())
				conn.Close()
				return
			}
			require.Error(t, err)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "PRIVATE KEY")
		})
	}
}
