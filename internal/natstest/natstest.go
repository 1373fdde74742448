// Package natstest starts embedded NATS servers with JetStream for tests,
// so that every package's tests run against the real server the same way.
package natstest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// Server runs a nats-server with JetStream on a free loopback port,
// storing in a temporary folder, until the test ends.
func Server(tb testing.TB) *server.Server {
	tb.Helper()

	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: tb.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(tb, err)
	ns.Start()
	tb.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	require.True(tb, ns.ReadyForConnections(10*time.Second), "nats not ready")
	return ns
}

// Connect opens a connection of its own to ns, closed when the test ends.
func Connect(tb testing.TB, ns *server.Server) *nats.Conn {
	tb.Helper()
	return Dial(tb, ns.ClientURL())
}

// Dial opens a connection to the server at url (one a test started some
// other way, such as a worker process), closed when the test ends.
func Dial(tb testing.TB, url string) *nats.Conn {
	tb.Helper()

	nc, err := nats.Connect(url)
	require.NoError(tb, err)
	tb.Cleanup(nc.Close)
	return nc
}

// JetStream returns the JetStream context of a connection to ns.
func JetStream(tb testing.TB, nc *nats.Conn) jetstream.JetStream {
	tb.Helper()

	js, err := jetstream.New(nc)
	require.NoError(tb, err)
	return js
}

// Start runs a server for the test and returns the JetStream context of a
// connection to it.
func Start(tb testing.TB) jetstream.JetStream {
	tb.Helper()
	return JetStream(tb, Connect(tb, Server(tb)))
}
