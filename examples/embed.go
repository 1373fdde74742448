// Package examples ships the example rules files and events with the
// binary, so that `alertrouter demo` runs with nothing else on disk.
package examples

import "embed"

// FS holds rules/*.yaml and events/*.json.
//
//go:embed rules/*.yaml events/*.json
var FS embed.FS
