package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/rulestest"
)

func (a *app) testCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test FILE...",
		Short: "Run routing test cases against the rules file they name",
		Long: "Run the cases of each test file against the rules file it names, without\n" +
			"sending anything: each event must reach exactly the receivers listed, in\n" +
			"delivery order, and a sequence of events goes through the real dedup logic\n" +
			"on a fake clock. Prints PASS or FAIL per case, with a diff on failure, and\n" +
			"exits 1 if any case fails or any file is invalid. Secrets are not expanded.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			var passed, failed, invalid int
			for _, path := range args {
				s, err := rulestest.Load(path)
				if err != nil {
					fmt.Fprintf(a.stderr, "%s: invalid test file:\n%v\n", path, err)
					invalid++
					continue
				}
				if len(args) > 1 {
					fmt.Fprintf(a.stdout, "=== %s\n", path)
				}
				p, f := printSuite(a.stdout, s, s.Run())
				passed, failed = passed+p, failed+f
			}

			fmt.Fprintf(a.stdout, "%d passed, %d failed", passed, failed)
			if invalid > 0 {
				fmt.Fprintf(a.stdout, ", %d invalid file(s)", invalid)
			}
			fmt.Fprintln(a.stdout)
			if failed > 0 || invalid > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
}

// printSuite prints one PASS or FAIL line per case, each failure's diff
// below its FAIL line, and returns the counts.
func printSuite(w io.Writer, s *rulestest.Suite, fails []rulestest.Failure) (int, int) {
	byCase := map[string][]rulestest.Failure{}
	for _, f := range fails {
		byCase[f.Case] = append(byCase[f.Case], f)
	}

	var passed, failed int
	for _, c := range s.Cases {
		fs := byCase[c.Name]
		if len(fs) == 0 {
			fmt.Fprintf(w, "PASS %s\n", c.Name)
			passed++
			continue
		}

		fmt.Fprintf(w, "FAIL %s\n", c.Name)
		for _, f := range fs {
			fmt.Fprintf(w, "    %s:%d: %s\n", s.File, f.Line, f.Where())
			fmt.Fprint(w, indentLines(f.Diff, "      "))
		}
		failed++
	}
	return passed, failed
}

// indentLines puts prefix before every line of text.
func indentLines(text, prefix string) string {
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}
