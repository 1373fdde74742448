package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedServerHasJetStream(t *testing.T) {
	conn, err := NATS{Listen: "127.0.0.1:0", DataDir: t.TempDir()}.Connect(slog.Default())
	require.NoError(t, err)
	defer conn.Close()

	require.True(t, conn.Embedded())
	js, err := jetstream.New(conn.Conn)
	require.NoError(t, err)
	_, err = js.AccountInfo(t.Context())
	require.NoError(t, err)
}

func TestDataFolderUsedOnce(t *testing.T) {
	dir := t.TempDir()
	first, err := NATS{Listen: "127.0.0.1:0", DataDir: dir}.Connect(slog.Default())
	require.NoError(t, err)

	_, err = NATS{Listen: "127.0.0.1:0", DataDir: dir}.Connect(slog.Default())
	require.ErrorContains(t, err, "in use by another alertrouter")

	first.Close()
	again, err := NATS{Listen: "127.0.0.1:0", DataDir: dir}.Connect(slog.Default())
	require.NoError(t, err, "the lock is released on close")
	again.Close()
}

func TestBadDataFolderOrPort(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err := NATS{Listen: "127.0.0.1:0", DataDir: file}.Connect(slog.Default())
	require.ErrorContains(t, err, "data folder "+file)

	taken, err := NATS{Listen: "127.0.0.1:0", DataDir: t.TempDir()}.Connect(slog.Default())
	require.NoError(t, err)
	defer taken.Close()
	addr := taken.ConnectedAddr()
	_, err = NATS{Listen: addr, DataDir: t.TempDir()}.Connect(slog.Default())
	require.ErrorContains(t, err, "cannot listen on "+addr)
}
