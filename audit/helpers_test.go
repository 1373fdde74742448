package audit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/audit"
	"github.com/alertrouter/alertrouter/internal/natstest"
)

// testTime is the fixed clock of the auditors under test.
var testTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// sensitive are the event's free-text and label values: none may ever
// reach the audit stream.
var sensitive = []string{"123.456.789-09", "Maria da Silva", "label-secret-portal",
	"annotation-secret-runbook", "extra-secret-field"}

// setup starts NATS, creates the audit stream and returns an auditor on
// the fixed clock and a JetStream context to read with.
func setup(t *testing.T) (*audit.Auditor, jetstream.JetStream) {
	t.Helper()
	nc := natstest.Connect(t, natstest.Server(t))
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	require.NoError(t, audit.EnsureStream(testCtx(t), js, 0, 1))

	a, err := audit.New(nc, audit.Options{Worker: "host-a:42",
		Now: func() time.Time { return testTime }})
	require.NoError(t, err)
	return a, js
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// readAll flushes a and reads back what f selects.
func readAll(t *testing.T, a *audit.Auditor, js jetstream.JetStream,
	f audit.Filter) []audit.Record {
	t.Helper()
	require.NoError(t, a.Flush(testCtx(t)))
	recs, err := audit.Read(testCtx(t), js, f)
	require.NoError(t, err)
	return recs
}

// event is a critical event whose text carries personal data.
func event(id string) *alert.Event {
	return &alert.Event{ID: id, Source: "monitor/db", Name: "database_down",
		Severity: alert.SeverityCritical, Status: alert.StatusFiring,
		Title:       "records-db down for patient Maria da Silva",
		Description: "patient CPF 123.456.789-09 could not be read",
		Labels:      map[string]string{"service": "label-secret-portal"},
		Annotations: map[string]string{"runbook_url": "annotation-secret-runbook"},
		DedupKey:    "records-db/primary-down",
		Extra:       map[string]json.RawMessage{"ticket": []byte(`"extra-secret-field"`)}}
}

// syncBuffer is a log sink safe for the publisher's callback goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
