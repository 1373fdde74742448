package router

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/alertrouter/alertrouter/dedup"
)

// clusterEvents is how many events the fault tests publish.
const clusterEvents = 300

// natsCluster is three nats-server nodes with JetStream, routed to each
// other on 127.0.0.1, each with its own store.
type natsCluster struct {
	nodes []*server.Server
}

func startCluster(t *testing.T) *natsCluster {
	t.Helper()
	routes := make([]string, 3)
	ports := make([]int, 3)
	for i := range ports {
		ports[i] = freePort(t)
		routes[i] = fmt.Sprintf("nats://127.0.0.1:%d", ports[i])
	}

	c := &natsCluster{}
	for i, port := range ports {
		srv, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i), Host: "127.0.0.1", Port: server.RANDOM_PORT,
			JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
			Cluster: server.ClusterOpts{Name: "alertrouter-test", Host: "127.0.0.1",
				Port: port},
			Routes: server.RoutesFromStr(strings.Join(routes, ",")),
		})
		require.NoError(t, err)
		srv.Start()
		c.nodes = append(c.nodes, srv)
	}
	t.Cleanup(func() {
		for _, srv := range c.nodes {
			srv.Shutdown()
			srv.WaitForShutdown()
		}
	})

	for _, srv := range c.nodes {
		require.True(t, srv.ReadyForConnections(10*time.Second))
	}
	return c
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// connect opens a connection given every node's URL, trying node first
// first, that reconnects to any node for as long as the test runs.
func (c *natsCluster) connect(t *testing.T, first int) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	urls := make([]string, 0, len(c.nodes))
	for i := range c.nodes {
		urls = append(urls, c.nodes[(first+i)%len(c.nodes)].ClientURL())
	}

	nc, err := nats.Connect(strings.Join(urls, ","), nats.DontRandomize(),
		nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	return nc, js
}

// stop shuts down the node named name, as a crashed host would vanish.
func (c *natsCluster) stop(t *testing.T, name string) {
	t.Helper()
	for _, srv := range c.nodes {
		if srv.Name() == name {
			srv.Shutdown()
			srv.WaitForShutdown()
			return
		}
	}
	t.Fatalf("no node named %q", name)
}

// replicated waits for the JetStream meta leader, then creates the streams
// and both buckets with three replicas, and returns options for a router
// that keeps its state in them.
func replicated(t *testing.T, js jetstream.JetStream, replicas int) func(*Options) {
	t.Helper()
	ctx := context.Background()
	require.Eventually(t, func() bool {
		_, err := js.AccountInfo(ctx)
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "no JetStream meta leader")

	var (
		ledger *KVLedger
		store  *dedup.KV
		err    error
	)
	require.Eventually(t, func() bool {
		if err = EnsureStreams(ctx, js, replicas); err != nil {
			return false
		}
		if ledger, err = NewKVLedger(ctx, js, "", replicas, 0); err != nil {
			return false
		}
		store, err = dedup.NewKV(ctx, js, dedup.KVOptions{Replicas: replicas})
		return err == nil
	}, 20*time.Second, 100*time.Millisecond, "streams and buckets: %v", err)

	return func(o *Options) {
		o.Ledger = ledger
		o.Store = store
		o.Replicas = replicas
		o.AckWait = 2 * time.Second
	}
}

// waitPulling waits until n routers have pull requests on the consumer,
// so that none of them starts late and misses its share.
func waitPulling(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		c, err := js.Consumer(context.Background(), StreamAlerts, DefaultConsumer)
		if err != nil {
			return false
		}
		info, err := c.Info(context.Background())
		return err == nil && info.NumWaiting >= n
	}, 10*time.Second, 10*time.Millisecond)
}

// createConsumer creates the routers' consumer as Run would, and waits
// until it has a leader. A router that starts pulling before then gets
// "no responders" and, with the client's default 30s pull expiry, pulls
// again only when heartbeats are missed 30s later.
func createConsumer(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	ctx := context.Background()
	_, err := js.CreateOrUpdateConsumer(ctx, StreamAlerts, jetstream.ConsumerConfig{
		Durable: DefaultConsumer, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 2 * time.Second, FilterSubject: SubjectAlerts, MaxAckPending: 4 * 8})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return leaderOf(js, StreamAlerts, DefaultConsumer) != "" },
		10*time.Second, 10*time.Millisecond)
}

// leaderOf names the node leading a stream, or one of its consumers when
// consumer is set; empty while there is none.
func leaderOf(js jetstream.JetStream, stream, consumer string) string {
	ctx := context.Background()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return ""
	}
	if consumer == "" {
		info, err := s.Info(ctx)
		if err != nil || info.Cluster == nil {
			return ""
		}
		return info.Cluster.Leader
	}

	c, err := s.Consumer(ctx, consumer)
	if err != nil {
		return ""
	}
	info, err := c.Info(ctx)
	if err != nil || info.Cluster == nil {
		return ""
	}
	return info.Cluster.Leader
}

// moveLeader asks the leader of a stream, or of its consumer, to step
// down in favour of node to, until to leads it.
func moveLeader(t *testing.T, nc *nats.Conn, js jetstream.JetStream, stream, consumer,
	to string) {
	t.Helper()
	subject := "$JS.API.STREAM.LEADER.STEPDOWN." + stream
	if consumer != "" {
		subject = "$JS.API.CONSUMER.LEADER.STEPDOWN." + stream + "." + consumer
	}
	req := fmt.Appendf(nil, `{"placement":{"preferred":%q}}`, to)

	require.Eventually(t, func() bool {
		switch leaderOf(js, stream, consumer) {
		case to:
			return true
		case "":
			return false
		}
		_, _ = nc.Request(subject, req, time.Second)
		return false
	}, 20*time.Second, 100*time.Millisecond, "%s %s led by %s", stream, consumer,
		leaderOf(js, stream, consumer))
}

// waitSettled waits until every message was acked, allowing for the
// redeliveries a node loss causes.
func waitSettled(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	require.Eventually(t, func() bool {
		c, err := js.Consumer(context.Background(), StreamAlerts, DefaultConsumer)
		if err != nil {
			return false
		}
		info, err := c.Info(context.Background())
		return err == nil && info.NumAckPending == 0 && info.NumPending == 0 &&
			info.NumRedelivered == 0
	}, 15*time.Second, 20*time.Millisecond)
}

// publisher publishes numbered events with their ids as message ids, each
// retried with the same id until JetStream acks it, so that a publish
// lost with a node is stored once.
type publisher struct {
	js      jetstream.JetStream
	retries atomic.Int64
}

func clusterEvent(i int) (id string, data []byte) {
	id = fmt.Sprintf("c%d", i)
	return id, fmt.Appendf(nil, `{"id":"%s","source":"ci/x","name":"n%d","severity":"info"}`,
		id, i)
}

// publishAll publishes events from to to-1, one per tick of pace.
func (p *publisher) publishAll(ctx context.Context, from, to int, pace <-chan time.Time) error {
	for i := from; i < to; i++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-pace:
		}
		if err := p.publish(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

func (p *publisher) publish(ctx context.Context, i int) error {
	id, data := clusterEvent(i)
	var err error
	for range 50 {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err = p.js.Publish(pctx, "alerts.test.x", data, jetstream.WithMsgID(id))
		cancel()
		if err == nil {
			return nil
		}

		p.retries.Add(1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("publish %s: %w", id, err)
}

// chatCounts counts, per event id, the chat notifications the recorders
// hold together.
func chatCounts(recs ...*recorder) map[string]int {
	counts := make(map[string]int)
	for _, r := range recs {
		for _, n := range r.got("chat") {
			counts[n.Event.ID]++
		}
	}
	return counts
}

// requireEachOnce checks that every published event was notified once.
func requireEachOnce(t *testing.T, counts map[string]int) {
	t.Helper()
	var missing, doubled []string
	for i := range clusterEvents {
		id, _ := clusterEvent(i)
		switch c := counts[id]; {
		case c == 0:
			missing = append(missing, id)
		case c > 1:
			doubled = append(doubled, fmt.Sprintf("%s×%d", id, c))
		}
	}
	require.Empty(t, missing, "events never notified")
	require.Empty(t, doubled, "events notified more than once")
	require.Len(t, counts, clusterEvents, "no notification for an event never published")
}

func TestClusterNodeLossNotifiesEachEventOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster and stops a node")
	}
	began := time.Now()
	c := startCluster(t)
	connA, jsA := c.connect(t, 0)
	_, jsB := c.connect(t, 1)
	connPub, jsPub := c.connect(t, 2)

	// Everything is replicated three times. The alert stream, its consumer
	// and both buckets are led by n0, the node router A is connected to,
	// so that losing it moves every leader the routers use.
	optsA := replicated(t, jsA, 3)
	optsB := replicated(t, jsB, 3)
	createConsumer(t, jsPub)
	const victim = "n0"
	moveLeader(t, connPub, jsPub, StreamAlerts, DefaultConsumer, victim)
	moveLeader(t, connPub, jsPub, StreamAlerts, "", victim)
	moveLeader(t, connPub, jsPub, "KV_"+DefaultLedgerBucket, "", victim)
	moveLeader(t, connPub, jsPub, "KV_"+dedup.DefaultKVBucket, "", victim)
	ready := time.Since(began)

	recA, recB := newRecorder(), newRecorder()
	hA := startOn(t, jsA, recA, optsA)
	hB := startOn(t, jsB, recB, optsB)
	waitPulling(t, jsPub, 2)
	require.Equal(t, victim, connA.ConnectedServerName())

	// Events arrive steadily; the node goes away once about a third of
	// them were notified, and publishing goes on.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pub := &publisher{js: jsPub}
	pace := time.NewTicker(5 * time.Millisecond)
	defer pace.Stop()
	published := make(chan error, 1)
	go func() { published <- pub.publishAll(ctx, 0, clusterEvents, pace.C) }()
	require.Eventually(t, func() bool { return len(chatCounts(recA, recB)) >= 100 },
		10*time.Second, time.Millisecond)
	stoppedAt := len(chatCounts(recA, recB))
	c.stop(t, victim)
	stopped := time.Now()
	require.NoError(t, <-published)

	// Every event is notified, and nothing is left unacked.
	require.Eventually(t, func() bool { return len(chatCounts(recA, recB)) >= clusterEvents },
		25*time.Second, 10*time.Millisecond, "notified %d of %d",
		len(chatCounts(recA, recB)), clusterEvents)
	recovered := time.Since(stopped)
	waitSettled(t, jsPub)
	hA.stop()
	hB.stop()

	// Once each: a delivery record that could not be written while the
	// node was going is retried, not given up on.
	requireEachOnce(t, chatCounts(recA, recB))
	t.Logf("cluster ready in %s; stopped %s after %d notified; all %d notified %s later; "+
		"router A sent %d, B sent %d; finished %d+%d; "+
		"publish retries %d; A reconnected %d times; took %s",
		ready.Round(time.Millisecond), victim, stoppedAt, clusterEvents,
		recovered.Round(time.Millisecond), len(recA.got("chat")), len(recB.got("chat")),
		hA.obs.n(), hB.obs.n(), pub.retries.Load(),
		connA.Reconnects, time.Since(began).Round(time.Millisecond))
	require.NotEqual(t, victim, connA.ConnectedServerName(), "router A moved to a live node")
	require.NotEmpty(t, recB.got("chat"), "router B kept working")
}

func TestTwoRoutersShareLoadOnOneServer(t *testing.T) {
	ns := newRestartable(t)
	c := &natsCluster{nodes: []*server.Server{ns.srv}}
	_, jsA := c.connect(t, 0)
	_, jsB := c.connect(t, 0)

	recA, recB := newRecorder(), newRecorder()
	hA := startOn(t, jsA, recA, replicated(t, jsA, 1))
	hB := startOn(t, jsB, recB, replicated(t, jsB, 1))
	waitPulling(t, jsA, 2)

	pub := &publisher{js: jsA}
	always := make(chan time.Time)
	close(always)
	require.NoError(t, pub.publishAll(context.Background(), 0, clusterEvents, always))
	require.Eventually(t, func() bool { return hA.obs.n()+hB.obs.n() >= clusterEvents },
		10*time.Second, 5*time.Millisecond)
	waitSettled(t, jsA)

	requireEachOnce(t, chatCounts(recA, recB))
	require.NotEmpty(t, recA.got("chat"), "router A took a share")
	require.NotEmpty(t, recB.got("chat"), "router B took a share")
	require.Equal(t, clusterEvents, hA.obs.n()+hB.obs.n(), "each message finished once")
	t.Logf("router A sent %d, router B sent %d", len(recA.got("chat")), len(recB.got("chat")))
}
