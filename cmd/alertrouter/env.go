package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// envPrefix starts the environment variable of every flag:
// --nats-url is ALERTROUTER_NATS_URL.
const envPrefix = "ALERTROUTER_"

// envName is the environment variable that sets a flag.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// perInvocation is the annotation of a flag that says what one command
// line is about (an event's fields, a filter, the dead letters to replay)
// rather than how alertrouter is set up. Such a flag is read from the
// command line only, never from the environment or the config file, so
// that a value meant for one command cannot reach every later one: an
// $ALERTROUTER_EVENT_ID would make every publish reuse one event id.
const perInvocation = "alertrouter_per_invocation"

// commandLineOnly marks flags of cmd as per invocation.
func commandLineOnly(cmd *cobra.Command, names ...string) {
	for _, name := range names {
		if err := cmd.Flags().SetAnnotation(name, perInvocation, []string{"true"}); err != nil {
			panic(err) // a flag name misspelt here
		}
	}
}

// isPerInvocation reports whether f is read from the command line only.
func isPerInvocation(f *pflag.Flag) bool {
	_, ok := f.Annotations[perInvocation]
	return ok
}

// documentEnv appends each setting's environment variable to its help
// text, on cmd and every command below it.
func documentEnv(cmd *cobra.Command) {
	mark := func(f *pflag.Flag) {
		if f.Name == "help" || isPerInvocation(f) || strings.Contains(f.Usage, envPrefix) {
			return
		}
		f.Usage += " [$" + envName(f.Name) + "]"
	}
	cmd.LocalFlags().VisitAll(mark)
	cmd.PersistentFlags().VisitAll(mark)
	for _, c := range cmd.Commands() {
		documentEnv(c)
	}
}

// applySettings fills the settings the command line left unset, first
// from the environment, then from the --config file: a flag beats a
// variable, which beats the file, which beats the default. Per-invocation
// flags are left alone.
//
// configFile points at the --config flag's value, which the environment
// may set too, so it is read only after the environment is applied.
// src learns, for each flag set here, where its value came from:
// $ALERTROUTER_NATS_TOKEN, or nats-token in config file FILE.
func applySettings(cmd *cobra.Command, configFile *string, src sources) error {
	fl := cmd.Flags()
	var errs []string
	fl.VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "help" || isPerInvocation(f) {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := fl.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Sprintf("$%s: %v", envName(f.Name), err))
			}
			src[f.Name] = source{name: "$" + envName(f.Name)}
		}
	})
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	if *configFile == "" {
		return nil
	}
	return applyConfigFile(fl, *configFile, flagNames(cmd.Root()), src)
}

// applyConfigFile reads a YAML map of flag names to values. Lists are
// joined with commas; maps (such as limit) become key=value pairs.
//
// One file serves every command, as one environment does: a key that is
// a setting of another command but not of this one is skipped. A key that
// is no command's flag is an error, and so is a per-invocation flag, which
// the file cannot set for any command: known maps every flag name to
// whether it is a setting.
func applyConfigFile(fl *pflag.FlagSet, path string, known map[string]bool,
	src sources) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(data, &values); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}

	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "config" {
			return fmt.Errorf("config file %s: config: a config file cannot name another", path)
		}
		setting, ok := known[name]
		if !ok {
			return fmt.Errorf("config file %s: %q is not a flag of any alertrouter command",
				path, name)
		}
		if !setting {
			return fmt.Errorf("config file %s: %s: give --%s on the command line; it "+
				"belongs to one command line, so the file cannot set it", path, name, name)
		}
		// An old name that the command still takes on its command line
		// (see renamed) is another command's setting here.
		f := fl.Lookup(name)
		if f == nil || isOldName(f) || f.Changed {
			continue
		}
		if err := fl.Set(name, configValue(values[name])); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, name, err)
		}
		src[name] = source{name: name + " in config file " + path, file: true}
	}
	return nil
}

// flagNames maps the name of every flag of every command under root to
// whether it is a setting, which a --config file may hold, rather than a
// per-invocation flag. The file cannot name another config file, and help
// is not a flag it knows.
func flagNames(root *cobra.Command) map[string]bool {
	names := map[string]bool{}
	add := func(f *pflag.Flag) {
		if !isOldName(f) {
			names[f.Name] = !isPerInvocation(f)
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	delete(names, "config")
	delete(names, "help")
	return names
}

// oldNameOf is the annotation of a hidden flag that is the old name of
// another; its value is the new name (see renamed).
const oldNameOf = "alertrouter_old_name_of"

// renamed lets the command line still use a flag's old name, as a hidden
// flag that sets the same value. The old name is not read from the
// environment or a --config file: there it is the name of another
// command's flag, of another kind (as --limit is run's rate limits), which
// is why the flag was renamed. checkRenamed refuses both names at once.
func renamed(cmd *cobra.Command, old, now string) {
	fl := cmd.Flags()
	f := fl.Lookup(now)
	alias := fl.VarPF(f.Value, old, "", "old name of --"+now)
	alias.Hidden = true
	alias.NoOptDefVal = f.NoOptDefVal
	alias.Annotations = map[string][]string{perInvocation: {"true"}, oldNameOf: {now}}
}

// isOldName reports whether f is the old name of another flag.
func isOldName(f *pflag.Flag) bool {
	_, ok := f.Annotations[oldNameOf]
	return ok
}

// checkRenamed refuses a command line that gives a flag by its old and
// its new name, of which the last would silently win. A flag given by its
// old name counts as given, so that no variable or config key replaces it.
func checkRenamed(cmd *cobra.Command) error {
	fl := cmd.Flags()
	var errs []error
	fl.VisitAll(func(old *pflag.Flag) {
		if !isOldName(old) || !old.Changed {
			return
		}
		now := fl.Lookup(old.Annotations[oldNameOf][0])
		if now.Changed {
			errs = append(errs, fmt.Errorf("%sgive --%s or its old name --%s, not both",
				commandName(cmd), now.Name, old.Name))
		}
		now.Changed = true
	})
	return errors.Join(errs...)
}

func configValue(v any) string {
	switch v := v.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + fmt.Sprint(v[k])
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}
