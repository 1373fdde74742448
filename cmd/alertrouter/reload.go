package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/alertrouter/alertrouter/internal/reload"
	"github.com/alertrouter/alertrouter/router"
	"github.com/alertrouter/alertrouter/rules"
)

// reloader puts a new rules file in force when asked, or refuses it whole
// and keeps the old rules routing.
type reloader struct {
	path   string
	router *router.Router
	log    *slog.Logger
	// done, when set, learns each reload's file, outcome (rules nil when
	// the file did not load) and trigger.
	done func(file string, rs *rules.Rules, trigger string, err error)
	mu   sync.Mutex
}

// reload loads and validates the file and swaps it in. trigger says what
// asked for it, for the log.
func (rl *reloader) reload(trigger string) error {
	rl.mu.Lock()
	defer rl.mu.Unlock()

	rs, err := rules.Load(rl.path, rules.Options{})
	if err == nil {
		err = rl.router.SetRules(rs)
	}
	if rl.done != nil {
		rl.done(rl.path, rs, trigger, err)
	}
	if err != nil {
		rl.log.Error("rules reload refused; the previous rules stay in force",
			"file", rl.path, "trigger", trigger, "errors", errorLines(err))
		return err
	}
	rl.log.Info("rules reloaded", "file", rl.path, "trigger", trigger, "hash", rs.Hash,
		"routes", len(rs.Routes), "receivers", len(rs.Receivers))
	return nil
}

// onSIGHUP reloads on every SIGHUP until ctx ends.
func (rl *reloader) onSIGHUP(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	for {
		select {
		case <-hup:
			_ = rl.reload("SIGHUP")
		case <-ctx.Done():
			return
		}
	}
}

// onFileChange reloads whenever the rules file's content or symlink target
// changes, until ctx ends.
func (rl *reloader) onFileChange(ctx context.Context) {
	err := reload.Watch(ctx, reload.Options{Path: rl.path, Logger: rl.log}, func() {
		_ = rl.reload("file change")
	})
	if err != nil {
		rl.log.Error("cannot watch the rules file; reload with SIGHUP", "file", rl.path,
			"err", err)
	}
}

// errorLines lists a rules validation failure one problem per entry.
func errorLines(err error) []string {
	var list rules.Errors
	if errors.As(err, &list) {
		out := make([]string, len(list))
		for i, e := range list {
			out[i] = e.Error()
		}
		return out
	}
	return []string{err.Error()}
}
