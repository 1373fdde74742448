//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir takes an exclusive lock on the embedded server's data
// folder, so that a second worker pointed at the same folder fails at once
// instead of two servers overwriting each other's stream files.
func lockDataDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "alertrouter.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("data folder %s is in use by another alertrouter "+
			"(give each worker its own --data, or share one NATS with --nats-url): %w", dir, err)
	}
	return f, nil
}
