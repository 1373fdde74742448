package redact

import (
	"regexp"
	"strings"
)

// CPF: 123.456.789-09, 12345678909, or the same with some of the
// punctuation left out. CNPJ: 12.345.678/0001-95 or 14 digits; the
// alphanumeric CNPJ (letters in the first twelve places, from 2026) is
// recognised only fully punctuated, since twelve bare letters and digits
// are too common in identifiers.
var (
	cpfRe       = regexp.MustCompile(`\d{3}\.?\d{3}\.?\d{3}-?\d{2}`)
	cnpjRe      = regexp.MustCompile(`\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}`)
	cnpjAlnumRe = regexp.MustCompile(`[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}/[0-9A-Z]{4}-\d{2}`)
)

// findCPF masks CPF numbers whose check digits are right.
func findCPF(s string, t *taken) {
	scan(cpfRe, s, numberStart(s), func(a, b int) bool {
		return rightEdge(s, b) && validCPF(s[a:b]) &&
			t.add(span{a, b, KindCPF})
	})
}

// findCNPJ masks CNPJ numbers whose check digits are right; the
// all-digit form only when numeric is set.
func findCNPJ(s string, t *taken, numeric bool) {
	accept := func(a, b int) bool {
		return rightEdge(s, b) && validCNPJ(s[a:b]) && t.add(span{a, b, KindCNPJ})
	}
	if numeric {
		scan(cnpjRe, s, numberStart(s), accept)
	}

	if strings.IndexByte(s, '/') >= 0 {
		alnumStart := func(i int) bool {
			c := s[i]
			return (isDigit(c) || c >= 'A' && c <= 'Z') && leftEdge(s, i)
		}
		scan(cnpjAlnumRe, s, alnumStart, accept)
	}
}

// validCPF reports whether s, a CPF with or without punctuation, has 11
// digits that are not all the same and the right two check digits.
func validCPF(s string) bool {
	d := digitsOf(s)
	if len(d) != 11 || allSame(d) {
		return false
	}
	return cpfDigit(d[:9]) == d[9] && cpfDigit(d[:10]) == d[10]
}

// cpfDigit is the check digit that follows d: the weights run from
// len(d)+1 down to 2.
func cpfDigit(d []byte) byte {
	sum := 0
	for i, v := range d {
		sum += int(v) * (len(d) + 1 - i)
	}
	r := sum * 10 % 11
	if r == 10 {
		r = 0
	}
	return byte(r)
}

// validCNPJ reports whether s, a CNPJ with or without punctuation, has
// the right two check digits. Letters count as their code minus '0', as
// the alphanumeric CNPJ defines; a CNPJ of one repeated digit is refused.
func validCNPJ(s string) bool {
	v := make([]byte, 0, 14)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) || c >= 'A' && c <= 'Z' {
			v = append(v, c-'0')
		}
	}
	if len(v) != 14 || allSame(v) || v[12] > 9 || v[13] > 9 {
		return false
	}
	return cnpjDigit(v[:12]) == v[12] && cnpjDigit(v[:13]) == v[13]
}

// cnpjDigit is the check digit that follows v: weights 2 to 9 from the
// right, repeating.
func cnpjDigit(v []byte) byte {
	sum := 0
	for i := range v {
		w := (len(v)-1-i)%8 + 2
		sum += int(v[i]) * w
	}
	r := sum % 11
	if r < 2 {
		return 0
	}
	return byte(11 - r)
}

func allSame(d []byte) bool {
	for _, v := range d[1:] {
		if v != d[0] {
			return false
		}
	}
	return true
}
