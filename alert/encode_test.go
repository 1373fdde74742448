package alert

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEncodeKeepsTextAndSize(t *testing.T) {
	d := testDecoder()
	in := `{"source":"s","name":"n","severity":"info","description":"` +
		strings.Repeat("<&>", 1000) + `","x":"<b>"}`
	ev, err := d.Decode([]byte(in))
	require.NoError(t, err)

	data, err := d.Encoded(ev)
	require.NoError(t, err)
	require.Contains(t, string(data), strings.Repeat("<&>", 1000), "no \\u003c escapes")
	require.Less(t, len(data), len(in)+200)

	again, err := d.Decode(data)
	require.NoError(t, err)
	require.Equal(t, ev.Description, again.Description)
	require.JSONEq(t, `"<b>"`, string(again.Extra["x"]))
}

func TestEncodedRefusesWhatWouldNotBeRoutable(t *testing.T) {
	d := testDecoder()
	d.MaxSize = 200
	ev, err := d.Decode([]byte(`{"source":"s","name":"n","severity":"info","description":"` +
		strings.Repeat("x", 120) + `"}`))
	require.NoError(t, err, "the input fits")

	_, err = d.Encoded(ev)
	require.Error(t, err, "but not once the id and occurred_at are added")
	require.Equal(t, ReasonTooLarge, RejectReason(err))
}
