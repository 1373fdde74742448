package bench

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/rules"
)

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name    string
		in      Config
		want    Config
		wantErr []string
	}{
		{name: "zero value", in: Config{},
			want: Config{Events: DefaultEvents, Keys: DefaultEvents, Routes: DefaultRoutes,
				State: "memory", Workers: DefaultWorkers, Publishers: DefaultPublishers}},
		{name: "keys kept", in: Config{Events: 10, Keys: 3, State: "kv", Workers: 2},
			want: Config{Events: 10, Keys: 3, Routes: DefaultRoutes, State: "kv", Workers: 2,
				Publishers: DefaultPublishers}},
		{name: "every problem listed",
			in:      Config{Events: -1, Keys: -2, Routes: -1, Rate: -5, State: "disk"},
			wantErr: []string{"events -1", "keys -2", "routes -1", "rate -5", `state "disk"`}},
		{name: "more keys than events", in: Config{Events: 10, Keys: 11},
			wantErr: []string{"keys 11: more than the 10 events"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.withDefaults()

			if tt.wantErr != nil {
				require.Error(t, err)
				for _, s := range tt.wantErr {
					require.Contains(t, err.Error(), s)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestEventsDecode(t *testing.T) {
	sent := time.Unix(1_700_000_000, 123)
	for _, i := range []int{0, 1, 14, 15, 99, 12345} {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			var d alert.Decoder
			ev, err := d.Decode(appendEvent(nil, "p-", i, 100, sent))

			require.NoError(t, err)
			require.Equal(t, "p-"+strconv.Itoa(i), ev.ID)
			require.Equal(t, "bench-key-"+strconv.Itoa(i%100), ev.Key())
			require.Equal(t, strconv.FormatInt(sent.UnixNano(), 10),
				ev.Annotations[SentAnnotation])
			require.Equal(t, "alerts."+alert.SubjectToken(ev.Source)+"."+ev.Severity.String(),
				subject("alerts.", i, 100))
		})
	}
}

// TestRulesRouteEveryKeyToTheSink checks what the report's expected
// notifications rest on: every event reaches the sink, and all events of
// one key take the same routes.
func TestRulesRouteEveryKeyToTheSink(t *testing.T) {
	for _, n := range []int{1, 7, 50, 1000} {
		t.Run(strconv.Itoa(n)+" routes", func(t *testing.T) {
			rs, err := buildRules(n)
			require.NoError(t, err)
			require.Len(t, rs.Routes, n)

			const keys = 60
			matchedEarly := false
			for i := range keys {
				first := routeNames(t, rs, i, keys)
				require.Equal(t, first, routeNames(t, rs, i+keys, keys))
				matchedEarly = matchedEarly || first[0] != "all"
			}
			require.Equal(t, n > 6, matchedEarly, "generated routes should match some keys")
		})
	}
}

func routeNames(t *testing.T, rs *rules.Rules, i, keys int) []string {
	t.Helper()
	var d alert.Decoder
	ev, err := d.Decode(appendEvent(nil, "p-", i, keys, time.Now()))
	require.NoError(t, err)

	res := rs.Route(ev)
	require.False(t, res.Unrouted)
	require.Equal(t, []string{sinkReceiver}, res.Receivers)
	names := make([]string, len(res.Routes))
	for j, r := range res.Routes {
		names[j] = r.Name
	}
	return names
}
