package redact

import "regexp"

// Phone numbers take four shapes. A bare run of digits is never taken
// for a phone number, since order numbers, ids and timestamps look the
// same; a phone number must carry a +, parentheses or separators:
//
//   - international E.164: + then 9 to 15 digits in all, which may be
//     split by single spaces, dots or dashes and have one part in
//     parentheses: +55 11 91234-5678, +1 (415) 555-2671, +442079460958;
//   - Brazilian with the area code (DDD) in parentheses: (11) 91234-5678,
//     (011) 3456-7890, (11) 9 1234 5678;
//   - Brazilian with the DDD set off by a space, dot or dash, when the
//     DDD exists and the number is a mobile (9 then eight digits) or a
//     landline (eight digits starting 2 to 5): 11 91234-5678, 21-3456-7890;
//   - a Brazilian mobile without DDD, with its dash: 91234-5678.
var (
	phoneIntlRe   = regexp.MustCompile(`\+[1-9](?:[ .-]?(?:\d|\(\d{1,4}\))){7,20}`)
	phoneParensRe = regexp.MustCompile(`\(0?\d{2}\) ?(?:9[ .]?)?\d{4}[ .-]?\d{4}`)
	phoneDDDRe    = regexp.MustCompile(`\d{2}[ .-](?:9[ .]?)?\d{4}[ .-]?\d{4}`)
	phoneLocalRe  = regexp.MustCompile(`9\d{4}-\d{4}`)
)

// findPhones masks phone numbers, international shape first.
func findPhones(s string, t *taken) {
	plus := func(i int) bool { return s[i] == '+' && leftEdge(s, i) }
	scan(phoneIntlRe, s, plus, func(a, b int) bool {
		end := intlEnd(s, a, b)
		return end > 0 && t.add(span{a, end, KindPhone})
	})

	paren := func(i int) bool { return s[i] == '(' && (i == 0 || !isWord(s[i-1])) }
	scan(phoneParensRe, s, paren, func(a, b int) bool {
		d := digitsOf(s[a:b])
		if s[a+4] == ')' { // (0DD): drop the trunk prefix
			d = d[1:]
		}
		ok := rightEdge(s, b) && validDDD(d[0], d[1]) && (len(d) == 10 || d[2] == 9)
		return ok && t.add(span{a, b, KindPhone})
	})

	number := numberStart(s)
	scan(phoneDDDRe, s, number, func(a, b int) bool {
		d := digitsOf(s[a:b])
		ok := rightEdge(s, b) && validDDD(d[0], d[1]) &&
			(len(d) == 11 && d[2] == 9 || len(d) == 10 && d[2] >= 2 && d[2] <= 5)
		return ok && t.add(span{a, b, KindPhone})
	})

	scan(phoneLocalRe, s, number, func(a, b int) bool {
		return rightEdge(s, b) && t.add(span{a, b, KindPhone})
	})
}

// intlEnd returns where the international number that the match
// s[a:b] starts really ends: the end of the longest run of its digit
// groups that holds 9 to 15 digits and is followed by an edge, or 0 when
// none is. So "+55 11 91234-5678 2024" stops before 2024.
func intlEnd(s string, a, b int) int {
	best, digits := 0, 0
	for i := a + 1; i < b; i++ {
		if !isDigit(s[i]) {
			continue
		}
		digits++

		groupEnd := i+1 == b || !isDigit(s[i+1])
		end := i + 1
		if end < b && s[end] == ')' {
			end++
		}
		if groupEnd && digits >= 9 && digits <= 15 && rightEdge(s, end) {
			best = end
		}
	}
	return best
}

// validDDD reports whether the two digits are a Brazilian area code in
// use (Anatel's plan: 11-19, 21, 22, 24, 27, 28, 31-38 but 36, 41-49, 51,
// 53-55, 61-69, 71, 73-75, 77, 79, 81-89, 91-99).
func validDDD(a, b byte) bool {
	if b == 0 {
		return false
	}
	switch a {
	case 1, 4, 6, 8, 9:
		return true
	case 2:
		return b == 1 || b == 2 || b == 4 || b == 7 || b == 8
	case 3:
		return b != 6 && b != 9
	case 5:
		return b == 1 || b == 3 || b == 4 || b == 5
	case 7:
		return b == 1 || b == 3 || b == 4 || b == 5 || b == 7 || b == 9
	}
	return false
}
