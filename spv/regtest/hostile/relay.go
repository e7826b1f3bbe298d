package hostile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/btcsuite/btcd/wire/v2"
)

// Direction says which way a message travels through the relay.
type Direction int

const (
	// ToClient is a message from the node to the light client.
	ToClient Direction = iota
	// ToNode is a message from the light client to the node.
	ToNode
)

func (d Direction) String() string {
	if d == ToClient {
		return "to client"
	}
	return "to node"
}

// Verdict is what a Rule decides for one message.
type Verdict struct {
	// Send is written in its place, in order: nil withholds the message,
	// the message twice replays it, another message rewrites it.
	Send []wire.Message
	// Delay is waited before writing (the pump in that direction stalls
	// for as long).
	Delay time.Duration
	// Truncate writes only the first half of the first message of Send,
	// then goes silent in this direction while keeping the connection
	// open: a stall in the middle of a message.
	Truncate bool
	// Reply is written back to the message's sender, as if the other
	// side had answered (a notfound for a getdata, say).
	Reply []wire.Message
}

// Pass forwards msg unchanged.
func Pass(msg wire.Message) Verdict { return Verdict{Send: []wire.Message{msg}} }

// Withhold forwards nothing.
func Withhold() Verdict { return Verdict{} }

// Rule decides the fate of each message. It is called from the relay's
// pumps, one goroutine per direction and connection, and must be safe for
// that. A nil Rule passes everything.
type Rule func(dir Direction, msg wire.Message) Verdict

// Relay is a hostile peer in front of an honest node.
type Relay struct {
	ln       net.Listener
	upstream string
	btcnet   wire.BitcoinNet

	mu       sync.Mutex
	rule     Rule
	conns    []net.Conn
	accepted int
	closed   int // client connections that ended
	seen     map[Direction]map[string]int
	quit     chan struct{}
	wg       sync.WaitGroup
}

// Start listens on 127.0.0.1 and relays to upstream ("host:port") on the
// Bitcoin network btcnet through rule.
func Start(upstream string, btcnet wire.BitcoinNet, rule Rule) (*Relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Relay{ln: ln, upstream: upstream, btcnet: btcnet, rule: rule, quit: make(chan struct{}),
		seen: map[Direction]map[string]int{ToClient: {}, ToNode: {}}}
	r.wg.Add(1)
	go r.accept()
	return r, nil
}

// Addr is the relay's "127.0.0.1:port", the address to give the client.
func (r *Relay) Addr() string { return r.ln.Addr().String() }

// SetRule replaces the rule for every message from now on.
func (r *Relay) SetRule(rule Rule) {
	r.mu.Lock()
	r.rule = rule
	r.mu.Unlock()
}

// Accepted is how many connections the client made to the relay.
func (r *Relay) Accepted() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted
}

// Ended is how many of those connections have ended (the client dropped
// the peer, or the node closed its side).
func (r *Relay) Ended() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// Seen is how many messages with command cmd reached the relay going dir.
func (r *Relay) Seen(dir Direction, cmd string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[dir][cmd]
}

// Close stops listening, closes every connection and waits for the pumps.
func (r *Relay) Close() error {
	r.mu.Lock()
	select {
	case <-r.quit:
		r.mu.Unlock()
		return nil
	default:
	}
	close(r.quit)
	err := r.ln.Close()
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
	return err
}

func (r *Relay) accept() {
	defer r.wg.Done()
	for {
		client, err := r.ln.Accept()
		if err != nil {
			return
		}
		d := net.Dialer{Timeout: 5 * time.Second}
		node, err := d.Dial("tcp", r.upstream)
		if err != nil {
			_ = client.Close()
			continue
		}
		r.mu.Lock()
		select {
		case <-r.quit:
			r.mu.Unlock()
			_ = client.Close()
			_ = node.Close()
			return
		default:
		}
		r.accepted++
		r.conns = append(r.conns, client, node)
		r.mu.Unlock()
		r.wg.Add(1)
		go r.pair(client, node)
	}
}

// pair pumps both directions of one connection; when either side ends,
// both connections are closed.
func (r *Relay) pair(client, node net.Conn) {
	defer r.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	// Each side's writes are serialised: a Reply goes to the side the
	// other pump writes to.
	toClient, toNode := &lockedConn{Conn: client}, &lockedConn{Conn: node}
	go func() { defer wg.Done(); r.pump(ctx, cancel, node, toClient, toNode, ToClient) }()
	go func() { defer wg.Done(); r.pump(ctx, cancel, client, toNode, toClient, ToNode) }()
	select {
	case <-ctx.Done():
	case <-r.quit:
	}
	_ = client.Close()
	_ = node.Close()
	wg.Wait()
	r.mu.Lock()
	r.closed++
	r.mu.Unlock()
}

// lockedConn serialises whole-message writes to one connection.
type lockedConn struct {
	net.Conn
	mu sync.Mutex
}

func (c *lockedConn) writeMessage(msg wire.Message, btcnet wire.BitcoinNet) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := wire.WriteMessageWithEncodingN(c.Conn, msg, wire.ProtocolVersion, btcnet, wire.LatestEncoding)
	return err
}

func (c *lockedConn) writeRaw(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.Conn.Write(b)
}

func (r *Relay) pump(ctx context.Context, cancel func(), from net.Conn, to, back *lockedConn, dir Direction) {
	defer cancel()
	for {
		_, msg, _, err := wire.ReadMessageWithEncodingN(from, wire.ProtocolVersion, r.btcnet, wire.LatestEncoding)
		if err != nil {
			var me *wire.MessageError
			if errors.As(err, &me) && !errors.Is(err, io.EOF) {
				continue // an unknown command: its payload was consumed; drop it
			}
			return
		}
		r.mu.Lock()
		r.seen[dir][msg.Command()]++
		rule := r.rule
		r.mu.Unlock()
		v := Pass(msg)
		if rule != nil {
			v = rule(dir, msg)
		}
		if v.Delay > 0 {
			t := time.NewTimer(v.Delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-r.quit:
				t.Stop()
				return
			case <-t.C:
			}
		}
		for _, out := range v.Send {
			if v.Truncate {
				half, err := encode(out, r.btcnet)
				if err != nil {
					return
				}
				to.writeRaw(half[:len(half)/2])
				// Silent in this direction until the connection ends.
				select {
				case <-ctx.Done():
				case <-r.quit:
				}
				return
			}
			if err := to.writeMessage(out, r.btcnet); err != nil {
				return
			}
		}
		for _, out := range v.Reply {
			if err := back.writeMessage(out, r.btcnet); err != nil {
				return
			}
		}
	}
}

// encode frames msg as it would be written on the wire.
func encode(msg wire.Message, btcnet wire.BitcoinNet) ([]byte, error) {
	var b bytes.Buffer
	_, err := wire.WriteMessageWithEncodingN(&b, msg, wire.ProtocolVersion, btcnet, wire.LatestEncoding)
	return b.Bytes(), err
}
