package router

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/config"
)

// syncBuffer is a log sink safe for the connection's callbacks.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// restartable is a NATS server that can be stopped and started again on
// the same port and store, as an embedded server is when its host restarts.
type restartable struct {
	t    *testing.T
	port int
	dir  string
	srv  *server.Server
}

func newRestartable(t *testing.T) *restartable {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())

	r := &restartable{t: t, port: port, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *restartable) start() {
	r.t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: r.port,
		JetStream: true, StoreDir: r.dir, NoLog: true, NoSigs: true})
	require.NoError(r.t, err)
	srv.Start()
	require.True(r.t, srv.ReadyForConnections(10*time.Second))
	r.srv = srv
}

func (r *restartable) stop() {
	if r.srv != nil {
		r.srv.Shutdown()
		r.srv.WaitForShutdown()
		r.srv = nil
	}
}

func (r *restartable) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", r.port) }

func TestWorkerRecoversWhenNATSRestarts(t *testing.T) {
	ns := newRestartable(t)
	var logs syncBuffer
	conn, err := config.NATS{URL: ns.url()}.Connect(slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	t.Cleanup(conn.Close)
	js, err := jetstream.New(conn.Conn)
	require.NoError(t, err)

	rec := newRecorder()
	h := startOn(t, js, rec, func(o *Options) {
		l, err := NewKVLedger(context.Background(), js, "", 1, time.Hour)
		require.NoError(t, err)
		o.Ledger = l
	})
	event := func(i int) string {
		return fmt.Sprintf(`{"id":"r%d","source":"ci/x","name":"n%d","severity":"info"}`, i, i)
	}
	for i := range 5 {
		h.publish(t, event(i))
	}
	h.waitDone(t, 5)

	ns.stop()
	require.Eventually(t, func() bool { return !conn.IsConnected() }, 5*time.Second,
		10*time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	ns.start()
	require.Eventually(t, conn.IsConnected, 10*time.Second, 10*time.Millisecond)

	// Events published after the restart are consumed by the same worker.
	require.Eventually(t, func() bool {
		_, err := js.Publish(context.Background(), "alerts.test.x", []byte(event(5)),
			jetstream.WithMsgID("r5"))
		return err == nil
	}, 10*time.Second, 100*time.Millisecond)
	for i := 6; i < 10; i++ {
		h.publish(t, event(i))
	}
	h.waitDone(t, 10)

	require.Len(t, rec.got("chat"), 10, "each event once, before and after the restart")
	require.Contains(t, logs.String(), `msg="nats disconnected"`, "the log says so")
	require.Contains(t, logs.String(), `msg="nats reconnected"`)
	requireNothingPending(t, js)
}
