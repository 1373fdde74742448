package redact

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStringMasksBuiltins(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"cpf punctuated", "CPF 529.982.247-25 found", "CPF [REDACTED:cpf] found"},
		{"cpf bare", "cpf=52998224725", "cpf=[REDACTED:cpf]"},
		{"cpf partly punctuated", "doc 123456789-09.", "doc [REDACTED:cpf]."},
		{"cpf at both ends", "111.444.777-35", "[REDACTED:cpf]"},
		{"cpf in quotes", `"12345678909"`, `"[REDACTED:cpf]"`},
		{"cnpj punctuated", "CNPJ 11.222.333/0001-81", "CNPJ [REDACTED:cnpj]"},
		{"cnpj bare", "cnpj: 11222333000181", "cnpj: [REDACTED:cnpj]"},
		{"cnpj alphanumeric", "12.ABC.345/01DE-35", "[REDACTED:cnpj]"},
		{"cnpj with letters only", "empresa AB.CDE.FGH/IJKL-80", "empresa [REDACTED:cnpj]"},
		{"email", "mail maria.silva+alerts@example.com.br now",
			"mail [REDACTED:email] now"},
		{"email unicode local part", "joão.souza@exemplo.com.br", "[REDACTED:email]"},
		{"email in angle brackets", "From: <a_b@x.org>", "From: <[REDACTED:email]>"},
		{"phone +55 spaced", "call +55 11 91234-5678", "call [REDACTED:phone]"},
		{"phone +55 bare", "+5511912345678", "[REDACTED:phone]"},
		{"phone +55 parens", "+55 (11) 91234-5678", "[REDACTED:phone]"},
		{"phone parens mobile", "(11) 91234-5678", "[REDACTED:phone]"},
		{"phone parens landline", "tel (011) 3456-7890.", "tel [REDACTED:phone]."},
		{"phone parens split 9", "(21) 9 8765 4321", "[REDACTED:phone]"},
		{"phone ddd space", "cel 11 91234-5678", "cel [REDACTED:phone]"},
		{"phone ddd dash landline", "21-3456-7890", "[REDACTED:phone]"},
		{"phone mobile without ddd", "ligar 91234-5678", "ligar [REDACTED:phone]"},
		{"phone e164 us", "+1 (415) 555-2671", "[REDACTED:phone]"},
		{"phone e164 uk", "+44 20 7946 0958", "[REDACTED:phone]"},
		{"phone stops before a trailing number", "+55 11 91234-5678 2024",
			"[REDACTED:phone] 2024"},
		{"card spaced", "card 4111 1111 1111 1111 used", "card [REDACTED:card] used"},
		{"card dashed", "4111-1111-1111-1111", "[REDACTED:card]"},
		{"card bare", "5555555555554444", "[REDACTED:card]"},
		{"card amex", "3782 822463 10005", "[REDACTED:card]"},
		{"card after other numbers", "order 12 4111 1111 1111 1111",
			"order 12 [REDACTED:card]"},
		{"several kinds", "a@b.com, 529.982.247-25, (11) 91234-5678",
			"[REDACTED:email], [REDACTED:cpf], [REDACTED:phone]"},
	}
	r := New(nil, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, r.String(tt.in))
		})
	}
}

func TestStringLeavesOtherNumbers(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"11 digits failing cpf check", "ids 87886501365 21870321604 23980415036 76355058851"},
		{"cpf with a wrong check digit", "529.982.247-26"},
		{"cpf of one repeated digit", "111.111.111-11 00000000000"},
		{"cnpj with a wrong check digit", "11.222.333/0001-82"},
		{"cnpj of one repeated digit", "00000000000000"},
		{"bare alphanumeric cnpj", "ABCDEFGHIJKL80 12ABC34501DE35"},
		{"cpf inside a token", "order52998224725 52998224725abc"},
		{"cpf after a decimal point", "v1.52998224725"},
		{"bare 11-digit phone", "11912345678"},
		{"order id", "ORD-2024-000123 order #48213907561"},
		{"timestamps", "2024-01-15T10:30:00Z 2024-01-15 10:30:00.123456789 +03:00"},
		{"epoch milliseconds", "at 1700000000000 ms"},
		{"version strings", "2.3.14 v10.22.333 1.2.3-rc.4567"},
		{"ip addresses", "192.168.10.200 10.0.0.1 2001:db8::1"},
		{"uuid", "123e4567-e89b-12d3-a456-426614174000 12345678-1234-1234-1234-123456789012"},
		{"16 digits failing luhn", "4111111111111112 4111 1111 1111 1112"},
		{"card shape starting with 1", "1111 1111 1111 1117"},
		{"hex hash", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
		{"durations and counts", "p99 1234 ms over 5 minutes, 98765 requests, 12.5%"},
		{"port range", "ports 8080-8090"},
		{"not an address", "a@b user@localhost @team"},
		{"unknown ddd", "(10) 3456-7890 20 3456-7890 (23) 91234 5678"},
		{"landline shape not a phone", "11 1234-5678"},
		{"too few digits for e164", "+55 1234"},
		{"no digits", "database unreachable from the API"},
	}
	r := New(nil, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.in, r.String(tt.in))
		})
	}
}

// TestStringOrder checks which kind wins where kinds overlap.
func TestStringOrder(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"email over cpf", "12345678909@example.com", "[REDACTED:email]"},
		{"cnpj over card", "41939954648028", "[REDACTED:cnpj]"},
		{"card over phone", "+551178021411753", "+[REDACTED:card]"},
		{"cpf over phone", "(11) 529.982.247-25", "(11) [REDACTED:cpf]"},
		{"custom over cpf", "patient PAT-52998224725", "patient [REDACTED:patient_id]"},
		{"custom over email", "ticket-77@help.example.org", "[REDACTED:ticket]@help.example.org"},
	}
	r := New([]Pattern{
		{Name: "patient_id", Re: regexp.MustCompile(`PAT-\d+`)},
		{Name: "ticket", Re: regexp.MustCompile(`ticket-\d+`)},
	}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, r.String(tt.in))
		})
	}
}

func TestCustomPatterns(t *testing.T) {
	r := New([]Pattern{
		{Name: "rg", Re: regexp.MustCompile(`\b\d{2}\.\d{3}\.\d{3}-[0-9X]\b`)},
		{Name: "empty", Re: regexp.MustCompile(`x*`)},
		{Name: "nil"},
	}, nil)

	got := r.String("RG 12.345.678-X and 98.765.432-1, xyz")
	require.Equal(t, "RG [REDACTED:rg] and [REDACTED:rg], [REDACTED:empty]yz", got)
}

func TestStringLongInput(t *testing.T) {
	long := strings.Repeat("1234567890 a@b ", 5_000) + "529.982.247-25"
	got := New(nil, nil).String(long)
	require.True(t, strings.HasSuffix(got, " [REDACTED:cpf]"))
	require.Equal(t, len(long)-len("529.982.247-25")+len("[REDACTED:cpf]"), len(got))
}

func TestCheckDigits(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) bool
		in    string
		want  bool
	}{
		{"cpf good", validCPF, "529.982.247-25", true},
		{"cpf second digit wrong", validCPF, "529.982.247-24", false},
		{"cpf first digit wrong", validCPF, "529.982.247-35", false},
		{"cpf short", validCPF, "5299822472", false},
		{"cpf check 10 becomes 0", validCPF, "000.000.001-91", true},
		{"cnpj good", validCNPJ, "11.222.333/0001-81", true},
		{"cnpj wrong", validCNPJ, "11.222.333/0001-18", false},
		{"cnpj letters in check digits", validCNPJ, "12.ABC.345/01DE-3A", false},
		{"luhn good", luhn, "4111 1111 1111 1111", true},
		{"luhn wrong", luhn, "4111 1111 1111 1112", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.check(tt.in))
		})
	}
}

func BenchmarkString(b *testing.B) {
	r := New(nil, nil)
	text := strings.Repeat("db latency 1234 ms on 10.0.0.1 for user a@b.com, ", 100)
	b.ReportAllocs()
	for b.Loop() {
		r.String(text)
	}
}
