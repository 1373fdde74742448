// Package rulestest runs routing test cases against a rules file, so that
// operators can check in CI that an edit to the rules still sends each
// alert where it should, before the rules reach production.
//
// A test file is YAML. It names the rules file under test (relative to
// the test file) and lists cases; each case is one event with the
// receivers it must reach, or a short sequence of events, each at an
// offset on a fake clock, with the receivers reached and the routes that
// suppressed it:
//
//	rules: healthcare.yaml
//	cases:
//	  - name: critical database outage pages on-call
//	    event: { source: monitor/db, name: database_down, severity: critical }
//	    receivers: [oncall]
//	  - name: a duplicate within the window is suppressed
//	    sequence:
//	      - { at: 0s, event: {...}, receivers: [oncall] }
//	      - { at: 2m, event: {...}, receivers: [], suppressed: [critical-page] }
//
// Events are schema v1 events written in YAML; every value is taken as a
// string, since the schema has no other scalar type. Receivers are
// compared as an exact list in delivery order; suppressed routes, when
// given, as an exact list in route order, and none are expected when the
// key is absent.
//
// Run follows the router's rule: the routes an event matches are asked,
// in file order, whether to notify (dedup per route and key, with the
// route's window and repeat interval, and the rules' defaults under the
// route name "(unrouted)" for an unrouted event); each receiver gets one
// notification, on behalf of the first route that notified it. Dedup is
// the real in-memory store (dedup.Memory) on a fake clock, fresh for each
// case. Nothing is sent and secrets are not expanded: the package is pure.
package rulestest
