package audit

import "errors"

// ErrNoStream is returned by Read when the server has no audit stream: no
// worker with the audit trail on has started against it yet.
var ErrNoStream = errors.New("no audit stream " + StreamName)
