package spv

import (
	"context"

	"github.com/btcsuite/btcd/wire/v2"
)

// Headers reads the tips of the stored header and filter-header chains. It
// needs no network and works from New until Stop, so a tool can say how far
// the verified headers reach without connecting to anyone. PeerHeight and
// Peers are zero unless the client is running.
func (c *Client) Headers() (Progress, error) {
	if err := c.open(); err != nil {
		return Progress{}, err
	}
	hdr, height, err := c.cs.BlockHeaders.ChainTip()
	if err != nil {
		return Progress{}, newError(ErrHeaderStore, err, "block header tip")
	}
	_, fheight, err := c.cs.RegFilterHeaders.ChainTip()
	if err != nil {
		return Progress{}, newError(ErrHeaderStore, err, "filter header tip")
	}
	return Progress{HeaderHeight: int32(height), HeaderHash: hdr.BlockHash(), FilterHeaderHeight: int32(fheight)}, nil
}

// HeaderAt returns the verified header at height from the header store.
func (c *Client) HeaderAt(height int32) (wire.BlockHeader, error) {
	if err := c.open(); err != nil {
		return wire.BlockHeader{}, err
	}
	if height < 0 {
		return wire.BlockHeader{}, newError(ErrHeaderStore, nil, "no header at negative height %d", height)
	}
	hdr, err := c.cs.BlockHeaders.FetchHeaderByHeight(uint32(height))
	if err != nil {
		return wire.BlockHeader{}, newError(ErrHeaderStore, err, "header at height %d", height)
	}
	return *hdr, nil
}

// PeerHeight is one connected peer and the best height it announced.
type PeerHeight struct {
	Addr   string
	Height int32
}

// PeerHeights lists the connected peers with their announced best heights,
// in the order neutrino reports them. Peers that disagree by more than a
// block or two are worth a warning: one of them is behind or lying.
func (c *Client) PeerHeights() ([]PeerHeight, error) {
	if err := c.running(); err != nil {
		return nil, err
	}
	var out []PeerHeight
	for _, sp := range c.cs.Peers() {
		if sp.Connected() {
			out = append(out, PeerHeight{Addr: c.cfg.displayAddr(sp.Addr()), Height: sp.LastBlock()})
		}
	}
	return out, nil
}

// open reports ErrNotStarted once the client has been stopped (its stores
// are closed then); before Start the stores are open.
func (c *Client) open() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return newError(ErrNotStarted, nil, "client stopped")
	}
	return nil
}

// BlockAt fetches the best chain's block at height from the peers, checked
// by neutrino against the verified header (hash, Merkle root, witness
// commitment). The client must be running and synced to that height.
func (c *Client) BlockAt(ctx context.Context, height int32) (*wire.MsgBlock, error) {
	done, err := c.begin()
	if err != nil {
		return nil, err
	}
	defer done()
	hash, err := c.hashAt(height)
	if err != nil {
		return nil, err
	}
	b, err := c.fetchBlock(ctx, hash)
	if err != nil {
		return nil, err
	}
	return b.MsgBlock(), nil
}
