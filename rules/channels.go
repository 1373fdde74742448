package rules

import (
	"net/mail"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Email TLS modes.
const (
	TLSMandatory     = "mandatory"
	TLSOpportunistic = "opportunistic"
	TLSNone          = "none"
)

// DefaultSMTPPort is the submission port, used when an email channel sets
// no port.
const DefaultSMTPPort = 587

// slack decodes one Slack destination: webhook_url, or token with channel.
func (d *decoder) slack(n *yaml.Node, path string) SlackConfig {
	var c SlackConfig
	has := map[string]bool{}
	d.fields(n, path, &slackSection, map[string]handler{
		"api_url": func(v *yaml.Node, p string) {
			c.APIURL = d.plainURL(v, p)
			if c.APIURL != "" && !strings.HasSuffix(c.APIURL, "/") {
				c.APIURL += "/"
			}
		},
		"webhook_url": func(v *yaml.Node, p string) {
			has["webhook_url"] = true
			c.WebhookURL = d.secretURL(v, p)
		},
		"token": func(v *yaml.Node, p string) {
			has["token"] = true
			c.Token = d.requiredSecret(v, p)
		},
		"channel": func(v *yaml.Node, p string) {
			has["channel"] = true
			c.Channel = d.requiredStr(v, p)
		},
	})
	if n.Kind != yaml.MappingNode && !isNull(n) {
		return c
	}

	switch {
	case has["webhook_url"] && has["token"]:
		d.at(n, path, "set either webhook_url, or token with channel, not both")
	case has["webhook_url"]:
	case !has["token"] && !has["channel"]:
		d.at(n, path, "needs webhook_url, or token with channel")
	case !has["token"]:
		d.at(n, join(path, "token"), "required with channel")
	case !has["channel"]:
		d.at(n, join(path, "channel"), "required with token")
	}
	return c
}

// pagerDuty decodes one PagerDuty Events API v2 integration.
func (d *decoder) pagerDuty(n *yaml.Node, path string) PagerDutyConfig {
	var c PagerDutyConfig
	hasKey := false
	d.fields(n, path, &pagerDutySection, map[string]handler{
		"routing_key": func(v *yaml.Node, p string) {
			hasKey = true
			c.RoutingKey = d.requiredSecret(v, p)
		},
		"events_url": func(v *yaml.Node, p string) { c.EventsURL = d.plainURL(v, p) },
	})

	if !hasKey && (n.Kind == yaml.MappingNode || isNull(n)) {
		d.at(n, join(path, "routing_key"), "required")
	}
	return c
}

// email decodes one SMTP destination.
func (d *decoder) email(n *yaml.Node, path string) EmailConfig {
	c := EmailConfig{Port: DefaultSMTPPort, TLS: TLSMandatory}
	has := map[string]bool{}
	set := func(key string, fn handler) handler {
		return func(v *yaml.Node, p string) {
			has[key] = true
			fn(v, p)
		}
	}

	d.fields(n, path, &emailSection, map[string]handler{
		"host": set("host", func(v *yaml.Node, p string) { c.Host = d.requiredStr(v, p) }),
		"port": set("port", func(v *yaml.Node, p string) { c.Port = d.port(v, p) }),
		"from": set("from", func(v *yaml.Node, p string) { c.From = d.address(v, p) }),
		"to":   set("to", func(v *yaml.Node, p string) { c.To = d.addresses(v, p) }),
		"username": set("username", func(v *yaml.Node, p string) {
			c.Username = d.requiredStr(v, p)
		}),
		"password": set("password", func(v *yaml.Node, p string) {
			c.Password = d.requiredSecret(v, p)
		}),
		"tls": set("tls", func(v *yaml.Node, p string) { c.TLS = d.tlsMode(v, p) }),
	})
	if n.Kind != yaml.MappingNode && !isNull(n) {
		return c
	}

	for _, key := range emailSection.required {
		if !has[key] {
			d.at(n, join(path, key), "required")
		}
	}
	if has["username"] != has["password"] {
		d.at(n, path, "username and password go together: set both or neither")
	}
	return c
}

// port reads a TCP port number.
func (d *decoder) port(n *yaml.Node, path string) int {
	v, ok := d.integer(n, path)
	if ok && (v < 1 || v > 65535) {
		d.at(n, path, "port %d out of range 1-65535", v)
	}
	return v
}

// address reads one e-mail address.
func (d *decoder) address(n *yaml.Node, path string) string {
	s, ok := d.str(n, path)
	if !ok {
		return ""
	}
	if _, err := mail.ParseAddress(s); err != nil {
		d.at(n, path, "invalid e-mail address %q: %v", s, err)
	}
	return s
}

// addresses reads a non-empty list of e-mail addresses (or just one).
func (d *decoder) addresses(n *yaml.Node, path string) []string {
	items, ok := d.list(n, path, true)
	if ok && len(items) == 0 {
		d.at(n, path, "must list at least one address")
	}

	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, d.address(it.node, it.path))
	}
	return out
}

// tlsMode reads mandatory, opportunistic or none.
func (d *decoder) tlsMode(n *yaml.Node, path string) string {
	s, ok := d.str(n, path)
	if !ok {
		return TLSMandatory
	}
	switch mode := strings.ToLower(s); mode {
	case TLSMandatory, TLSOpportunistic, TLSNone:
		return mode
	}
	d.at(n, path, "unknown tls mode %q (want mandatory, opportunistic or none)", s)
	return TLSMandatory
}

// webhook decodes one generic JSON POST destination.
func (d *decoder) webhook(n *yaml.Node, path string) WebhookConfig {
	var c WebhookConfig
	hasURL := false
	d.fields(n, path, &webhookSection, map[string]handler{
		"url": func(v *yaml.Node, p string) {
			hasURL = true
			c.URL = d.secretURL(v, p)
		},
		"headers": func(v *yaml.Node, p string) { c.Headers = d.headers(v, p) },
	})

	if !hasURL && (n.Kind == yaml.MappingNode || isNull(n)) {
		d.at(n, join(path, "url"), "required")
	}
	return c
}

// headers reads HTTP header names and (secret) values.
func (d *decoder) headers(n *yaml.Node, path string) map[string]Secret {
	h := map[string]Secret{}
	d.pairs(n, path, func(name string, k, v *yaml.Node) {
		p := join(path, name)
		if !validHeaderName(name) {
			d.at(k, p, "invalid HTTP header name")
		}

		val, ok := d.secret(v, p)
		if ok && strings.ContainsAny(val.Value(), "\r\n") {
			d.at(v, p, "header value must not contain line breaks")
		}
		h[name] = val
	})
	return h
}

// plainURL reads an http(s) URL that is not a secret.
func (d *decoder) plainURL(n *yaml.Node, path string) string {
	s, ok := d.str(n, path)
	if ok && !isHTTPURL(s) {
		d.at(n, path, "invalid URL %q (want http:// or https://)", s)
	}
	return s
}

// secretURL reads a required http(s) URL that may hold a credential, so
// the message never quotes it.
func (d *decoder) secretURL(n *yaml.Node, path string) Secret {
	s := d.requiredSecret(n, path)
	// A masked value (from check --print) reads back when secrets are skipped.
	masked := d.opts.SkipSecrets && s.Value() == Masked
	if s != "" && !masked && !isHTTPURL(s.Value()) {
		d.at(n, path, "not an http:// or https:// URL")
	}
	return s
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		isAlnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !isAlnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}
