package rulestest

import (
	"cmp"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/alertrouter/alertrouter/rules"
)

// Error is one problem in a test file, located like a rules file problem:
// file:line:col and the key path of the offending value, such as
// cases[2].sequence[1].at.
type Error = rules.Error

// Errors is every problem found in a test file.
type Errors = rules.Errors

// sorted orders problems by position, so that the list reads like the
// file whatever order the checks ran in.
func sorted(es Errors) Errors {
	slices.SortStableFunc(es, func(a, b *Error) int {
		if a.Line != b.Line {
			return cmp.Compare(a.Line, b.Line)
		}
		return cmp.Compare(a.Col, b.Col)
	})
	return es
}

// problems collects errors while a test file is decoded.
type problems struct {
	file string
	errs Errors
}

// at records a problem at the position of node n.
func (p *problems) at(n *yaml.Node, path, format string, args ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Col: col, Path: path,
		Msg: fmt.Sprintf(format, args...)})
}
