package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/spv/regtest"
)

// Script is a scenario: who takes part and, block by block, what they
// broadcast and what the replay engine must decide about it.
type Script struct {
	// Name labels the script in progress output and errors.
	Name string
	// Seed derives the wallet keys of the participants (regtest.NewWallet).
	// Key 0 of the seed is the bank: it receives the coinbases of the setup
	// blocks and funds everybody; it never sends an operation.
	Seed string
	// Participants are the keys that send or receive operations.
	Participants []Participant
	// Steps are the blocks that carry operations, in ascending height.
	Steps []Step
}

// KeySource says where a participant's private key comes from.
type KeySource int

const (
	// WalletKey is a key of the script's wallet (Script.Seed), the i-th
	// WalletKey participant being wallet key i+1.
	WalletKey KeySource = iota
	// StacksKey is consensus.RegtestPrivateKey(Index), one of the keys the
	// Regtest genesis gives STACKS tokens.
	StacksKey
	// ImportChild is the BIP32 non-hardened child Index of Parent's key
	// with an all-zero chain code: a member of the NAME_IMPORT keychain of
	// a namespace Parent revealed.
	ImportChild
)

// Participant is one key taking part in a script.
type Participant struct {
	Name   string
	Source KeySource
	// Index selects the StacksKey or the ImportChild.
	Index int
	// Parent names the participant an ImportChild derives from.
	Parent string
	// Funding is what the bank sends the key during setup, in satoshis;
	// DefaultFunding when zero.
	Funding int64
}

// DefaultFunding is what a participant receives at setup unless it says
// otherwise: enough for hundreds of operations at name prices.
const DefaultFunding = 10_000_000

// Step is one block of a script: the block at Height, holding the step's
// operations in the order given (their vtxindex order). Blocks between two
// steps are mined empty.
type Step struct {
	Height uint64
	Note   string
	Ops    []Expect
}

// Expect is an operation with the verdict the replay engine must reach.
type Expect struct {
	Op   Operation
	Want Verdict
}

// Verdict is an engine outcome and, for a rejection, its code.
type Verdict struct {
	Outcome consensus.Outcome
	Code    consensus.ErrorCode
}

func (v Verdict) String() string {
	if v.Outcome == consensus.Rejected {
		return "rejected with " + v.Code.String()
	}
	return v.Outcome.String()
}

// Accept expects op to be accepted.
func Accept(op Operation) Expect { return Expect{Op: op, Want: Verdict{Outcome: consensus.Accepted}} }

// Reject expects op to be rejected with code.
func Reject(code consensus.ErrorCode, op Operation) Expect {
	return Expect{Op: op, Want: Verdict{Outcome: consensus.Rejected, Code: code}}
}

// Stateless expects op (an ANNOUNCE) to be accepted without changing state.
func Stateless(op Operation) Expect {
	return Expect{Op: op, Want: Verdict{Outcome: consensus.Stateless}}
}

// ZoneHash is the value hash of a zone file: the hex RIPEMD-160 of the
// SHA-256 of its text, as Blockstack clients compute it. The empty zone
// file has no hash ("").
func ZoneHash(zone string) string {
	if zone == "" {
		return ""
	}
	return hex.EncodeToString(address.Hash160([]byte(zone)))
}

// messageHash is the 20-byte hash an ANNOUNCE carries for a message.
func messageHash(msg string) string {
	h := sha256.Sum256([]byte(msg))
	return hex.EncodeToString(address.Hash160(h[:]))
}

// Namespaces lists the namespaces the script preorders, in script order.
func (s *Script) Namespaces() []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range s.Steps {
		for _, e := range st.Ops {
			if p, ok := e.Op.(NamespacePreorder); ok && !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p.ID)
			}
		}
	}
	return out
}

// validate checks what can be checked without a chain: participants are
// unique and resolvable, steps ascend from the first Blockstack block, and
// every operation names known participants.
func (s *Script) validate(firstBlock uint64) error {
	names := map[string]Participant{}
	for _, p := range s.Participants {
		if p.Name == "" {
			return newError(ErrBadScript, 0, nil, "a participant has no name")
		}
		if _, dup := names[p.Name]; dup {
			return newError(ErrBadScript, 0, nil, "participant %q declared twice", p.Name)
		}
		if p.Source == ImportChild {
			if parent, ok := names[p.Parent]; !ok || parent.Source != WalletKey {
				return newError(ErrBadScript, 0, nil, "import child %q: parent %q must be a wallet key declared before it", p.Name, p.Parent)
			}
		}
		if p.Source == StacksKey && (p.Index < 0 || p.Index >= consensus.RegtestKeyCount) {
			return newError(ErrBadScript, 0, nil, "participant %q: no Regtest STACKS key %d", p.Name, p.Index)
		}
		names[p.Name] = p
	}
	last := firstBlock - 1
	for i, st := range s.Steps {
		if st.Height <= last {
			return newError(ErrBadScript, i+1, nil, "step %d (%s): block %d is not after block %d", i+1, st.Note, st.Height, last)
		}
		last = st.Height
		for j, e := range st.Ops {
			if e.Op == nil {
				return newError(ErrBadScript, i+1, nil, "step %d (%s): operation %d is nil", i+1, st.Note, j+1)
			}
			for _, who := range e.Op.parties() {
				if _, ok := names[who]; !ok {
					return newError(ErrBadScript, i+1, nil, "step %d (%s): %s names unknown participant %q", i+1, st.Note, e.Op, who)
				}
			}
		}
	}
	return nil
}

func (s *Script) String() string { return fmt.Sprintf("script %q", s.Name) }

// Addresses returns every participant's address on regtest, derived
// without a node.
func (s *Script) Addresses() (map[string]string, error) {
	params := regtest.Regtest.Params()
	parties, err := s.resolve(params, regtest.NewWallet(params, s.Seed))
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(parties))
	for n, p := range parties {
		out[n] = p.address
	}
	return out, nil
}
