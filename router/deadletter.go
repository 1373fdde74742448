package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/alertrouter/alertrouter/alert"
)

// Headers on replayed messages, which the router honours.
const (
	// HeaderReplay carries the dead letter's sequence in its stream.
	HeaderReplay = "Alertrouter-Replay"
	// HeaderReplayReceiver names the one receiver a replayed notification
	// is for; dedup is not asked again.
	HeaderReplayReceiver = "Alertrouter-Replay-Receiver"
	// HeaderReplayRoute names the route the failed notification was for.
	HeaderReplayRoute = "Alertrouter-Replay-Route"
)

// DeadLetterRecord is the body of a delivery dead letter: a notification
// the router gave up on, with why.
type DeadLetterRecord struct {
	Event     *alert.Event `json:"event"`
	Route     string       `json:"route"`
	Receiver  string       `json:"receiver"`
	Channel   string       `json:"channel"`
	Reason    string       `json:"reason"`
	Error     string       `json:"error"`
	Attempts  int          `json:"attempts"`
	FailedAt  time.Time    `json:"failed_at"`
	Fallbacks []string     `json:"fallbacks,omitempty"`
}

// DeadLetter is one message of the dead-letter stream: a rejected event
// (Record nil, Data the raw input) or a failed delivery.
type DeadLetter struct {
	Seq     uint64            `json:"seq"`
	Time    time.Time         `json:"time"`
	Reason  string            `json:"reason"`
	Error   string            `json:"error"`
	Subject string            `json:"subject,omitempty"`
	Record  *DeadLetterRecord `json:"record,omitempty"`
	Data    []byte            `json:"-"`
}

// ListDeadLetters reads the dead-letter stream, oldest first, at most
// limit messages (0: all).
func ListDeadLetters(ctx context.Context, js jetstream.JetStream,
	limit int) ([]DeadLetter, error) {
	stream, err := js.Stream(ctx, StreamDeadLetter)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", StreamDeadLetter, err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", StreamDeadLetter, err)
	}

	var out []DeadLetter
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
		if limit > 0 && len(out) >= limit {
			break
		}
		dl, err := GetDeadLetter(ctx, js, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *dl)
	}
	return out, nil
}

// GetDeadLetter reads one dead letter by its sequence.
func GetDeadLetter(ctx context.Context, js jetstream.JetStream, seq uint64) (*DeadLetter, error) {
	stream, err := js.Stream(ctx, StreamDeadLetter)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", StreamDeadLetter, err)
	}
	msg, err := stream.GetMsg(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("dead letter %d: %w", seq, err)
	}

	dl := &DeadLetter{Seq: seq, Time: msg.Time, Reason: msg.Header.Get(HeaderReason),
		Error: msg.Header.Get(HeaderError), Subject: msg.Header.Get(HeaderSubject),
		Data: msg.Data}
	if msg.Subject == SubjectDeadLetterPrefix+"delivery" {
		var rec DeadLetterRecord
		if err := json.Unmarshal(msg.Data, &rec); err != nil {
			return nil, fmt.Errorf("dead letter %d: decode record: %w", seq, err)
		}
		dl.Record = &rec
		dl.Reason, dl.Error = "delivery", rec.Error
	}
	return dl, nil
}

// ReplayDeadLetter publishes a dead letter back to the alert stream. A
// failed delivery goes again to its receiver only, with the rules in
// force, without asking dedup; a rejected event is published as it came,
// to be decoded afresh (useful once a limit has been raised). Replaying the
// same dead letter twice within the stream's duplicate window stores it
// once.
func ReplayDeadLetter(ctx context.Context, js jetstream.JetStream,
	dl *DeadLetter) (*jetstream.PubAck, error) {
	seq := strconv.FormatUint(dl.Seq, 10)
	var msg *nats.Msg
	if dl.Record != nil && dl.Record.Event != nil {
		data, err := alert.Encode(dl.Record.Event)
		if err != nil {
			return nil, fmt.Errorf("dead letter %d: encode event: %w", dl.Seq, err)
		}
		msg = nats.NewMsg(dl.Record.Event.Subject())
		msg.Data = data
		msg.Header.Set(HeaderReplayReceiver, dl.Record.Receiver)
		msg.Header.Set(HeaderReplayRoute, dl.Record.Route)
	} else {
		subject := dl.Subject
		if subject == "" {
			return nil, fmt.Errorf("dead letter %d: no original subject to replay to", dl.Seq)
		}
		msg = nats.NewMsg(subject)
		msg.Data = dl.Data
	}
	msg.Header.Set(HeaderReplay, seq)
	msg.Header.Set(nats.MsgIdHdr, "replay-"+seq)

	ack, err := js.PublishMsg(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("replay dead letter %d to %s: %w", dl.Seq, msg.Subject, err)
	}
	return ack, nil
}
