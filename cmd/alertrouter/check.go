package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/rules"
)

func (a *app) checkCmd() *cobra.Command {
	var skipSecrets, printRules bool
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a rules file and list every error with file:line:col",
		Long: "Validate a rules file without starting anything. Every problem is listed\n" +
			"with its file, line and column; the exit status is 1 if there is any.\n" +
			"Secrets (${ENV} and file:) are expanded unless --skip-secrets is given,\n" +
			"which lets CI check a file without production credentials.\n" +
			"With --print, the effective rules (defaults applied, every secret\n" +
			"written as <secret>) go to standard output as YAML.",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			rs, err := rules.Load(args[0], rules.Options{SkipSecrets: skipSecrets})
			var list rules.Errors
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Fprintln(a.stderr, e)
				}
				fmt.Fprintf(a.stderr, "%s: %d error(s)\n", args[0], len(list))
				return exitError{code: 1}
			}
			if err != nil {
				return err
			}

			status := a.stdout
			if printRules {
				if err := printEffective(a.stdout, rs); err != nil {
					return err
				}
				status = a.stderr
			}
			fmt.Fprintf(status, "%s: OK (%d receivers, %d routes)\n",
				args[0], len(rs.Receivers), len(rs.Routes))
			return nil
		},
	}
	cmd.Flags().BoolVar(&skipSecrets, "skip-secrets", false,
		"do not expand ${ENV} and file: secrets")
	cmd.Flags().BoolVar(&printRules, "print", false,
		"print the effective rules as YAML, secrets masked; the status line goes to stderr")
	return cmd
}

// printEffective writes the effective rules to w. They are encoded first
// and written in one go, so that a closed standard output (| head -1)
// fails with the write's own error, which run knows, rather than the YAML
// encoder's text of it.
func printEffective(w io.Writer, rs *rules.Rules) error {
	var buf bytes.Buffer
	if err := rs.Print(&buf); err != nil {
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("print rules: %w", err)
	}
	return nil
}
