package hostile

import (
	"net"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/stretchr/testify/require"
)

const testNet = wire.TestNet // regtest's magic

func read(t *testing.T, c net.Conn) wire.Message {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, msg, _, err := wire.ReadMessageWithEncodingN(c, wire.ProtocolVersion, testNet, wire.LatestEncoding)
	require.NoError(t, err)
	return msg
}

func write(t *testing.T, c net.Conn, msg wire.Message) {
	t.Helper()
	_, err := wire.WriteMessageWithEncodingN(c, msg, wire.ProtocolVersion, testNet, wire.LatestEncoding)
	require.NoError(t, err)
}

// Every verdict on a relay between a client and a node that are both
// played by the test: pass, withhold, rewrite, replay, reply, delay and a
// message cut off in the middle, with the counts the tests assert on.
func TestRelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	nodeSide := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			nodeSide <- c
		}
	}()
	r, err := Start(ln.Addr().String(), testNet, func(dir Direction, msg wire.Message) Verdict {
		switch m := msg.(type) {
		case *wire.MsgPing:
			if dir == ToNode {
				return Verdict{Reply: []wire.Message{wire.NewMsgPong(m.Nonce)}}
			}
		case *wire.MsgGetAddr:
			return Withhold()
		case *wire.MsgVerAck:
			return Verdict{Send: []wire.Message{msg, msg}}
		case *wire.MsgPong:
			return Pass(wire.NewMsgPong(m.Nonce + 1))
		case *wire.MsgSendHeaders:
			return Verdict{Send: []wire.Message{msg}, Delay: 200 * time.Millisecond}
		case *wire.MsgInv:
			return Verdict{Send: []wire.Message{msg}, Truncate: true}
		}
		return Pass(msg)
	})
	require.NoError(t, err)
	defer r.Close()

	client, err := net.Dial("tcp", r.Addr())
	require.NoError(t, err)
	defer client.Close()
	var node net.Conn
	select {
	case node = <-nodeSide:
	case <-time.After(5 * time.Second):
		t.Fatal("the relay did not connect upstream")
	}
	defer node.Close()

	// Reply: the ping is answered by the relay and never reaches the node.
	write(t, client, wire.NewMsgPing(7))
	require.Equal(t, wire.NewMsgPong(7), read(t, client))
	// Withhold, then pass: only the second message arrives.
	write(t, client, wire.NewMsgGetAddr())
	write(t, client, wire.NewMsgMemPool())
	require.IsType(t, &wire.MsgMemPool{}, read(t, node))
	// Replay and rewrite towards the client.
	write(t, node, wire.NewMsgVerAck())
	require.IsType(t, &wire.MsgVerAck{}, read(t, client))
	require.IsType(t, &wire.MsgVerAck{}, read(t, client))
	write(t, node, wire.NewMsgPong(1))
	require.Equal(t, wire.NewMsgPong(2), read(t, client))
	// Delay.
	start := time.Now()
	write(t, node, wire.NewMsgSendHeaders())
	require.IsType(t, &wire.MsgSendHeaders{}, read(t, client))
	require.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
	// Truncate: half a message, then silence with the connection open.
	inv := wire.NewMsgInv()
	for i := range 10 {
		require.NoError(t, inv.AddInvVect(wire.NewInvVect(wire.InvTypeBlock, &chainhash.Hash{byte(i)})))
	}
	write(t, node, inv)
	require.NoError(t, client.SetReadDeadline(time.Now().Add(500*time.Millisecond)))
	buf := make([]byte, 1024)
	n, _ := client.Read(buf)
	full := wire.MessageHeaderSize + 1 + 10*36
	require.Equal(t, full/2, n, "half of the inv message")
	_, err = client.Read(buf)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout(), "want silence (a read timeout), got %v", err)

	require.Equal(t, 1, r.Seen(ToNode, wire.CmdPing))
	require.Equal(t, 1, r.Seen(ToNode, wire.CmdGetAddr))
	require.Equal(t, 1, r.Seen(ToClient, wire.CmdVerAck))
	require.Equal(t, 1, r.Accepted())
	require.Equal(t, 0, r.Ended())
	client.Close()
	deadline := time.Now().Add(5 * time.Second)
	for r.Ended() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.Equal(t, 1, r.Ended(), "the client's drop is counted")
}

// Close stops everything, also with a connection open and a pump stuck in
// a delay, and can be called twice.
func TestRelayClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			_, _ = wire.WriteMessageWithEncodingN(c, wire.NewMsgVerAck(), wire.ProtocolVersion, testNet, wire.LatestEncoding)
			time.Sleep(time.Second)
		}
	}()
	r, err := Start(ln.Addr().String(), testNet, func(Direction, wire.Message) Verdict {
		return Verdict{Delay: time.Hour}
	})
	require.NoError(t, err)
	c, err := net.Dial("tcp", r.Addr())
	require.NoError(t, err)
	defer c.Close()
	time.Sleep(100 * time.Millisecond)
	done := make(chan struct{})
	go func() { _ = r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung")
	}
	require.NoError(t, r.Close())
}
