package console

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTarget(t *testing.T) {
	require.Equal(t, "console", New(&bytes.Buffer{}).Target())
	require.Equal(t, "console", New(nil).Target(), "all console notifiers share one target")
}
