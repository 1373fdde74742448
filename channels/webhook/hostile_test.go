package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/testalert"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// hostileEvent adds an unknown field, which must round-trip too.
func hostileEvent() *alert.Event {
	ev := testalert.HostileEvent()
	ev.Extra = map[string]json.RawMessage{"ticket": json.RawMessage(`"<&>\u0000"`)}
	return ev
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testalert.Golden(t, name, got, *update)
}

func TestHostileEventGolden(t *testing.T) {
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	ev := hostileEvent()
	nt := channels.Notification{Event: ev, Route: "patient-data", Receiver: "hooks",
		Key: ev.Key(), Reason: channels.ReasonNew, Suppressed: 3}

	require.NoError(t, newNotifier(t, srv.URL, nil).Send(context.Background(), nt))
	body := <-bodies

	require.True(t, json.Valid(body))
	var got struct {
		Key   string `json:"key"`
		Event struct {
			Title, Description  string
			Labels, Annotations map[string]string
			DedupKey            string `json:"dedup_key"`
			Ticket              string `json:"ticket"`
		} `json:"event"`
	}
	require.NoError(t, json.Unmarshal(body, &got))
	require.Equal(t, ev.Title, got.Event.Title, "text round-trips exactly")
	require.Equal(t, ev.Description, got.Event.Description)
	require.Equal(t, ev.Labels, got.Event.Labels)
	require.Equal(t, ev.Annotations, got.Event.Annotations)
	require.Equal(t, ev.DedupKey, got.Event.DedupKey)
	require.Equal(t, ev.DedupKey, got.Key)
	require.Equal(t, "<&>\x00", got.Event.Ticket)

	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, body, "", "  "))
	out.WriteByte('\n')
	golden(t, "hostile_payload.json", out.Bytes())
}
