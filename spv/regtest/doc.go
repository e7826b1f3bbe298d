// Package regtest runs a real Bitcoin network on the loopback interface for
// tests and the demo: one btcd node in regression-test mode, an RPC client
// to drive it, and a deterministic wallet that builds and signs standard
// transactions.
//
// # The node
//
// Start compiles btcd from this module's dependency graph (go.mod names it
// with a tool directive, so its version is pinned with everything else),
// caches the binary under the system temporary directory keyed by go.sum,
// and runs it with every path inside a fresh temporary directory, both
// ports chosen free on 127.0.0.1, TLS off (allowed only on loopback), DNS
// seeding and onion routing off, a transaction index for GetRawTransaction,
// and --rejectnonstd so relay policy matches mainnet (one OP_RETURN of at
// most 80 bytes, standard scripts only). Compact block filters are on, as
// btcd serves them by default, so a neutrino light client can sync from it.
//
// The process is put in its own process group and, on Linux, is killed by
// the kernel if the test process dies, so no node outlives its test even
// when a test binary is killed on timeout. Node.Stop asks the node to stop
// over RPC, kills its process group if it does not exit within seconds,
// reaps it and deletes its directory. There is no fallback to a btcd found
// on PATH: a failed build is an ErrBuildFailed error with the compiler's
// output.
//
// Regtest rather than simnet: regtest never retargets difficulty, so
// thousands of blocks mine in a second, but its subsidy halves every 150
// blocks, so fund test keys from early coinbases. Coinbases can be spent 100
// blocks after the block that holds them.
//
// # RPC
//
// RPCClient is a small JSON-RPC client over net/http: every call takes a
// context and is bounded by a timeout, results decode into wire/v2 types,
// and failures are *Error values with codes (ErrRPCTransport, ErrRPCServer
// wrapping the node's *RPCError, ErrRPCDecode). btcd has no
// generatetoaddress: Generate mines to the node's --miningaddr. Forks are
// made with InvalidateBlock followed by Generate.
//
// # The wallet
//
// Wallet derives keys from a seed, learns its outputs by scanning the
// node's chain (Sync) and from its own broadcasts (Commit), and completes a
// Template: a list of outputs with one marked change slot, which is also
// the shape the ops encoders produce. Input 0 always comes from the chosen
// sending key, because Blockstack takes the sender of an operation from the
// output its first input spends. Every key also owns p2pk, bare-multisig and
// p2sh-multisig scripts (ScriptKind); BuildWith puts such a coin at input 0,
// so tests can show that light and exact sender derivation agree on
// transactions the reference ignores.
//
// A typical test:
//
//	node, err := regtest.Start(ctx, regtest.Options{})
//	if err != nil { ... }
//	t.Cleanup(func() { node.Stop() })
//	w := regtest.NewWallet(node.Params(), regtest.DefaultSeed)
//	node.Generate(ctx, 101)           // mature the first coinbases
//	w.Sync(ctx, node)
//	w.Fund(ctx, node, 0, []int{1, 2}, 1e8)
//	node.Generate(ctx, 1)
package regtest
