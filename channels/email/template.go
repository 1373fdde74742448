package email

import (
	htmltemplate "html/template"
	texttemplate "text/template"
)

// The body templates are parsed once and never changed; html/template
// escapes every value taken from the alert, and drops unsafe URLs.
var (
	textTmpl = texttemplate.Must(texttemplate.New("text").Parse(textBody))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(htmlBody))
)

const textBody = `{{.Headline}}
{{if .Description}}
{{.Description}}
{{end}}
Source:      {{.Source}}
Alert:       {{.Name}}
Severity:    {{.Severity}}
Status:      {{.Status}}
{{- if .OccurredAt}}
Occurred at: {{.OccurredAt}}{{end}}
{{- if .Compliance}}
Compliance:  {{.Compliance}}{{end}}
{{- if .Labels}}

Labels:
{{- range .Labels}}
  {{.Name}} = {{.Value}}{{end}}{{end}}
{{- if .Annotations}}

Annotations:
{{- range .Annotations}}
  {{.Name}} = {{.Value}}{{end}}{{end}}

Route:       {{.Route}}
Receiver:    {{.Receiver}}
Reason:      {{.Reason}}
Suppressed:  {{.Suppressed}} duplicate(s) since the last notification
Key:         {{.Key}}
Event id:    {{.EventID}}

-- 
Sent by alertrouter.
`

const htmlBody = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Headline}}</title></head>
<body style="font-family: sans-serif">
<h2>{{.Headline}}</h2>
{{if .Description}}<p style="white-space: pre-wrap">{{.Description}}</p>{{end}}
<table cellpadding="4">
<tr><th align="left">Source</th><td>{{.Source}}</td></tr>
<tr><th align="left">Alert</th><td>{{.Name}}</td></tr>
<tr><th align="left">Severity</th><td>{{.Severity}}</td></tr>
<tr><th align="left">Status</th><td>{{.Status}}</td></tr>
{{- if .OccurredAt}}
<tr><th align="left">Occurred at</th><td>{{.OccurredAt}}</td></tr>{{end}}
{{- if .Compliance}}
<tr><th align="left">Compliance</th><td>{{.Compliance}}</td></tr>{{end}}
</table>
{{- if .Labels}}
<h3>Labels</h3>
<table cellpadding="4">
{{- range .Labels}}
<tr><th align="left">{{.Name}}</th><td>{{.Value}}</td></tr>{{end}}
</table>{{end}}
{{- if .Annotations}}
<h3>Annotations</h3>
<table cellpadding="4">
{{- range .Annotations}}
<tr><th align="left">{{.Name}}</th><td>
{{- if .URL}}<a href="{{.Value}}">{{.Value}}</a>{{else}}{{.Value}}{{end}}</td></tr>{{end}}
</table>{{end}}
<h3>Delivery</h3>
<table cellpadding="4">
<tr><th align="left">Route</th><td>{{.Route}}</td></tr>
<tr><th align="left">Receiver</th><td>{{.Receiver}}</td></tr>
<tr><th align="left">Reason</th><td>{{.Reason}}</td></tr>
<tr><th align="left">Suppressed</th><td>{{.Suppressed}}</td></tr>
<tr><th align="left">Key</th><td><code>{{.Key}}</code></td></tr>
<tr><th align="left">Event id</th><td><code>{{.EventID}}</code></td></tr>
</table>
<p style="color: #888">Sent by alertrouter.</p>
</body></html>
`
