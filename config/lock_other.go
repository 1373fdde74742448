//go:build !unix

package config

import (
	"fmt"
	"os"
)

// lockDataDir only creates the folder where file locks are not available.
func lockDataDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	return nil, nil
}
