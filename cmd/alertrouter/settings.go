package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sources says where each flag that the command line left unset got its
// value, by flag name (see applySettings). A flag it does not hold was
// given on the command line or kept its default. The nil sources name
// every setting by its flag.
type sources map[string]source

// source is where one flag's value came from.
type source struct {
	// name is $ALERTROUTER_WORKERS, or workers in config file c.yaml.
	name string
	// file is set for a key of the config file, which a colon parts from
	// the value in a message.
	file bool
}

// name names the setting of flag (--workers) for a message: by the flag
// when the command line gave it or nothing did, else by where its value
// came from.
func (s sources) name(flag string) string {
	if src, ok := s[strings.TrimPrefix(flag, "--")]; ok {
		return src.name
	}
	return flag
}

// bad is the error of a setting whose value cannot work. It names the
// setting where the user set it, then the value, then what is wanted:
//
//	--workers 0: want at least 1
//	$ALERTROUTER_WORKERS 0: want at least 1
//	workers in config file c.yaml: 0: want at least 1
//
// value is written with %v, so a string is quoted first. Every check of
// a setting's range or choices reports through bad.
func (s sources) bad(flag string, value any, want string, args ...any) error {
	sep := " "
	if s[strings.TrimPrefix(flag, "--")].file {
		sep = ": "
	}
	return fmt.Errorf("%s%s%v: %s", s.name(flag), sep, value, fmt.Sprintf(want, args...))
}

// atLeast refuses a count below lowest.
func (s sources) atLeast(flag string, n, lowest int) error {
	if n < lowest {
		return s.bad(flag, n, "want at least %d", lowest)
	}
	return nil
}

// positive refuses a duration of zero or less.
func (s sources) positive(flag string, d time.Duration) error {
	return s.longEnough(flag, d, 1)
}

// longEnough refuses a duration shorter than shortest.
func (s sources) longEnough(flag string, d, shortest time.Duration) error {
	switch {
	case d >= shortest:
		return nil
	case shortest <= 1:
		return s.bad(flag, d, "want a positive duration")
	}
	return s.bad(flag, d, "want at least %s", shortest)
}

// maxReplicas is the largest replication factor JetStream takes.
const maxReplicas = 5

// replicas refuses a --replicas that JetStream cannot have.
func (s sources) replicas(n int) error {
	if n < 1 || n > maxReplicas {
		return s.bad("--replicas", n, "want 1 to %d (1 on a single server, 3 on a cluster)",
			maxReplicas)
	}
	return nil
}

// oneOf refuses a value of flag that is not empty and not in known.
func (s sources) oneOf(flag, v string, known []string) error {
	if v == "" || slices.Contains(known, v) {
		return nil
	}
	return s.bad(flag, strconv.Quote(v), "want one of %s", strings.Join(known, ", "))
}

// output refuses an --output other than text or json, the formats of
// every command that has one.
func (s sources) output(v string) error {
	if v != "text" && v != "json" {
		return s.bad("--output", strconv.Quote(v), "want text or json")
	}
	return nil
}
