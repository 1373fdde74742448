package rulestest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a test file, located by line, column and the key
// path of the offending value, such as cases[2].sequence[1].at.
type Error struct {
	File string
	Line int
	Col  int
	Path string
	Msg  string
}

// Error formats the problem as file:line:col: path: msg.
func (e *Error) Error() string {
	pos := fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	if e.Path == "" {
		return pos + ": " + e.Msg
	}
	return pos + ": " + e.Path + ": " + e.Msg
}

// Errors is every problem found in a test file, in the order found.
type Errors []*Error

// Error lists all the problems, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders problems by position, so that the list reads like the
// file whatever order the checks ran in.
func (es Errors) sorted() Errors {
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
