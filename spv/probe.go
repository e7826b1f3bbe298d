package spv

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// probeTimeout bounds each diagnostic connection.
const probeTimeout = 3 * time.Second

// knownNetworks are the magics tried to name a peer's network when it drops
// a handshake on ours.
var knownNetworks = []wire.BitcoinNet{
	wire.MainNet, wire.TestNet3, wire.TestNet4, wire.TestNet, wire.SigNet, wire.SimNet,
}

// probePeer explains why neutrino could not connect to addr. It dials the
// peer itself and sends a version message on the client's network:
//   - a refused or failed dial is ErrPeerUnreachable;
//   - a reply whose magic is another network's is ErrWrongNetwork;
//   - silence until the deadline is ErrHandshakeFailed;
//   - a dropped connection is retried with the other known networks'
//     magics, and one that answers names the peer's network
//     (ErrWrongNetwork); otherwise ErrHandshakeFailed.
//
// It returns nil when the peer answers correctly on our network.
func probePeer(ctx context.Context, dial func(context.Context, net.Addr) (net.Conn, error), addr string, params *chaincfg.Params) error {
	magic, err := versionReplyMagic(ctx, dial, addr, params.Net)
	switch {
	case err == nil && magic == params.Net:
		return nil
	case err == nil:
		return wrongNetwork(addr, magic, params)
	case errors.Is(err, errDial):
		return newError(ErrPeerUnreachable, err, "peer %s", addr)
	case errors.Is(err, os.ErrDeadlineExceeded):
		// Silent rather than closed: no point asking in other magics.
		return newError(ErrHandshakeFailed, err, "peer %s accepted TCP but did not answer a version message on %s", addr, params.Name)
	}
	for _, other := range knownNetworks {
		if other == params.Net {
			continue
		}
		if m, err2 := versionReplyMagic(ctx, dial, addr, other); err2 == nil && m == other {
			return wrongNetwork(addr, other, params)
		}
	}
	return newError(ErrHandshakeFailed, err, "peer %s accepted TCP but did not answer a version message on %s", addr, params.Name)
}

var errDial = errors.New("dial failed")

// networkName names a network magic as spvcheck's --network does. btcd's
// own names mislead here: its "TestNet" is regtest's magic.
func networkName(magic wire.BitcoinNet) string {
	switch magic {
	case wire.MainNet:
		return "mainnet"
	case wire.TestNet3:
		return "testnet"
	case wire.TestNet4:
		return "testnet4"
	case wire.TestNet:
		return "regtest"
	case wire.SigNet:
		return "signet"
	case wire.SimNet:
		return "simnet"
	}
	return fmt.Sprintf("an unknown network (magic %#08x)", uint32(magic))
}

func wrongNetwork(addr string, peer wire.BitcoinNet, params *chaincfg.Params) error {
	return newError(ErrWrongNetwork, nil, "peer %s is on %s, not %s", addr, networkName(peer), networkName(params.Net))
}

// versionReplyMagic connects to addr, sends a version message framed for
// network net and returns the magic of the first message header the peer
// sends back.
func versionReplyMagic(ctx context.Context, dial func(context.Context, net.Addr) (net.Conn, error), addr string, net_ wire.BitcoinNet) (wire.BitcoinNet, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	tcpAddr, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errDial, err)
	}
	conn, err := dial(ctx, tcpAddr)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errDial, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return 0, err
	}
	var nonceBytes [8]byte
	_, _ = rand.Read(nonceBytes[:])
	local := wire.NewNetAddressIPPort(net.IPv4(127, 0, 0, 1), 0, 0)
	remote := wire.NewNetAddressIPPort(tcpAddr.IP, uint16(tcpAddr.Port), 0)
	msg := wire.NewMsgVersion(local, remote, binary.LittleEndian.Uint64(nonceBytes[:]), 0)
	if err := wire.WriteMessage(conn, msg, wire.ProtocolVersion, net_); err != nil {
		return 0, err
	}
	var magic [4]byte
	if _, err := io.ReadFull(conn, magic[:]); err != nil {
		return 0, err
	}
	return wire.BitcoinNet(binary.LittleEndian.Uint32(magic[:])), nil
}
