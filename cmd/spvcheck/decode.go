package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spvcheck/spvcheck/ops"
)

func decodeCommand() command {
	c := command{
		name:    "decode",
		summary: "decode the Blockstack operation in a raw Bitcoin transaction",
		usage: "TXHEX|- [--network mainnet|testnet|regtest] [--height H] [--spent HEX,HEX,...] [--json]\n\n" +
			"Decodes the transaction as the reference indexer would at height H (default: the\n" +
			"first block of the network's current epoch; at least the network's first Blockstack\n" +
			"block) and prints the parsed operation as JSON. '-' reads the hex from standard input.\n" +
			"Senders come from --spent, the scriptPubKeys spent by each input in order (exact\n" +
			"mode); without it they are derived from the inputs' scriptSigs (light mode).\n" +
			"Exit 0 with the operation, 1 when a rule rejects it or it is not a Blockstack\n" +
			"transaction, 2 for unusable input.",
	}
	c.run = func(ctx context.Context, e *env, args []string) int { return runDecode(ctx, e, &c, args) }
	return c
}

// maxTxHex bounds the hex read from standard input: twice the largest
// standard Bitcoin transaction (400,000 bytes), plus slack for white space.
const maxTxHex = 2*400_000 + 1024

// decodeOutput is what decode prints with --json.
type decodeOutput struct {
	Network   string  `json:"network"`
	Height    uint64  `json:"height"`
	Mode      string  `json:"sender_mode"`
	Operation *ops.Op `json:"operation,omitempty"`
	Ignored   bool    `json:"ignored,omitempty"`
	Rejected  bool    `json:"rejected,omitempty"`
	Code      string  `json:"code,omitempty"`
	Error     string  `json:"error,omitempty"`
}

func runDecode(_ context.Context, e *env, c *command, args []string) int {
	fs := newFlagSet(e, c)
	netName := fs.String("network", "mainnet", "Bitcoin network: mainnet, testnet or regtest")
	height := fs.Uint64("height", 0, "block height whose epoch rules apply (default: current epoch)")
	spentList := fs.String("spent", "", "comma-separated hex scriptPubKeys spent by the inputs (exact mode)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object, errors included")
	pos, code, ok := parseArgs(e, c, fs, args, 1, "TXHEX")
	if !ok {
		return code
	}
	net, err := networkByName(*netName)
	if err != nil {
		return usageError(e, c, "%v", err)
	}
	txHex := pos[0]
	if txHex == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxTxHex+1))
		if err != nil {
			return fail(e, c, exitUsage, fmt.Errorf("reading standard input: %w", err), "")
		}
		if len(b) > maxTxHex {
			return fail(e, c, exitUsage, fmt.Errorf("standard input holds more than %d bytes: no transaction is that large", maxTxHex), "")
		}
		txHex = string(b)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(txHex))
	if err != nil {
		return fail(e, c, exitUsage, fmt.Errorf("TXHEX is not hex: %w", err), "pass the raw transaction as one hex string, or - to read it from standard input")
	}
	tx, err := ops.ParseRawTx(raw)
	if err != nil {
		return fail(e, c, exitUsage, fmt.Errorf("not a Bitcoin transaction: %w", err), "")
	}
	h := *height
	if !flagGiven(fs, "height") {
		h = latestEpochStart(net)
	} else if h < net.Consensus.FirstBlock {
		return usageError(e, c, "--height %d is below %s's first Blockstack block %d, where no operation can be", h, net.Name, net.Consensus.FirstBlock)
	}
	dc := ops.ContextAt(net.Ops, net.Consensus.Schedule(), h)
	out := decodeOutput{Network: net.Name, Height: h, Mode: "light"}
	var op *ops.Op
	if *spentList != "" {
		out.Mode = "exact"
		var spent [][]byte
		for i, s := range strings.Split(*spentList, ",") {
			b, err := hex.DecodeString(strings.TrimSpace(s))
			if err != nil {
				return fail(e, c, exitUsage, fmt.Errorf("--spent script %d is not hex: %w", i, err), "")
			}
			spent = append(spent, b)
		}
		if len(spent) != len(tx.TxIn) {
			return fail(e, c, exitUsage, fmt.Errorf("--spent has %d scripts for %d inputs", len(spent), len(tx.TxIn)), "give one scriptPubKey per input, in input order")
		}
		op, err = ops.Decode(tx, spent, dc)
	} else {
		op, _, err = ops.DecodeLight(tx, dc)
	}
	if err != nil {
		out.Error = err.Error()
		var oe *ops.Error
		if errors.As(err, &oe) {
			out.Code = oe.Code.String()
		}
		if ops.IsIgnored(err) {
			out.Ignored = true
		} else {
			out.Rejected = true
		}
	} else {
		out.Operation = op
	}
	if *asJSON {
		writeJSON(e, out)
	} else if err == nil {
		writeJSON(e, op)
	}
	if err != nil {
		if !*asJSON {
			what := "rejected"
			if out.Ignored {
				what = "not a Blockstack operation"
			}
			fmt.Fprintf(e.stderr, "spvcheck decode: %s: %v\n", what, err)
		}
		return exitMismatch
	}
	return exitOK
}
