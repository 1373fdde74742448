package reload

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	waitFor  = 5 * time.Second
	tick     = 5 * time.Millisecond
	debounce = 50 * time.Millisecond
)

// probe runs Watch on one path and counts what it reports.
type probe struct {
	calls atomic.Int32
	quiet atomic.Int32
	done  chan error
}

// startWatch starts Watch on path in the background and returns once the
// watch is live.
func startWatch(t *testing.T, path string, debounce time.Duration) *probe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &probe{done: make(chan error, 1)}
	ready := make(chan struct{})
	o := Options{Path: path, Debounce: debounce, hooks: &hooks{
		ready: func() { close(ready) },
		checked: func(changed bool) {
			if !changed {
				p.quiet.Add(1)
			}
		},
	}}
	go func() { p.done <- Watch(ctx, o, func() { p.calls.Add(1) }) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-p.done)
	})

	select {
	case <-ready:
	case err := <-p.done:
		t.Fatalf("Watch returned before it was ready: %v", err)
	}
	return p
}

// requireCalls waits until the callback ran want times, then makes an
// event that changes nothing and waits for its comparison: every event
// before it has then been handled, and the count must still be want.
func (p *probe) requireCalls(t *testing.T, dir string, want int32) {
	t.Helper()
	require.Eventually(t, func() bool { return p.calls.Load() >= want }, waitFor, tick)

	before := p.quiet.Load()
	writeFile(t, filepath.Join(dir, ".noop"), "")
	require.Eventually(t, func() bool { return p.quiet.Load() > before }, waitFor, tick)
	require.Equal(t, want, p.calls.Load())
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
}

func TestWatchPlainFile(t *testing.T) {
	tests := []struct {
		name  string
		act   func(t *testing.T, dir, path string)
		calls int32
	}{
		{"in-place write", func(t *testing.T, _, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
			require.NoError(t, err)
			for _, part := range []string{"routes:\n", "  - name: b\n", "    receivers: [x]\n"} {
				_, err = f.WriteString(part)
				require.NoError(t, err)
			}
			require.NoError(t, f.Close())
		}, 1},
		{"atomic replace by rename", func(t *testing.T, dir, path string) {
			tmp := filepath.Join(dir, ".rules.yaml.swp")
			writeFile(t, tmp, "routes: []\n")
			require.NoError(t, os.Rename(tmp, path))
		}, 1},
		{"touch without change", func(t *testing.T, _, path string) {
			now := time.Now().Add(time.Hour)
			require.NoError(t, os.Chtimes(path, now, now))
			writeFile(t, path, "v1\n")
		}, 0},
		{"unrelated file", func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "other.yaml"), "x: 1\n")
		}, 0},
		{"removed then restored", func(t *testing.T, _, path string) {
			require.NoError(t, os.Remove(path))
			writeFile(t, path, "v2\n")
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "rules.yaml")
			writeFile(t, path, "v1\n")
			p := startWatch(t, path, debounce)

			tt.act(t, dir, path)
			p.requireCalls(t, dir, tt.calls)
		})
	}
}

// kubeVersion writes a ConfigMap version folder holding rules.yaml.
func kubeVersion(t *testing.T, dir, version, content string) {
	t.Helper()
	require.NoError(t, os.Mkdir(filepath.Join(dir, version), 0o755))
	writeFile(t, filepath.Join(dir, version, "rules.yaml"), content)
}

func TestWatchKubernetesConfigMapSwap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kubeVersion(t, dir, "..2024_a", "v1\n")
	require.NoError(t, os.Symlink("..2024_a", filepath.Join(dir, "..data")))
	path := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.Symlink(filepath.Join("..data", "rules.yaml"), path))
	p := startWatch(t, path, debounce)

	// What the kubelet does: a new version folder, a temporary symlink to
	// it, renamed over ..data in one step, then the old folder removed.
	kubeVersion(t, dir, "..2024_b", "v2\n")
	tmp := filepath.Join(dir, "..data_tmp")
	require.NoError(t, os.Symlink("..2024_b", tmp))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, "..data")))
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "..2024_a")))
	p.requireCalls(t, dir, 1)

	t.Run("same content in a new version still triggers", func(t *testing.T) {
		kubeVersion(t, dir, "..2024_c", "v2\n")
		require.NoError(t, os.Symlink("..2024_c", tmp))
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, "..data")))
		p.requireCalls(t, dir, 2)
	})
}

func TestWatchSymlinkIntoOtherDirectory(t *testing.T) {
	t.Parallel()
	dir, real := t.TempDir(), t.TempDir()
	target := filepath.Join(real, "rules.yaml")
	writeFile(t, target, "v1\n")
	path := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.Symlink(target, path))
	p := startWatch(t, path, debounce)

	writeFile(t, target, "v2\n")
	p.requireCalls(t, dir, 1)
}

func TestWatchDebouncesBursts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	writeFile(t, path, "v0\n")
	p := startWatch(t, path, DefaultDebounce)

	for _, v := range []string{"v1\n", "v2\n", "v3\n", "v4\n", "v5\n"} {
		writeFile(t, path, v)
	}
	p.requireCalls(t, dir, 1)
}

func TestWatchSetupErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		fn   func()
		want string
	}{
		{"no path", Options{}, func() {}, "no file to watch"},
		{"no callback", Options{Path: "rules.yaml"}, nil, "no callback"},
		{"missing directory", Options{Path: filepath.Join(t.TempDir(), "nope", "rules.yaml")},
			func() {}, "watch "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Watch(context.Background(), tt.opts, tt.fn)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestWatchReturnsOnCancel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, Options{Path: filepath.Join(dir, "rules.yaml")}, func() {})
	}()

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(waitFor):
		t.Fatal("Watch did not return after cancel")
	}
}
