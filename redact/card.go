package redact

// Card numbers are found without a regular expression. The text is cut
// into runs of digit groups joined by single spaces or dashes, and a card
// is a stretch of a run with 13 to 19 digits, written the ways cards are:
//
//   - one group of 13 to 19 digits;
//   - groups of four, the last of one to four (4-4-4-4, 4-4-4-4-3);
//   - 4-6-5 (American Express) or 4-6-4 (Diners Club).
//
// Its first digit must be 2 to 6, the issuers in use (so that 13-digit
// millisecond timestamps, which start with 1, are left alone), and it
// must pass the Luhn check. A stretch is tried at each group of a run,
// longest shape first, so the work per group is bounded.

// group is one run of digits: s[start:end].
type group struct{ start, end int }

func (g group) len() int { return g.end - g.start }

// findCards masks card numbers.
func findCards(s string, t *taken) {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		groups := digitRun(s, i)
		cardsInRun(s, groups, t)
		i = groups[len(groups)-1].end
	}
}

// digitRun returns the groups of the run that starts at s[i], a digit
// that starts a group.
func digitRun(s string, i int) []group {
	var groups []group
	for {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		groups = append(groups, group{i, j})

		if j+1 >= len(s) || s[j] != ' ' && s[j] != '-' || !isDigit(s[j+1]) {
			return groups
		}
		i = j + 1
	}
}

// cardsInRun masks each card found in one run of groups.
func cardsInRun(s string, groups []group, t *taken) {
	for k := 0; k < len(groups); {
		n := cardAt(s, groups[k:])
		if n > 0 {
			sp := span{groups[k].start, groups[k+n-1].end, KindCard}
			if t.add(sp) {
				k += n
				continue
			}
		}
		k++
	}
}

// cardAt returns how many of the groups, from the first, make a card, or
// 0 when none do.
func cardAt(s string, groups []group) int {
	first := groups[0]
	if c := s[first.start]; c < '2' || c > '6' || !leftEdge(s, first.start) {
		return 0
	}

	for _, n := range cardShapes(groups) {
		end := groups[n-1].end
		if rightEdge(s, end) && luhn(s[first.start:end]) {
			return n
		}
	}
	return 0
}

// cardShapes lists the numbers of leading groups that have a card's
// shape, longest first.
func cardShapes(groups []group) []int {
	if l := groups[0].len(); l >= 13 && l <= 19 {
		return []int{1}
	}
	if len(groups) >= 3 && groups[0].len() == 4 && groups[1].len() == 6 {
		if l := groups[2].len(); l == 4 || l == 5 {
			return []int{3}
		}
		return nil
	}

	var out []int
	digits := 0
	for n := 1; n <= len(groups) && n <= 5; n++ {
		l := groups[n-1].len()
		digits += l
		if l > 4 || digits > 19 {
			break
		}
		if n >= 4 && digits >= 13 {
			out = append([]int{n}, out...)
		}
		if l < 4 {
			break
		}
	}
	return out
}

// luhn reports whether the digits of s pass the Luhn check.
func luhn(s string) bool {
	d := digitsOf(s)
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i])
		if (len(d)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}
