package regtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// defaultRPCTimeout bounds every request whose context has no deadline.
const defaultRPCTimeout = 30 * time.Second

// RPCClient speaks btcd's JSON-RPC over plain HTTP on loopback. Every
// method takes a context and is additionally bounded by a 30-second
// timeout, so no call can hang. It is safe for concurrent use.
//
// It is a small client of our own rather than btcd's rpcclient because every
// call here takes a context, and the handful of methods the tests and the
// demo need decode straight into wire/v2 types.
type RPCClient struct {
	url, user, pass string
	http            *http.Client
	nextID          atomic.Uint64
}

// NewRPCClient returns a client for the node at url (e.g.
// "http://127.0.0.1:18334") with the given credentials.
func NewRPCClient(url, user, pass string) *RPCClient {
	return &RPCClient{
		url:  url,
		user: user,
		pass: pass,
		http: &http.Client{
			Timeout:   defaultRPCTimeout,
			Transport: &http.Transport{MaxIdleConnsPerHost: 8},
		},
	}
}

func (c *RPCClient) close() { c.http.CloseIdleConnections() }

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

type rpcReply struct {
	Result json.RawMessage `json:"result"`
	Error  *RPCError       `json:"error"`
}

// call sends one request and decodes its result into out (ignored when out
// is nil).
func (c *RPCClient) call(ctx context.Context, method string, params []any, out any) error {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(rpcRequest{JSONRPC: "1.0", ID: c.nextID.Add(1), Method: method, Params: params})
	if err != nil {
		return newError(ErrRPCDecode, err, "%s: encoding request", method)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return newError(ErrRPCTransport, err, "%s: building request", method)
	}
	req.SetBasicAuth(c.user, c.pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return newError(ErrRPCTransport, err, "%s", method)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return newError(ErrRPCTransport, err, "%s: reading reply", method)
	}
	var reply rpcReply
	if err := json.Unmarshal(raw, &reply); err != nil {
		// btcd answers auth failures and similar with a bare HTTP error.
		return newError(ErrRPCTransport, err, "%s: HTTP %d: %q", method, resp.StatusCode, truncate(raw, 200))
	}
	if reply.Error != nil {
		return newError(ErrRPCServer, reply.Error, "%s", method)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(reply.Result, out); err != nil {
		return newError(ErrRPCDecode, err, "%s: decoding result", method)
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// GetBlockCount returns the height of the node's best block.
func (c *RPCClient) GetBlockCount(ctx context.Context) (int32, error) {
	var h int32
	err := c.call(ctx, "getblockcount", nil, &h)
	return h, err
}

// GetBestBlock returns the hash and height of the node's best block.
func (c *RPCClient) GetBestBlock(ctx context.Context) (chainhash.Hash, int32, error) {
	var r struct {
		Hash   string `json:"hash"`
		Height int32  `json:"height"`
	}
	if err := c.call(ctx, "getbestblock", nil, &r); err != nil {
		return chainhash.Hash{}, 0, err
	}
	h, err := parseHash("getbestblock", r.Hash)
	return h, r.Height, err
}

// GetBlockHash returns the hash of the best chain's block at height.
func (c *RPCClient) GetBlockHash(ctx context.Context, height int32) (chainhash.Hash, error) {
	var s string
	if err := c.call(ctx, "getblockhash", []any{height}, &s); err != nil {
		return chainhash.Hash{}, err
	}
	return parseHash("getblockhash", s)
}

// GetBlock returns the block with the given hash, witness data included.
func (c *RPCClient) GetBlock(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	var s string
	if err := c.call(ctx, "getblock", []any{hash.String(), 0}, &s); err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, newError(ErrRPCDecode, err, "getblock: hex")
	}
	var b wire.MsgBlock
	if err := b.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, newError(ErrRPCDecode, err, "getblock: block bytes")
	}
	return &b, nil
}

// GetRawTransaction returns a transaction by id, from the mempool or, as
// the node runs with --txindex, from any block.
func (c *RPCClient) GetRawTransaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	var s string
	if err := c.call(ctx, "getrawtransaction", []any{txid.String(), 0}, &s); err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, newError(ErrRPCDecode, err, "getrawtransaction: hex")
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, newError(ErrRPCDecode, err, "getrawtransaction: transaction bytes")
	}
	return &tx, nil
}

// SendRawTransaction submits tx to the node's mempool under its relay
// policy and returns its id. A policy rejection is an ErrRPCServer error.
func (c *RPCClient) SendRawTransaction(ctx context.Context, tx *wire.MsgTx) (chainhash.Hash, error) {
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return chainhash.Hash{}, newError(ErrRPCDecode, err, "sendrawtransaction: serialising")
	}
	var s string
	if err := c.call(ctx, "sendrawtransaction", []any{hex.EncodeToString(buf.Bytes())}, &s); err != nil {
		return chainhash.Hash{}, err
	}
	return parseHash("sendrawtransaction", s)
}

// Generate mines n blocks on the node's best chain, paying the mining
// address, and returns their hashes in order.
func (c *RPCClient) Generate(ctx context.Context, n uint32) ([]chainhash.Hash, error) {
	var ss []string
	if err := c.call(ctx, "generate", []any{n}, &ss); err != nil {
		return nil, err
	}
	hashes := make([]chainhash.Hash, len(ss))
	for i, s := range ss {
		h, err := parseHash("generate", s)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	return hashes, nil
}

// SubmitBlock hands a block built by the caller to the node, which checks
// it under full consensus rules and connects it before answering. Building
// blocks by hand is how a test controls every transaction of a block and
// their order, and keeps coinbases deterministic (Generate's coinbases carry
// a random extra nonce). A block the node refuses is an ErrRPCServer error
// wrapping an *RPCError with code -25 (btcjson.ErrRPCVerify) and the node's
// reason.
func (c *RPCClient) SubmitBlock(ctx context.Context, block *wire.MsgBlock) error {
	var buf bytes.Buffer
	if err := block.Serialize(&buf); err != nil {
		return newError(ErrRPCDecode, err, "submitblock: serialising")
	}
	// btcd answers null when the block is accepted and a string with the
	// reason ("rejected: ...") when it is not.
	var reason *string
	if err := c.call(ctx, "submitblock", []any{hex.EncodeToString(buf.Bytes())}, &reason); err != nil {
		return err
	}
	if reason != nil {
		return newError(ErrRPCServer, &RPCError{Code: rpcErrVerify, Message: *reason}, "submitblock %s", block.BlockHash())
	}
	return nil
}

// rpcErrVerify is btcjson.ErrRPCVerify, the code bitcoind gives a block or
// transaction that fails validation.
const rpcErrVerify = -25

// InvalidateBlock marks a block and its descendants invalid, so the node
// rewinds its best chain to the block's parent. Mining afterwards builds a
// competing fork.
func (c *RPCClient) InvalidateBlock(ctx context.Context, hash chainhash.Hash) error {
	return c.call(ctx, "invalidateblock", []any{hash.String()}, nil)
}

// ReconsiderBlock undoes InvalidateBlock; the node switches back if that
// chain has more work.
func (c *RPCClient) ReconsiderBlock(ctx context.Context, hash chainhash.Hash) error {
	return c.call(ctx, "reconsiderblock", []any{hash.String()}, nil)
}

func parseHash(method, s string) (chainhash.Hash, error) {
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return chainhash.Hash{}, newError(ErrRPCDecode, err, "%s: hash %q", method, s)
	}
	return *h, nil
}
