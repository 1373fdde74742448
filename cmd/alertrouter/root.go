package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alertrouter/alertrouter/config"
)

// app is what every subcommand shares: the standard streams and the
// global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	logFormat      string
	logLevel       string
	configFile     string
	// sources says where each flag the command line left unset got its
	// value; every check of a setting names it through sources.
	sources sources
}

// errRulesRequired is returned by commands that need a rules file.
var errRulesRequired = errors.New("--rules is required (or set $" + envPrefix + "RULES)")

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, sources: sources{}}
	root := &cobra.Command{
		Use:   "alertrouter",
		Short: "Route alert events from NATS to Slack, email, PagerDuty and more",
		Long: "alertrouter consumes alert events from a NATS JetStream stream, matches each\n" +
			"against the routes of a YAML rules file, suppresses duplicates, and delivers\n" +
			"notifications to Slack, email, PagerDuty, webhooks and the console.\n\n" +
			"Every setting can also be set by a variable named after it (--nats-url is\n" +
			"$ALERTROUTER_NATS_URL) or by a key of the --config file (nats-url: ...); a flag\n" +
			"beats a variable, which beats the file. One environment and one file serve\n" +
			"every command: a flag name means the same kind of value in each, and a file\n" +
			"key that is another command's setting is ignored by the commands without it.\n" +
			"Flags about one command line only (an event's fields, the filters of audit,\n" +
			"the dead letters to replay) are read from the command line alone; --help\n" +
			"shows them without a variable.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkRenamed(cmd); err != nil {
				return err
			}
			if err := applySettings(cmd, &a.configFile, a.sources); err != nil {
				return err
			}
			_, err := a.logger()
			return err
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "text",
		"log format: text or json")
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "info",
		"log level: debug, info, warn or error")
	root.PersistentFlags().StringVar(&a.configFile, "config", "", "YAML file of settings "+
		"(flag name: value), shared by every command: a key that is another command's "+
		"setting is ignored; one that is no command's flag, or a flag given on the command "+
		"line only (those without a variable in --help), is an error; flags and "+
		"environment win")

	root.AddCommand(a.runCmd(), a.checkCmd(), a.routeCmd(), a.publishCmd(), a.demoCmd(),
		a.deadletterCmd(), a.testCmd(), a.notifyCmd(), a.benchCmd(),
		a.auditCmd())
	documentEnv(root)
	checkCommandLine(root)
	// A command that groups others runs only to say it needs one: its
	// usage shows "alertrouter deadletter [command]" and no line of its own.
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(), "{{if .Runnable}}",
		"{{if and .Runnable (not .HasAvailableSubCommands)}}", 1))
	return root
}

// checkCommandLine makes every command that only groups others (the root,
// deadletter) fail without one, showing the usage on standard error, as
// an unknown command fails; and makes every error about arguments or
// flags name its command and usage.
func checkCommandLine(cmd *cobra.Command) {
	if cmd.HasSubCommands() && cmd.Run == nil && cmd.RunE == nil {
		cmd.RunE = needCommand
	}
	if !cmd.HasParent() {
		cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
			return fmt.Errorf("%s%w (usage: %s)", commandName(c), err, c.UseLine())
		})
	}
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if err := check(c, args); err != nil {
				return fmt.Errorf("%s%v (usage: %s)", commandName(c), err, c.UseLine())
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		checkCommandLine(sub)
	}
}

// needCommand runs when a command that groups others is given none, or
// (below the root, where cobra does not check) an unknown one.
func needCommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	fmt.Fprint(cmd.ErrOrStderr(), cmd.UsageString())
	return fmt.Errorf("%sa command is required (see the list above)", commandName(cmd))
}

// commandName is "deadletter list: " for a message about that command,
// and "" for the root, whose name every message already starts with.
func commandName(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return ""
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ") + ": "
}

// logger builds the process logger from the global flags; logs go to
// standard error so that standard output stays for results.
func (a *app) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return nil, a.sources.bad("--log-level", strconv.Quote(a.logLevel),
			"want debug, info, warn or error")
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(a.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(a.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(a.stderr, opts)), nil
	}
	return nil, a.sources.bad("--log-format", strconv.Quote(a.logFormat), "want text or json")
}

// settingName names a setting (--nats-token) for a message: by its flag
// when the command line gave it or nothing did, else by where its value
// came from ($ALERTROUTER_NATS_TOKEN, or a key of the config file).
func (a *app) settingName(flag string) string {
	return a.sources.name(flag)
}

// connect validates the NATS settings, naming each by where it came
// from, and connects.
func (a *app) connect(cfg config.NATS, log *slog.Logger) (*config.Conn, error) {
	if err := cfg.ValidateNamed(a.settingName); err != nil {
		return nil, err
	}
	return cfg.Connect(log)
}

// natsFlags are the connection flags of every command that talks to NATS.
type natsFlags struct {
	cfg      config.NATS
	timeout  time.Duration
	replicas int
}

func (f *natsFlags) register(cmd *cobra.Command, defaultURL string) {
	fl := cmd.Flags()
	fl.StringVar(&f.cfg.URL, "nats-url", defaultURL,
		"NATS server URL(s), comma-separated")
	fl.StringVar(&f.cfg.CredsFile, "nats-creds", "", "NATS credentials file (JWT and NKey seed)")
	fl.StringVar(&f.cfg.NKeyFile, "nats-nkey", "", "NATS NKey seed file (SU...)")
	fl.StringVar(&f.cfg.User, "nats-user", "", "NATS user name")
	fl.StringVar(&f.cfg.Password, "nats-password", "",
		"NATS password; prefer the environment variable or --nats-password-file")
	fl.StringVar(&f.cfg.PasswordFile, "nats-password-file", "",
		"file holding the NATS password")
	fl.StringVar(&f.cfg.Token, "nats-token", "",
		"NATS authentication token; prefer the environment variable or --nats-token-file")
	fl.StringVar(&f.cfg.TokenFile, "nats-token-file", "", "file holding the NATS token")
	fl.StringVar(&f.cfg.CAFile, "nats-ca", "", "CA certificate file for NATS over TLS")
	fl.StringVar(&f.cfg.CertFile, "nats-tls-cert", "",
		"client certificate file for NATS over TLS; needs --nats-tls-key")
	fl.StringVar(&f.cfg.KeyFile, "nats-tls-key", "",
		"private key file of --nats-tls-cert")
}
