package router

import (
	"fmt"
	"log/slog"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
