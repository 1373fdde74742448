// Package reload watches the rules file and says when it has changed, so
// that the router can put new rules in force without a restart.
//
// It watches the file's directory rather than the file: editors save by
// writing a temporary file and renaming it over the old one, and
// Kubernetes updates a mounted ConfigMap by swapping a "..data" symlink,
// and a watch on the file itself would miss both. Every event in the
// directory starts a short quiet period (the debounce); when it ends, the
// file's resolved path and the hash of its content are compared with the
// last ones seen, and the callback runs only if either differs. A touch
// that changes nothing, or a write to another file beside it, does not
// call back.
package reload

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is the quiet period used when Options.Debounce is zero.
const DefaultDebounce = 200 * time.Millisecond

// Options configure Watch.
type Options struct {
	// Path is the file to watch; it may be a symlink.
	Path string
	// Debounce is how long the directory must stay quiet after an event
	// before the file is compared; a burst of events gives one callback.
	// Zero means DefaultDebounce.
	Debounce time.Duration
	// Logger receives the start of the watch and its errors; nil discards
	// them.
	Logger *slog.Logger

	// hooks let tests see what happens inside; nil in production.
	hooks *hooks
}

// hooks are called, when set, as a watch runs: tests must know when the
// watch is live, and tell "compared and unchanged" from "not yet".
type hooks struct {
	ready   func()
	checked func(changed bool)
}

// state identifies what the watched path holds: where it resolves to and
// a hash of the bytes there. Both are empty while the file is missing.
type state struct {
	target string
	hash   [sha256.Size]byte
	exists bool
}

// read takes the current state of path.
func read(path string) state {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return state{}
	}

	data, err := os.ReadFile(target)
	if err != nil {
		return state{target: target}
	}
	return state{target: target, hash: sha256.Sum256(data), exists: true}
}

// Watch calls onChange each time the file at o.Path changes, until ctx is
// done; then it returns nil. It returns an error at once when the watch
// cannot be set up (no path, a missing directory). onChange runs on
// Watch's goroutine, so calls never overlap; events that arrive while it
// runs are compared once it returns.
func Watch(ctx context.Context, o Options, onChange func()) error {
	if o.Path == "" {
		return errors.New("reload: no file to watch")
	}
	if onChange == nil {
		return errors.New("reload: no callback")
	}
	if o.Debounce <= 0 {
		o.Debounce = DefaultDebounce
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}

	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("reload: start watcher: %w", err)
	}
	defer w.Close()

	dir := filepath.Dir(o.Path)
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("reload: watch %s: %w", dir, err)
	}

	wt := &watch{opts: o, w: w, dir: dir, onChange: onChange}
	wt.last = read(o.Path)
	wt.follow()
	o.Logger.Info("watching the rules file for changes", "file", o.Path)
	if o.hooks != nil && o.hooks.ready != nil {
		o.hooks.ready()
	}
	return wt.loop(ctx)
}

// watch is one running Watch.
type watch struct {
	opts     Options
	w        *fsnotify.Watcher
	dir      string
	onChange func()
	last     state
	// extra is the directory of the resolved file, also watched when the
	// path is a symlink into another directory ("" when none).
	extra string
}

// loop turns events into debounced comparisons until ctx is done.
func (wt *watch) loop(ctx context.Context) error {
	timer := time.NewTimer(wt.opts.Debounce)
	timer.Stop()
	defer timer.Stop()

	for {
		select {
		case <-ctx.Done():
			return nil

		case ev, ok := <-wt.w.Events:
			if !ok {
				return errors.New("reload: watcher closed")
			}
			wt.opts.Logger.Debug("rules file event", "event", ev.String())
			timer.Reset(wt.opts.Debounce)

		case err, ok := <-wt.w.Errors:
			if !ok {
				return errors.New("reload: watcher closed")
			}
			wt.opts.Logger.Warn("rules file watch error", "file", wt.opts.Path, "err", err)

		case <-timer.C:
			wt.compare()
		}
	}
}

// compare reads the file's state and calls back if it changed.
func (wt *watch) compare() {
	now := read(wt.opts.Path)
	changed := now != wt.last
	wt.last = now
	if changed {
		wt.follow()
		wt.onChange()
	}

	if h := wt.opts.hooks; h != nil && h.checked != nil {
		h.checked(changed)
	}
}

// follow also watches the directory the path resolves into, when that is
// not the path's own: an edit there changes the file without any event in
// the path's directory. A watch that cannot be set is logged and skipped.
func (wt *watch) follow() {
	dir := ""
	if wt.last.target != "" {
		dir = filepath.Dir(wt.last.target)
	}
	if own, err := filepath.EvalSymlinks(wt.dir); err == nil && dir == own {
		dir = ""
	}
	if dir == wt.extra {
		return
	}

	if wt.extra != "" {
		// It may be gone already (a ConfigMap's old version): fsnotify
		// then dropped the watch itself.
		_ = wt.w.Remove(wt.extra)
	}
	wt.extra = ""
	if dir == "" {
		return
	}
	if err := wt.w.Add(dir); err != nil {
		wt.opts.Logger.Warn("cannot watch the rules file's target directory",
			"dir", dir, "err", err)
		return
	}
	wt.extra = dir
}
