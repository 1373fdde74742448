package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/alertrouter/alertrouter/alert"
)

//go:generate go test -run TestSchemaFileUpToDate -update

// SchemaDraft is the JSON Schema dialect Schema writes.
const SchemaDraft = "https://json-schema.org/draft/2020-12/schema"

// Patterns of the schema, kept in step with the decoder by tests.
const (
	// durationPattern is what parseDuration takes: "0", or an optional
	// whole number of days followed by Go duration units.
	durationPattern = `^\s*(0|[0-9]+d(` + durationUnit + `)*|(` + durationUnit + `)+)\s*$`
	durationUnit    = `([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)`
	// namePattern is what validName takes, for receivers and routes.
	namePattern = `^[A-Za-z0-9._-]+$`
	// matcherPattern checks the start of an Alertmanager matcher: a label
	// name and an operator; the decoder checks the value.
	matcherPattern = `^\s*[A-Za-z_][A-Za-z0-9_]*\s*(=~|!~|!=|=)`
	// urlPattern is the start of an http(s) URL.
	urlPattern = `^https?://[^/?#\s]`
	// headerPattern is an HTTP header name (an RFC 9110 token).
	headerPattern = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"
	// redactNamePattern is what a redact_patterns name may be.
	redactNamePattern = `^[a-z0-9_-]+$`
	// labelNamePattern is a Prometheus label name.
	labelNamePattern = `^[A-Za-z_][A-Za-z0-9_]*$`
)

// Schema returns the JSON Schema (draft 2020-12) of the rules file, built
// from the same key tables the decoder uses, so that it lists exactly the
// keys the decoder accepts. Editors use it to complete and check rules
// files as they are typed. It is a little stricter than the decoder in
// one way: it wants the canonical spelling (lower-case levels, text in
// text fields), where the decoder also takes other cases and numbers
// written as text. What it cannot express (receivers that must exist,
// unique route names, unreachable routes, secrets that must resolve) is
// left to `alertrouter check`.
func Schema() ([]byte, error) {
	defs := map[string]any{}
	for name, def := range scalarDefs() {
		defs[name] = def
	}
	for _, sec := range []*section{&receiverSection, &slackSection, &pagerDutySection,
		&emailSection, &webhookSection, &consoleSection, &routeSection, &matchSection,
		&defaultsSection} {
		defs[sec.name] = sectionSchema(sec)
	}

	root := sectionSchema(&topSection)
	root["$schema"] = SchemaDraft
	root["title"] = "alertrouter rules file"
	root["$defs"] = defs

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encode rules schema: %w", err)
	}
	return buf.Bytes(), nil
}

// sectionSchema describes one mapping: its keys, and which are needed.
func sectionSchema(sec *section) map[string]any {
	props := map[string]any{}
	for _, f := range sec.fields {
		p := fieldSchema(f)
		p["description"] = f.desc
		props[f.name] = p
	}

	s := map[string]any{
		"type":                 "object",
		"description":          sec.desc,
		"properties":           props,
		"additionalProperties": false,
	}
	if sec == &consoleSection {
		// console: with nothing after it reads as an empty mapping.
		s["type"] = []string{"object", "null"}
	}
	if len(sec.required) > 0 {
		s["required"] = sec.required
	}
	if len(sec.oneOf) > 0 {
		s["oneOf"] = requiredSets(sec.oneOf)
	}
	if len(sec.anyOf) > 0 {
		s["anyOf"] = requiredSets(sec.anyOf)
	}
	return s
}

func requiredSets(sets [][]string) []any {
	out := make([]any, len(sets))
	for i, keys := range sets {
		out[i] = map[string]any{"required": keys}
	}
	return out
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/$defs/" + name}
}

// oneOrList takes one value of item, or a non-empty list of them.
func oneOrList(item map[string]any) map[string]any {
	return map[string]any{"oneOf": []any{
		item,
		map[string]any{"type": "array", "minItems": 1, "items": item},
	}}
}

// fieldSchema is the schema of one key's value, by its kind.
func fieldSchema(f field) map[string]any {
	switch f.kind {
	case kindString:
		return map[string]any{"type": "string"}
	case kindBool:
		return map[string]any{"type": "boolean"}
	case kindPort:
		return map[string]any{"type": "integer", "minimum": 1, "maximum": 65535}
	case kindSection:
		return ref(f.sub.name)
	case kindChannel:
		return oneOrList(ref(f.sub.name))
	case kindReceiverMap:
		return map[string]any{
			"type":                 "object",
			"propertyNames":        map[string]any{"pattern": namePattern},
			"additionalProperties": ref(f.sub.name),
		}
	case kindRouteList:
		return map[string]any{"type": "array", "items": ref(f.sub.name)}
	}
	return ref(scalarDefName[f.kind])
}

// scalarDefName names the shared definition of each scalar kind.
var scalarDefName = map[kind]string{
	kindDuration:     "duration",
	kindPositive:     "positiveDuration",
	kindText:         "text",
	kindSecret:       "secret",
	kindCredential:   "credential",
	kindURL:          "url",
	kindSecretURL:    "secretURL",
	kindAddress:      "address",
	kindAddresses:    "addresses",
	kindReceiverRefs: "receiverRefs",
	kindSeverities:   "severities",
	kindStatuses:     "statuses",
	kindPattern:      "pattern",
	kindRegimes:      "regimes",
	kindMatchers:     "matchers",
	kindTLS:          "tls",
	kindHeaders:      "headers",

	kindRedactPatterns: "redactPatterns",
	kindLabelNames:     "labelNames",
}

// scalarDefs are the shared definitions of the scalar kinds.
func scalarDefs() map[string]any {
	levels := make([]string, len(alert.Severities))
	for i, s := range alert.Severities {
		levels[i] = s.String()
	}
	level := `(` + strings.Join(levels, "|") + `)`
	severity := map[string]any{"anyOf": []any{
		map[string]any{"enum": levels},
		map[string]any{"type": "string", "pattern": `^\s*(>=|<=|!=|>|<|=)\s*` + level + `\s*$`},
	}}
	duration := func(desc string) map[string]any {
		return map[string]any{"description": desc, "anyOf": []any{
			map[string]any{"type": "string", "pattern": durationPattern},
			map[string]any{"const": 0},
		}}
	}
	address := map[string]any{"type": "string", "pattern": "@"}
	name := map[string]any{"type": "string", "pattern": namePattern}

	return map[string]any{
		"duration":         duration("A duration: 30s, 10m, 4h, 7d or 1d12h; 0 for none."),
		"positiveDuration": duration("A duration above zero: 30s, 10m, 4h, 7d or 1d12h."),
		"secret": map[string]any{"type": "string", "description": "A credential: " +
			"${VAR} (environment), file:/path (file content), or literal text."},
		"text": map[string]any{"type": "string", "pattern": `\S`,
			"description": "Text that is not empty or blank."},
		"credential": map[string]any{"type": "string", "pattern": `\S`,
			"description": "A credential that is not empty or blank: ${VAR} " +
				"(environment), file:/path (file content), or literal text."},
		"url": map[string]any{"type": "string", "pattern": urlPattern},
		"secretURL": map[string]any{"type": "string", "anyOf": []any{
			map[string]any{"pattern": urlPattern},
			map[string]any{"pattern": `\$\{[A-Za-z_][A-Za-z0-9_]*\}`},
			map[string]any{"pattern": `^file:.`},
		}},
		"address":   address,
		"addresses": oneOrList(address),
		"receiverRefs": map[string]any{"oneOf": []any{name, map[string]any{
			"type": "array", "minItems": 1, "uniqueItems": true, "items": name,
		}}},
		"severities": oneOrList(severity),
		"statuses": oneOrList(map[string]any{
			"enum": []string{string(alert.StatusFiring), string(alert.StatusResolved)},
		}),
		"pattern":  map[string]any{"type": "string", "minLength": 1},
		"regimes":  oneOrList(map[string]any{"type": "string", "pattern": `\S`}),
		"matchers": oneOrList(map[string]any{"type": "string", "pattern": matcherPattern}),
		"tls":      map[string]any{"enum": []string{TLSMandatory, TLSOpportunistic, TLSNone}},
		"headers": map[string]any{
			"type":                 "object",
			"propertyNames":        map[string]any{"pattern": headerPattern},
			"additionalProperties": ref("secret"),
		},
		"redactPatterns": map[string]any{
			"type":                 "object",
			"propertyNames":        map[string]any{"pattern": redactNamePattern},
			"additionalProperties": map[string]any{"type": "string", "minLength": 1},
		},
		"labelNames": oneOrList(map[string]any{"type": "string", "pattern": labelNamePattern}),
	}
}
