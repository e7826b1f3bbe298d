package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv"
	"github.com/spvcheck/spvcheck/spv/pipeline"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/snv"
)

func proveCommand() command {
	c := command{
		name:    "prove",
		summary: "write an offline proof that a name operation or transaction was accepted",
		usage: "NAME|TXID --datadir D [--at HEIGHT] [--trusted-height H] [--binary] [-o FILE]\n" +
			"       [--bitcoin --peer HOST:PORT ...]\n\n" +
			"Builds a simplified name verification proof from the verified store: the records of\n" +
			"the block holding the operation (the latest one naming NAME, or the one with TXID;\n" +
			"--at picks the block) and the skip-list steps down to it from a trusted height\n" +
			"(default: the store's tip). Anyone who trusts that height's consensus hash can check\n" +
			"it offline with 'spvcheck verify-proof'. Writes JSON (or --binary, compact) to stdout\n" +
			"or FILE, and prints the trusted HEIGHT:CONSENSUSHASH on stderr. With --bitcoin the proof\n" +
			"also carries the Bitcoin evidence: the block header, the transaction and its Merkle branch,\n" +
			"and the headers after it, fetched through the light client from --peer.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runProve(ctx, e, &c, args) }
	return c
}

func runProve(ctx context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	datadir := datadirFlag(fs, "data directory holding the verified store")
	at := fs.Uint64("at", 0, "height of the block holding the operation (default: search down from the trusted height)")
	trusted := fs.Uint64("trusted-height", 0, "height whose consensus hash the verifier trusts (default: the tip)")
	binary := fs.Bool("binary", false, "write the compact binary encoding instead of JSON")
	outPath := fs.String("o", "", "write the proof to this file instead of stdout")
	withBitcoin := fs.Bool("bitcoin", false, "add Bitcoin proof-of-work evidence (needs --peer)")
	var peers peerList
	fs.Var(&peers, "peer", "peer to fetch the block from, for --bitcoin (repeatable)")
	timeout := fs.Duration("timeout", time.Minute, "bound on syncing headers and fetching the block, for --bitcoin")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "NAME or TXID")
	if !ok {
		return code
	}
	var sel snv.Selector
	arg := strings.TrimSpace(pos[0])
	if len(arg) == 64 && isHex(arg) {
		var err error
		if sel, err = snv.ByTxid(strings.ToLower(arg)); err != nil {
			return usageError(e, c, "%v", err)
		}
	} else {
		if err := validateName(arg); err != nil {
			if nerr := validateNamespaceID(arg); nerr != nil || strings.Contains(arg, ".") {
				return usageError(e, c, "%v", err)
			}
		}
		sel = snv.ByName(arg)
	}
	if *outPath != "" {
		if _, err := os.Lstat(*outPath); err == nil {
			return usageError(e, c, "-o: %s already exists; choose another file or remove it", *outPath)
		}
	}
	s, net, tip, err := openVerified(ctx, *datadir)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	defer s.Close()
	th := *trusted
	if th == 0 {
		th = tip.Height
	}
	if th > tip.Height {
		return usageError(e, c, "--trusted-height %d is above the store's tip %d", th, tip.Height)
	}
	var src snv.HashSource = s
	opts := snv.BuildOptions{}
	if *withBitcoin {
		if len(peers) == 0 {
			return usageError(e, c, "--bitcoin needs at least one --peer to fetch the block from")
		}
		bctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		client, err := spv.New(spv.Config{Params: net.Chain, Peers: peers, DataDir: filepath.Join(*datadir, spvSubdir),
			AllowRemotePeers: true, PeerTimeout: askPeerTimeout(*timeout)})
		if err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		defer client.Stop()
		if err := client.Start(bctx); err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		if err := client.WaitSynced(bctx, nil); err != nil {
			return fail(e, c, exitUsage, err, "")
		}
		src = bitcoinSource{Store: s.Store, ctx: bctx, client: client}
		opts = snv.BuildOptions{Bitcoin: true, Params: net.Chain}
	}
	proof, err := snv.Build(ctx, snv.WithFirstBlock(src, net.Consensus.FirstBlock), snv.Target{Select: sel, Height: *at}, th, opts)
	if err != nil {
		if errors.Is(err, snv.ErrNotSelected) && *at != 0 {
			return fail(e, c, exitMismatch, fmt.Errorf("block %d holds no accepted operation on %s", *at, sel), operationHeightsHint(net, s, arg))
		}
		code := exitUsage
		if errors.Is(err, snv.ErrNotFound) || errors.Is(err, snv.ErrNotSelected) {
			code = exitMismatch
		}
		return fail(e, c, code, err, "")
	}
	enc := snv.JSON
	if *binary {
		enc = snv.Binary
	}
	b, err := snv.Encode(proof, enc)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	if *outPath != "" {
		if err := writeNewFile(*outPath, b); err != nil {
			return fail(e, c, exitUsage, err, "")
		}
	} else if _, err := e.stdout.Write(b); err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	trustedHash, err := s.ConsensusHash(th)
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	fmt.Fprintf(e.stderr, "proof of %s in block %d, %d steps; verify with --trusted %d:%s\n",
		sel, proof.TargetHeight, len(proof.Steps), th, trustedHash)
	return exitOK
}

// operationHeightsHint lists the blocks that hold a name's accepted
// operations, for a prove --at that named another block.
func operationHeightsHint(net *network, s *openedStore, name string) string {
	hist, err := consensus.NewView(net.Consensus, s).NameHistory(name)
	if err != nil || len(hist) == 0 {
		return ""
	}
	var hs []string
	for _, h := range hist {
		hs = append(hs, strconv.FormatUint(h.Height, 10))
	}
	return "its operations are in blocks " + strings.Join(hs, ", ") + "; pass one of them to --at, or leave --at out for the latest"
}

// bitcoinSource serves a store's hashes and records plus the Bitcoin
// headers and blocks of the light client, refusing any header that is not
// the block the store verified at that height.
type bitcoinSource struct {
	*snapshot.Store
	ctx    context.Context
	client *spv.Client
}

func (b bitcoinSource) Header(h uint64) (wire.BlockHeader, error) {
	hdr, err := b.client.HeaderAt(int32(h))
	if err != nil {
		return hdr, err
	}
	if stored, err := b.BlockHash(h); err == nil && stored != ([32]byte{}) && stored != [32]byte(hdr.BlockHash()) {
		return hdr, fmt.Errorf("the light client's block at %d is %s, the store verified %s: sync again first",
			h, hdr.BlockHash(), blockHashString(stored))
	}
	return hdr, nil
}

func (b bitcoinSource) Block(h uint64) (*wire.MsgBlock, error) {
	if _, err := b.Header(h); err != nil {
		return nil, err
	}
	return b.client.BlockAt(b.ctx, int32(h))
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// writeNewFile writes b to path through a temporary file in the same
// directory, so a reader never sees a partial file, and refuses to replace
// a file that exists (the link fails rather than overwrite).
func writeNewFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; choose another file or remove it", path)
		}
		return err
	}
	return nil
}

func verifyProofCommand() command {
	c := command{
		name:    "verify-proof",
		summary: "check an offline proof against one trusted consensus hash",
		usage: "FILE --trusted HEIGHT:CONSENSUSHASH [--network N] [--require-bitcoin] [--min-confirmations K] [--json]\n\n" +
			"Verifies a proof written by 'spvcheck prove' (JSON or binary; - reads stdin) with no\n" +
			"network and no store. Exit 0 valid, 1 invalid (the failing step is named), 2 unreadable.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runVerifyProof(ctx, e, &c, args) }
	return c
}

func runVerifyProof(_ context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	trustedArg := fs.String("trusted", "", "the trusted HEIGHT:CONSENSUSHASH")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	netName := fs.String("network", "mainnet", "network whose proof-of-work limit Bitcoin evidence is checked against")
	requireBitcoin := fs.Bool("require-bitcoin", false, "refuse proofs without Bitcoin evidence")
	minConf := fs.Int("min-confirmations", 0, "least number of headers the Bitcoin evidence must prove")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "proof FILE")
	if !ok {
		return code
	}
	th, thash, err := parseTrusted(*trustedArg)
	if err != nil {
		return usageError(e, c, "%v", err)
	}
	var raw []byte
	if pos[0] == "-" {
		raw, err = readAllLimited(os.Stdin, 256<<20)
	} else {
		var f *os.File
		if f, err = os.Open(pos[0]); err == nil {
			raw, err = readAllLimited(f, 256<<20)
			f.Close()
		}
	}
	if err != nil {
		return fail(e, c, exitUsage, err, "")
	}
	proof, encoding, err := snv.Decode(raw)
	if err != nil {
		return verifyFailure(e, c, *asJSON, exitUsage, err)
	}
	net, err := networkByName(*netName)
	if err != nil {
		return usageError(e, c, "%v", err)
	}
	res, err := snv.VerifyWith(proof, th, thash, snv.VerifyOptions{
		RequireBitcoin: *requireBitcoin, PowLimit: net.Chain.PowLimit, MinConfirmations: *minConf,
	})
	if err != nil {
		code := exitMismatch
		if snv.CodeOf(err).IsDecode() {
			code = exitUsage
		}
		if errors.Is(err, snv.ErrProofOfWork) {
			// Headers of another network fail this one's proof-of-work
			// limit: say which --network they pass under.
			for _, name := range pipeline.NetworkNames() {
				other, _ := networkByName(name)
				if other == nil || other.Name == net.Name {
					continue
				}
				if _, oerr := snv.VerifyWith(proof, th, thash, snv.VerifyOptions{
					RequireBitcoin: *requireBitcoin, PowLimit: other.Chain.PowLimit, MinConfirmations: *minConf,
				}); oerr == nil {
					err = fmt.Errorf("%w\n  the proof's Bitcoin headers are not %s's; they verify as %s's: pass --network %s", err, net.Name, other.Name, other.Name)
					break
				}
			}
		}
		return verifyFailure(e, c, *asJSON, code, err)
	}
	type recOut struct {
		Opcode string            `json:"opcode"`
		Fields map[string]string `json:"fields"`
	}
	var selected []recOut
	for _, i := range res.Selected {
		r := res.Records[i]
		m := map[string]string{}
		for j, v := range r.Values {
			if j < len(r.Fields) {
				m[r.Fields[j]] = v
			}
		}
		selected = append(selected, recOut{Opcode: string(r.Opcode), Fields: m})
	}
	if *asJSON {
		writeJSON(e, map[string]any{
			"valid": true, "encoding": encoding.String(), "trusted_height": th, "trusted_consensus_hash": thash,
			"target_height": res.Height, "target_consensus_hash": res.ConsensusHash, "ops_hash": res.OpsHash,
			"steps": res.Steps, "selected": selected, "bitcoin": bitcoinJSON(res.Bitcoin),
		})
		return exitOK
	}
	fmt.Fprintf(e.stdout, "valid: block %d (consensus hash %s) proven from trusted block %d in %d steps\n",
		res.Height, res.ConsensusHash, th, res.Steps)
	for _, r := range selected {
		name, txid, op := r.Fields["name"], r.Fields["txid"], r.Fields["op"]
		fmt.Fprintf(e.stdout, "  %s", opName(op))
		if name != "" {
			fmt.Fprintf(e.stdout, " %s", name)
		}
		if addr := r.Fields["address"]; addr != "" {
			fmt.Fprintf(e.stdout, " owner %s", addr)
		}
		fmt.Fprintf(e.stdout, " txid %s\n", txid)
	}
	if b := res.Bitcoin; b != nil {
		fmt.Fprintf(e.stdout, "  bitcoin: tx %s in block %s, %d headers of proof of work (work %s)\n",
			b.Txid, b.BlockHash, b.Confirmations, b.Work)
	}
	return exitOK
}

func bitcoinJSON(b *snv.BitcoinResult) any {
	if b == nil {
		return nil
	}
	return map[string]any{"block_hash": b.BlockHash.String(), "txid": b.Txid.String(),
		"confirmations": b.Confirmations, "work": b.Work.String()}
}

func verifyFailure(e *env, c *command, asJSON bool, code int, err error) int {
	if asJSON {
		out := map[string]any{"valid": false, "error": err.Error(), "code": snv.CodeOf(err).String()}
		var se *snv.Error
		if errors.As(err, &se) {
			out["step"], out["height"], out["expected"], out["got"] = se.Step, se.Height, se.Expected, se.Got
		}
		writeJSON(e, out)
		return code
	}
	what := "invalid proof"
	if code == exitUsage {
		what = "unreadable proof"
	}
	return fail(e, c, code, fmt.Errorf("%s: %w", what, err), "")
}

// parseTrusted parses HEIGHT:CONSENSUSHASH.
func parseTrusted(s string) (uint64, string, error) {
	if s == "" {
		return 0, "", errors.New("--trusted HEIGHT:CONSENSUSHASH is required")
	}
	h, ch, ok := strings.Cut(s, ":")
	if !ok {
		return 0, "", fmt.Errorf("--trusted %q: want HEIGHT:CONSENSUSHASH", s)
	}
	height, err := strconv.ParseUint(h, 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("--trusted height %q: %w", h, err)
	}
	ch = strings.ToLower(strings.TrimSpace(ch))
	if len(ch) != 32 || !isHex(ch) {
		return 0, "", fmt.Errorf("--trusted consensus hash %q: want 32 hex digits", ch)
	}
	return height, ch, nil
}
