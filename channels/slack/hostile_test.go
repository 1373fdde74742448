package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/fakeslack"
	"github.com/alertrouter/alertrouter/internal/testalert"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func hostileNotification() channels.Notification {
	return testalert.Notification(testalert.HostileEvent(), "patient-data", "eng-chat")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testalert.Golden(t, name, got, *update)
}

func TestHostileEventGolden(t *testing.T) {
	fake := fakeslack.New(fakeslack.WithoutRateLimit())
	defer fake.Close()
	n := apiNotifier(t, fake, fakeslack.DefaultToken, "#alerts")

	require.NoError(t, n.Send(context.Background(), hostileNotification()))

	msgs := fake.Messages()
	require.Len(t, msgs, 1, "the fake accepted the message within Slack's limits")
	m := msgs[0]
	require.Empty(t, m.Warning, "the text was not cut by Slack")

	t.Run("no control sequences from the alert", func(t *testing.T) {
		require.Equal(t, []string{"<https://runbooks.example/r?a=1&amp;b=2|Runbook>"},
			m.ControlSequences(), "only the adapter's own runbook link")
		for _, s := range append([]string{m.Text}, m.BlockTexts()...) {
			for _, bad := range []string{"<!", "<@", "<#", "<http", "<script", "\x00",
				"\u202e", "\r"} {
				require.NotContains(t, strings.ReplaceAll(s, "<https://runbooks.example/", ""),
					bad)
			}
		}
	})

	t.Run("escaped and cut to Slack's limits", func(t *testing.T) {
		blocks := strings.Join(m.BlockTexts(), "\n")
		for _, want := range []string{"&lt;!channel&gt;", "&lt;@U123&gt;", "&amp; &lt;script&gt;",
			"Pressão crítica – paciente", Truncated} {
			require.Contains(t, blocks, want)
		}
		require.Contains(t, m.Text, Truncated)
		require.LessOrEqual(t, utf8.RuneCountInString(m.Text), maxText)
		for _, s := range m.BlockTexts() {
			require.LessOrEqual(t, utf8.RuneCountInString(s), maxSection)
		}
	})

	var blocks bytes.Buffer
	require.NoError(t, json.Indent(&blocks, m.Blocks, "", "  "))
	params := map[string]any{}
	for k, v := range m.Params {
		params[k] = v
	}
	params["blocks"] = json.RawMessage(blocks.Bytes())
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(params))
	golden(t, "hostile_postmessage.json", out.Bytes())
}
