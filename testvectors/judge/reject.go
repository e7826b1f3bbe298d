package judge

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/testvectors"
)

// jsArg is one argument of a recorded blockstack.js call, as its source
// wrote it: a string literal (with .repeat applied), a number, a boolean,
// or a symbol the vector generator defined (addrOf(KEYS.k), CH[i], new
// BN(n), undefined, null).
type jsArg struct {
	str    string
	isStr  bool
	num    uint64
	isNum  bool
	symbol string // "address", "consensus hash", "bool:true", "bool:false", "nothing"
}

// skeletonParams are the parameters of blockstack.js 21.1.1's skeleton
// builders (src/operations/skeletons.ts), in order.
var skeletonParams = map[string][]string{
	"makePreorderSkeleton":          {"name", "consensusHash", "preorderAddress", "burnAddress", "burn", "registerAddress"},
	"makeRegisterSkeleton":          {"name", "ownerAddress", "valueHash", "burnTokenAmountHex"},
	"makeRenewalSkeleton":           {"name", "nextOwnerAddress", "lastOwnerAddress", "burnAddress", "burn", "valueHash"},
	"makeTransferSkeleton":          {"name", "consensusHash", "newOwner", "keepZonefile"},
	"makeUpdateSkeleton":            {"name", "consensusHash", "valueHash"},
	"makeRevokeSkeleton":            {"name"},
	"makeNamespacePreorderSkeleton": {"namespaceID", "consensusHash", "preorderAddress", "registerAddress", "burn"},
	"makeNamespaceReadySkeleton":    {"namespaceID"},
	"makeNameImportSkeleton":        {"name", "recipientAddress", "valueHash"},
	"makeAnnounceSkeleton":          {"messageHash"},
	"makeTokenTransferSkeleton":     {"recipientAddress", "consensusHash", "tokenType", "tokenAmount", "scratchArea"},
}

// judgeReject judges a reject record: blockstack.js refused to build an
// operation from the arguments its source shows. Whatever the builder and
// its arguments, the same arguments go to our encoder, which must refuse
// them too. Symbols stand for valid values (a mainnet address, an all-zero
// consensus hash), so only the literal arguments can be what is wrong.
// When blockstack.js's message names what it refused (a hash, a name, an
// address, the scratch area), our refusal must carry the matching code.
func judgeReject(rec *testvectors.BlockstackJSRecord) error {
	params, ok := skeletonParams[rec.Fn]
	if !ok {
		return fmt.Errorf("unknown blockstack.js builder %q", rec.Fn)
	}
	args, err := parseJSCall(rec.Source, rec.Fn)
	if err != nil {
		return err
	}
	if len(args) > len(params) {
		return fmt.Errorf("%s takes %d arguments, the source passes %d", rec.Fn, len(params), len(args))
	}
	net := ops.Mainnet()
	val := map[string]jsArg{}
	for i, a := range args {
		val[params[i]] = a
	}
	str := func(p string) string {
		a, ok := val[p]
		switch {
		case !ok || a.symbol == "nothing":
			return ""
		case a.isStr:
			return a.str
		case a.symbol == "address":
			return net.BurnAddress()
		case a.symbol == "consensus hash":
			return strings.Repeat("00", 16)
		case a.isNum:
			return strconv.FormatUint(a.num, 10)
		}
		return a.symbol
	}
	amount := func(p string) (uint64, error) {
		a := val[p]
		if a.isNum {
			return a.num, nil
		}
		if a.isStr {
			return strconv.ParseUint(a.str, 10, 64)
		}
		return 0, nil
	}
	var enc ops.Args
	switch rec.Fn {
	case "makePreorderSkeleton":
		burn, err := amount("burn")
		if err != nil {
			return fmt.Errorf("burn amount: %w", err)
		}
		enc = ops.NamePreorderArgs{Name: str("name"), ConsensusHash: str("consensusHash"), SenderAddress: str("preorderAddress"),
			BurnAddress: str("burnAddress"), RegisterAddress: str("registerAddress"), Payment: ops.Payment{BTC: int64(burn)}}
	case "makeRegisterSkeleton":
		enc = ops.NameRegistrationArgs{Name: str("name"), OwnerAddress: str("ownerAddress"), ValueHash: str("valueHash")}
	case "makeRenewalSkeleton":
		burn, err := amount("burn")
		if err != nil {
			return fmt.Errorf("burn amount: %w", err)
		}
		enc = ops.NameRenewalArgs{Name: str("name"), NewOwnerAddress: str("nextOwnerAddress"), OwnerAddress: str("lastOwnerAddress"),
			BurnAddress: str("burnAddress"), ValueHash: str("valueHash"), Payment: ops.Payment{BTC: int64(burn)}}
	case "makeTransferSkeleton":
		enc = ops.NameTransferArgs{Name: str("name"), ConsensusHash: str("consensusHash"), NewOwnerAddress: str("newOwner"),
			KeepData: val["keepZonefile"].symbol == "bool:true"}
	case "makeUpdateSkeleton":
		enc = ops.NameUpdateArgs{Name: str("name"), ConsensusHash: str("consensusHash"), ValueHash: str("valueHash")}
	case "makeRevokeSkeleton":
		enc = ops.NameRevokeArgs{Name: str("name")}
	case "makeNamespacePreorderSkeleton":
		burn, err := amount("burn")
		if err != nil {
			return fmt.Errorf("burn amount: %w", err)
		}
		enc = ops.NamespacePreorderArgs{NamespaceID: str("namespaceID"), ConsensusHash: str("consensusHash"),
			SenderAddress: str("preorderAddress"), RevealAddress: str("registerAddress"), Payment: ops.Payment{BTC: int64(burn)}}
	case "makeNamespaceReadySkeleton":
		enc = ops.NamespaceReadyArgs{NamespaceID: str("namespaceID")}
	case "makeNameImportSkeleton":
		enc = ops.NameImportArgs{Name: str("name"), RecipientAddress: str("recipientAddress"), ValueHash: str("valueHash")}
	case "makeAnnounceSkeleton":
		enc = ops.AnnounceArgs{MessageHash: str("messageHash")}
	case "makeTokenTransferSkeleton":
		n, err := amount("tokenAmount")
		if err != nil {
			return fmt.Errorf("token amount: %w", err)
		}
		enc = ops.TokenTransferArgs{RecipientAddress: str("recipientAddress"), ConsensusHash: str("consensusHash"),
			TokenUnits: str("tokenType"), Amount: n, ScratchArea: []byte(str("scratchArea"))}
	}
	_, err = enc.Encode(net)
	if err == nil {
		return fmt.Errorf("our encoder built %s from the arguments blockstack.js refused (%s)", rec.Fn, rec.Error)
	}
	code, _ := ops.CodeOf(err)
	if want, ok := expectedRefusal(rec.Error); ok && code != want {
		return fmt.Errorf("encoder refused with %v, want %v (blockstack.js: %s)", err, want, rec.Error)
	}
	return nil
}

// expectedRefusal maps what blockstack.js's refusal names to our code.
func expectedRefusal(msg string) (ops.ErrorCode, bool) {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "hash"):
		return ops.ErrInvalidHash, true
	case strings.Contains(m, "scratch area"), strings.Contains(m, "token type"):
		return ops.ErrInvalidArgument, true
	case strings.Contains(m, "address"):
		return ops.ErrInvalidAddress, true
	case strings.Contains(m, "namespace"):
		return ops.ErrInvalidNamespaceID, true
	case strings.Contains(m, "name"):
		return ops.ErrInvalidName, true
	}
	return 0, false
}

// parseJSCall reads the arguments of the call of fn in a recorded JS
// source such as "() => skeletons.makeRegisterSkeleton('a.id',
// addrOf(KEYS.k1c), 'abcd')".
func parseJSCall(src, fn string) ([]jsArg, error) {
	i := strings.Index(src, fn+"(")
	if i < 0 {
		return nil, fmt.Errorf("source %q does not call %s", src, fn)
	}
	p := &jsParser{s: src, i: i + len(fn) + 1}
	var out []jsArg
	p.space()
	if p.peek() == ')' {
		return out, nil
	}
	for {
		a, err := p.arg()
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", src, err)
		}
		out = append(out, a)
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case ')':
			return out, nil
		default:
			return nil, fmt.Errorf("source %q: unexpected %q at %d", src, string(p.peek()), p.i)
		}
	}
}

type jsParser struct {
	s string
	i int
}

func (p *jsParser) peek() byte {
	if p.i >= len(p.s) {
		return 0
	}
	return p.s[p.i]
}

func (p *jsParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
}

// balanced returns the text up to the next top-level ',' or ')'.
func (p *jsParser) balanced() string {
	start, depth := p.i, 0
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '(', '[':
			depth++
		case ')', ']':
			if depth == 0 {
				return strings.TrimSpace(p.s[start:p.i])
			}
			depth--
		case ',':
			if depth == 0 {
				return strings.TrimSpace(p.s[start:p.i])
			}
		}
		p.i++
	}
	return strings.TrimSpace(p.s[start:])
}

func (p *jsParser) arg() (jsArg, error) {
	p.space()
	if q := p.peek(); q == '\'' || q == '"' {
		end := strings.IndexByte(p.s[p.i+1:], q)
		if end < 0 {
			return jsArg{}, fmt.Errorf("unterminated string")
		}
		s := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		if rest := p.s[p.i:]; strings.HasPrefix(rest, ".repeat(") {
			close := strings.IndexByte(rest, ')')
			n, err := strconv.Atoi(rest[len(".repeat("):close])
			if err != nil || n < 0 || n > 1<<20 {
				return jsArg{}, fmt.Errorf("bad repeat count in %q", rest[:close+1])
			}
			s = strings.Repeat(s, n)
			p.i += close + 1
		}
		return jsArg{str: s, isStr: true}, nil
	}
	text := p.balanced()
	switch {
	case strings.HasPrefix(text, "addrOf("), strings.HasPrefix(text, "KEYS."):
		return jsArg{symbol: "address"}, nil
	case strings.HasPrefix(text, "CH["):
		return jsArg{symbol: "consensus hash"}, nil
	case text == "true" || text == "false":
		return jsArg{symbol: "bool:" + text}, nil
	case text == "undefined" || text == "null":
		return jsArg{symbol: "nothing"}, nil
	case strings.HasPrefix(text, "new BN(") && strings.HasSuffix(text, ")"):
		inner := strings.Trim(text[len("new BN("):len(text)-1], `'" `)
		n, err := strconv.ParseUint(inner, 10, 64)
		if err != nil {
			return jsArg{}, fmt.Errorf("amount %q: %w", text, err)
		}
		return jsArg{num: n, isNum: true}, nil
	}
	if n, err := strconv.ParseUint(text, 10, 64); err == nil {
		return jsArg{num: n, isNum: true}, nil
	}
	return jsArg{}, fmt.Errorf("argument %q is none of the forms the vectors use", text)
}
