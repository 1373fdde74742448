package alert

import (
	"testing"
)

// benchEvent is a realistic event of about 1 KB: every field given, a
// handful of labels and annotations, an extra field.
const benchEvent = `{
  "id": "3f1c9a7e-2b4d-4c8e-9f0a-1b2c3d4e5f60",
  "source": "monitor/db",
  "name": "database_down",
  "severity": "critical",
  "status": "firing",
  "compliance": ["LGPD", "HIPAA"],
  "title": "records-db primary is not accepting connections",
  "description": "Health check failed 5 times in a row on records-db-0 (sa-east-1a). ` +
	`Replica lag was 12s before the failure; the pooler reports 0 healthy backends ` +
	`and clients are retrying. Check the primary's disk and the last failover log.",
  "labels": {"service": "records-db", "env": "prod", "team": "platform",
    "region": "sa-east-1", "zone": "sa-east-1a", "instance": "records-db-0",
    "cluster": "records", "tier": "data"},
  "annotations": {"runbook_url": "https://runbooks.example.org/db/primary-down",
    "dashboard": "https://grafana.example.org/d/records-db?var-instance=records-db-0",
    "summary": "primary down for 5 checks", "owner": "platform-oncall"},
  "dedup_key": "records-db/primary-down",
  "occurred_at": "2026-05-06T07:08:09.123456789Z",
  "ticket": {"system": "jira", "key": "OPS-4242"}
}`

func BenchmarkDecode(b *testing.B) {
	d := testDecoder()
	data := []byte(benchEvent)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()

	for b.Loop() {
		if _, err := d.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeEscaped decodes an event whose text is mostly escapes and
// non-ASCII, the slow path of string decoding.
func BenchmarkDecodeEscaped(b *testing.B) {
	d := testDecoder()
	data := []byte(`{"source":"monitor\/db","name":"db_down","severity":"high",` +
		`"title":"\u00c9chec de connexion \u2014 r\u00e9plica \ud83d\udd25",` +
		`"description":"Linha 1\nLinha 2\tcom \"aspas\" e \\barra\\ – já em UTF-8: ação",` +
		`"labels":{"regi\u00e3o":"s\u00e3o-paulo","env":"prod"},"x":"\u0041\u0042"}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()

	for b.Loop() {
		if _, err := d.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeInvalid decodes an event with several problems, the path
// of an event that is dead-lettered.
func BenchmarkDecodeInvalid(b *testing.B) {
	d := testDecoder()
	data := []byte(`{"source":"s","source":"t","severity":"urgent","compliance":["a",1],` +
		`"labels":{"env":"prod","env":"dev"},"occurred_at":"yesterday","ticket":{"id":1}}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()

	for b.Loop() {
		if _, err := d.Decode(data); err == nil {
			b.Fatal("decoded an invalid event")
		}
	}
}
