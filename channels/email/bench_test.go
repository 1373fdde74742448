package email

import (
	"io"
	"testing"

	"github.com/alertrouter/alertrouter/internal/testalert"
)

// BenchmarkEmailMessage builds the message (headers, text and HTML parts)
// and writes it out in wire form, as Send does before SMTP.
func BenchmarkEmailMessage(b *testing.B) {
	n := testalert.TypicalNotification()
	cfg := Config{Host: "smtp.example.org", Port: 587, From: "alerts@example.org",
		To: []string{"oncall@example.org", "dba@example.org"}}
	b.ReportAllocs()

	for b.Loop() {
		m, err := buildMessage(cfg, n)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
