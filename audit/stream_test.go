package audit_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/audit"
	"github.com/alertrouter/alertrouter/internal/natstest"
)

func TestEnsureStream(t *testing.T) {
	js, err := jetstream.New(natstest.Connect(t, natstest.Server(t)))
	require.NoError(t, err)
	maxAge := func() time.Duration {
		t.Helper()
		s, err := js.Stream(testCtx(t), audit.StreamName)
		require.NoError(t, err)
		return s.CachedInfo().Config.MaxAge
	}

	tests := []struct {
		name   string
		maxAge time.Duration
		want   time.Duration
	}{
		{"created with the default retention", 0, audit.DefaultRetention},
		{"unchanged when called again", 0, audit.DefaultRetention},
		{"retention changed on an existing stream", 48 * time.Hour, 48 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, audit.EnsureStream(testCtx(t), js, tt.maxAge, 1))
			require.Equal(t, tt.want, maxAge())
		})
	}

	t.Run("file storage on alerts_audit.>", func(t *testing.T) {
		s, err := js.Stream(testCtx(t), audit.StreamName)
		require.NoError(t, err)
		cfg := s.CachedInfo().Config
		require.Equal(t, jetstream.FileStorage, cfg.Storage)
		require.Equal(t, []string{"alerts_audit.>"}, cfg.Subjects)
	})
}
