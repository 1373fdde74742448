package email

import (
	"bytes"
	"mime"
	"net/mail"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
)

// FuzzHeaderText checks that no alert text can add a header to the mail:
// the message built around a hostile title, key and route has exactly the
// headers alertrouter sets, and its subject decodes to the cleaned title.
func FuzzHeaderText(f *testing.F) {
	for _, s := range []string{
		"x\r\nBcc: victim@example.org", "Pressão crítica – paciente", "\x00\u202e\u2028a",
		"=?UTF-8?q?=0D=0ABcc:_x?=", "\xff\xfe", strings.Repeat("é", 300), "a\rb\nc",
	} {
		f.Add(s, s)
	}

	f.Fuzz(func(t *testing.T, title, key string) {
		clean := headerText(title, maxSubject)
		require.True(t, utf8.ValidString(clean))
		require.LessOrEqual(t, utf8.RuneCountInString(clean), maxSubject)
		for _, r := range clean {
			require.False(t, unsafeRune(r), "rune %U in %q", r, clean)
		}

		nt := channels.Notification{Event: &alert.Event{ID: "e", Source: "s", Name: "n",
			Title: title, Severity: alert.SeverityInfo, Status: alert.StatusFiring},
			Route: key, Receiver: "r", Key: key, Reason: channels.ReasonNew}
		cfg := Config{From: "a@example.com", To: []string{"b@example.org"}}
		m, err := buildMessage(cfg, nt)
		require.NoError(t, err)
		var raw bytes.Buffer
		_, err = m.WriteTo(&raw)
		require.NoError(t, err)

		pm, err := mail.ReadMessage(&raw)
		require.NoError(t, err)
		names := make([]string, 0, len(pm.Header))
		for k := range pm.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			require.Len(t, pm.Header[k], 1, "header %s given once", k)
			require.Contains(t, allowedHeaders, k)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject"))
		require.NoError(t, err)
		require.Equal(t, headerText(nt.Headline(), maxSubject), subject)
	})
}

// allowedHeaders are the only top-level headers a notification may have.
var allowedHeaders = []string{
	"Auto-Submitted", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject",
	"To", "User-Agent", "X-Alertrouter-Key", "X-Alertrouter-Route", "X-Mailer",
}
