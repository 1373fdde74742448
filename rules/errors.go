package rules

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a rules file, located by line, column and the
// key path of the offending value, such as routes[1].match.severity.
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

// Errors is every problem found in a rules file, in file order.
type Errors []*Error

// Error lists all the problems, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sortErrors orders problems by position so that the list reads like the
// file, whatever order the checks ran in.
func sortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Col < es[j].Col
	})
}

// problems collects errors while a rules file is decoded.
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
	p.add(line, col, path, fmt.Sprintf(format, args...))
}

// add records a problem at an explicit position.
func (p *problems) add(line, col int, path, msg string) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Col: col, Path: path, Msg: msg})
}
