package email

import (
	"bytes"
	"flag"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/internal/testalert"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func hostileNotification() channels.Notification {
	return testalert.Notification(testalert.HostileEvent(), "patient-data\r\nBcc: x@example.org",
		"privacy-office")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testalert.Golden(t, name, got, *update)
}

var (
	dateLine = regexp.MustCompile(`(?m)^Date: .*\r$`)
	boundary = regexp.MustCompile(`boundary=([0-9A-Za-z'()+_,./:=?-]+)`)
)

// normalise replaces what changes from one run to the next, the Date
// header and the multipart boundaries, and uses \n line ends.
func normalise(t *testing.T, raw []byte) []byte {
	t.Helper()
	out := dateLine.ReplaceAll(raw, []byte("Date: <date>\r"))
	for i, m := range boundary.FindAllSubmatch(out, -1) {
		out = bytes.ReplaceAll(out, m[1], []byte("BOUNDARY-"+string(rune('A'+i))))
	}
	return bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n"))
}

func TestHostileEventGolden(t *testing.T) {
	nt := hostileNotification()
	m := sendOne(t, nt)

	t.Run("no injected header or recipient", func(t *testing.T) {
		require.Equal(t, []string{"oncall@example.org"}, m.To)
		require.Empty(t, m.Header.Get("Bcc"))
		head, _, ok := bytes.Cut(m.Data, []byte("\r\n\r\n"))
		require.True(t, ok)
		for _, l := range strings.Split(string(head), "\r\n") {
			require.False(t, strings.HasPrefix(strings.ToLower(l), "bcc:"), l)
			require.LessOrEqual(t, len(l), 998, "RFC 5322 line limit")
			require.NotContains(t, l, "\r")
		}
	})

	t.Run("subject encoded and decodes back", func(t *testing.T) {
		raw := m.Header.Get("Subject")
		require.Contains(t, raw, "=?UTF-8?")
		require.True(t, utf8.ValidString(m.Subject))
		require.True(t, strings.HasPrefix(m.Subject, "[FIRING] [critical] Pressão crítica – "+
			"paciente <!channel> @here"), m.Subject)
		require.Contains(t, m.Subject, "<script> Bcc: victim@example.org")
		require.Equal(t, headerText(nt.Headline(), maxSubject), m.Subject)
	})

	t.Run("bodies escaped and cleaned", func(t *testing.T) {
		require.Contains(t, m.HTMLBody, "&lt;script&gt;")
		require.NotContains(t, m.HTMLBody, "<script")
		require.NotContains(t, m.HTMLBody, `href="javascript:`)
		require.Contains(t, m.HTMLBody, "Pressão crítica")
		for _, body := range []string{m.TextBody, m.HTMLBody} {
			require.NotContains(t, body, "\x00")
			require.NotContains(t, body, "\u202e")
			require.Contains(t, body, "123.456.789-09")
		}
	})

	golden(t, "hostile_message.txt", normalise(t, m.Data))
}
