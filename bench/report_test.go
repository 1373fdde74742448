package bench

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/alert"
	"github.com/alertrouter/alertrouter/channels"
	"github.com/alertrouter/alertrouter/rules"
)

func TestSummarise(t *testing.T) {
	hundred := make([]int64, 100)
	for i := range hundred {
		hundred[len(hundred)-1-i] = int64(i+1) * int64(time.Millisecond)
	}
	tests := []struct {
		name string
		in   []int64
		want Latency
	}{
		{name: "none", in: nil, want: Latency{}},
		{name: "one", in: []int64{int64(2 * time.Millisecond)},
			want: Latency{Samples: 1, P50: 2, P95: 2, P99: 2, Max: 2}},
		{name: "1 to 100 ms, unsorted", in: hundred,
			want: Latency{Samples: 100, P50: 50, P95: 95, P99: 99, Max: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, summarise(tt.in))
		})
	}
}

func TestWriteTable(t *testing.T) {
	r := &Report{Date: "2026-01-02T03:04:05Z", Events: 1000, Keys: 10, Routes: 5,
		Workers: 8, State: "kv", NATS: "embedded", CPUs: 2, Seconds: 2,
		EventsPerSecond: 500, Notifications: 10, ExpectedNotifications: 10,
		Latency:      Latency{Samples: 10, P50: 1.5, P95: 2, P99: 3.25, Max: 4},
		PeakRSSBytes: 50e6, Baseline: Baseline{EventsPerSecond: 1000}, Ratio: 0.5}
	var out bytes.Buffer

	require.NoError(t, r.WriteTable(&out))

	for _, want := range []string{"1000 events, 10 keys, 5 routes, as fast as possible",
		"state kv", "500 (2.00s)", "ratio                    0.50",
		"10 (expected 10)", "1.50 / 2.00 / 3.25 / 4.00 ms", "50.0 MB"} {
		require.Contains(t, out.String(), want)
	}
}

func TestParseHWM(t *testing.T) {
	tests := []struct {
		name, in string
		want     uint64
	}{
		{name: "present", in: "Name:\tx\nVmPeak:\t 9 kB\nVmHWM:\t  2048 kB\nVmRSS: 1 kB\n",
			want: 2 << 20},
		{name: "absent", in: "Name:\tx\n", want: 0},
		{name: "garbled", in: "VmHWM:\tlots\n", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, parseHWM(strings.NewReader(tt.in)))
		})
	}
}

func TestSink(t *testing.T) {
	at := time.Unix(100, 0)
	s := newSink(2, func() time.Time { return at })
	chs, err := s.factory()(&rules.Receiver{Name: "any"})
	require.NoError(t, err)
	require.Equal(t, []channels.Channel{s}, chs)

	for _, sent := range []time.Duration{3 * time.Millisecond, time.Millisecond, 0} {
		ev := &alert.Event{Annotations: map[string]string{
			SentAnnotation: strconv.FormatInt(at.Add(-sent).UnixNano(), 10)}}
		require.NoError(t, s.Send(context.Background(), channels.Notification{Event: ev}))
	}

	require.Equal(t, int64(3), s.count.Load())
	require.Equal(t, []int64{int64(3 * time.Millisecond), int64(time.Millisecond)}, s.samples())
}

func TestFinishedKeepsTheLatest(t *testing.T) {
	times := []int64{5, 9, 7}
	i := 0
	f := &finished{now: func() time.Time { i++; return time.Unix(0, times[i-1]) }}

	for range times {
		f.add()
	}

	require.Equal(t, int64(3), f.n.Load())
	require.Equal(t, int64(9), f.last.Load())
}

// Each phase reports its own peak: resetting the mark forgets the memory
// an earlier phase held and let go of.
func TestResetPeakRSS(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("the kernel does not let the mark be reset here: %v", err)
	}
	const size = 96 << 20
	held := make([]byte, size)
	for i := 0; i < len(held); i += 4096 {
		held[i] = 1
	}
	before := peakRSS()
	runtime.KeepAlive(held)
	held = nil

	resetPeakRSS()
	require.Less(t, peakRSS(), before-size/2,
		"the peak still counts the %d MB let go of", size>>20)
}
