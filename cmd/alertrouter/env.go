package main

import (
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

// documentEnv appends each flag's environment variable to its help text,
// on cmd and every command below it.
func documentEnv(cmd *cobra.Command) {
	mark := func(f *pflag.Flag) {
		if f.Name == "help" || strings.Contains(f.Usage, envPrefix) {
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

// applySettings fills the flags the command line left unset, first from
// the environment, then from the --config file: a flag beats a variable,
// which beats the file, which beats the default.
//
// configFile points at the --config flag's value, which the environment
// may set too, so it is read only after the environment is applied.
func applySettings(cmd *cobra.Command, configFile *string) error {
	fl := cmd.Flags()
	var errs []string
	fl.VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "help" {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := fl.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Sprintf("$%s: %v", envName(f.Name), err))
			}
		}
	})
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	if *configFile == "" {
		return nil
	}
	return applyConfigFile(fl, *configFile)
}

// applyConfigFile reads a YAML map of flag names to values. Lists are
// joined with commas; maps (such as limit) become key=value pairs.
func applyConfigFile(fl *pflag.FlagSet, path string) error {
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
		f := fl.Lookup(name)
		if f == nil || name == "config" {
			return fmt.Errorf("config file %s: %q is not a flag of this command", path, name)
		}
		if f.Changed {
			continue
		}
		if err := fl.Set(name, configValue(values[name])); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, name, err)
		}
	}
	return nil
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
