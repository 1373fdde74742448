package redact

import (
	"testing"
	"unicode/utf8"
)

// FuzzString checks that String never panics, keeps valid UTF-8 valid,
// and leaves no CPF or card number that a second look would find: what
// survives the first pass must not be one.
func FuzzString(f *testing.F) {
	for _, seed := range []string{
		"", "CPF 529.982.247-25", "52998224725", "11.222.333/0001-81",
		"4111 1111 1111 1111", "3782 822463 10005", "+55 11 91234-5678",
		"(11) 91234-5678", "maria@example.com", "12345678909@example.com",
		"a.b@c.de52998224725", "+551178021411753", "41939954648028",
		"1.52998224725", "order 12 4111 1111 1111 1111 2024", "12.ABC.345/01DE-35",
	} {
		f.Add(seed)
	}

	r := New(nil, nil)
	f.Fuzz(func(t *testing.T, in string) {
		out := r.String(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q: not valid UTF-8", in, out)
		}

		for _, sp := range r.find(out) {
			if sp.kind == KindCPF || sp.kind == KindCard {
				t.Fatalf("String(%q) = %q still holds a %s: %q", in, out, sp.kind,
					out[sp.start:sp.end])
			}
		}
	})
}
