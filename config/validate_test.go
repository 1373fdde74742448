package config

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidate(t *testing.T) {
	const url = "nats://nats.example:4222"
	tests := []struct {
		name string
		n    NATS
		// want lists parts of the error; none means valid.
		want []string
	}{
		{name: "embedded, no auth", n: NATS{}},
		{name: "user and password", n: NATS{URL: url, User: "u", Password: "p"}},
		{name: "user and password file", n: NATS{URL: url, User: "u", PasswordFile: "f"}},
		{name: "token with client certificate",
			n: NATS{URL: url, Token: "t", CAFile: "ca", CertFile: "c", KeyFile: "k"}},
		{name: "password without user", n: NATS{URL: url, Password: "p"},
			want: []string{"a nats password needs --nats-user"}},
		{name: "user without password", n: NATS{URL: url, User: "u"},
			want: []string{"--nats-user needs --nats-password or --nats-password-file"}},
		{name: "password twice", n: NATS{URL: url, User: "u", Password: "p", PasswordFile: "f"},
			want: []string{"--nats-password and --nats-password-file: set one, not both"}},
		{name: "token twice", n: NATS{URL: url, Token: "t", TokenFile: "f"},
			want: []string{"--nats-token and --nats-token-file: set one, not both"}},
		{name: "cert without key", n: NATS{URL: url, CertFile: "c"},
			want: []string{"--nats-tls-cert needs --nats-tls-key"}},
		{name: "key without cert", n: NATS{URL: url, KeyFile: "k"},
			want: []string{"--nats-tls-key needs --nats-tls-cert"}},
		{name: "two ways to authenticate", n: NATS{URL: url, Token: "t", NKeyFile: "n"},
			want: []string{"set one way to authenticate to nats, not 2: --nats-token, --nats-nkey"}},
		{name: "credentials for the embedded server", n: NATS{CredsFile: "c"},
			want: []string{"need --nats-url"}},
		{name: "every problem at once", n: NATS{Password: "p", CertFile: "c", Token: "t"},
			want: []string{"needs --nats-user", "needs --nats-tls-key", "not 2", "need --nats-url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.n.Validate()
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestConnectRejectsBadSettings(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	empty := writeFile(t, t.TempDir(), "empty", "\n  \n")
	tests := []struct {
		name string
		n    NATS
		want string
	}{
		{"invalid combination", NATS{URL: "nats://x", Password: "p"}, "needs --nats-user"},
		{"missing password file", NATS{URL: "nats://x", User: "u", PasswordFile: missing},
			"--nats-password-file: open " + missing},
		{"empty token file", NATS{URL: "nats://x", TokenFile: empty},
			"--nats-token-file: " + empty + " is empty"},
		{"missing nkey seed", NATS{URL: "nats://x", NKeyFile: missing}, "--nats-nkey " + missing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.n.Connect(slog.New(slog.DiscardHandler))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestRedactURLs(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no credentials", "nats://a:4222", "nats://a:4222"},
		{"user and password", "nats://u:p@a:4222", "nats://redacted@a:4222"},
		{"token", "nats://tok@a:4222", "nats://redacted@a:4222"},
		{"list", "nats://a:4222,tls://u:p@b:4222", "nats://a:4222,tls://redacted@b:4222"},
		{"no scheme", "u:p@a:4222", "nats://redacted@a:4222"},
		{"unparsable with credentials", "nats://u:p@a:x", "<unparsable url>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, redactURLs(tt.in))
		})
	}
}

func TestValidateNamed(t *testing.T) {
	name := func(flag string) string {
		if flag == "--nats-token" {
			return "$NATS_TOKEN"
		}
		return flag
	}
	n := NATS{URL: "nats://x", Token: "t", TokenFile: "f", NKeyFile: "seed.nk"}

	err := n.ValidateNamed(name)

	require.ErrorContains(t, err, "$NATS_TOKEN and --nats-token-file: set one, not both")
	require.ErrorContains(t, err, "not 2: $NATS_TOKEN, --nats-nkey")
	require.ErrorContains(t, n.Validate(), "--nats-token and --nats-token-file")
}

// TestValidateNamedNeedsURL checks that the settings only a server at
// --nats-url can use are each named where they came from when it is empty.
func TestValidateNamedNeedsURL(t *testing.T) {
	name := func(flag string) string {
		if flag == "--nats-password" {
			return "$NATS_PASSWORD"
		}
		return flag
	}
	n := NATS{User: "u", Password: "p", CAFile: "ca.pem"}

	err := n.ValidateNamed(name)

	require.EqualError(t, err, "--nats-user, $NATS_PASSWORD, --nats-ca: nats credentials "+
		"and TLS settings need --nats-url (the embedded server takes neither)")
}
