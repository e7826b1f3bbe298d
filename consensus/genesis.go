package consensus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// GenesisAccount is one token allocation that exists before the first block
// (the reference's genesis_block.py rows, state-machine.md §1.5). The file
// format read by ReadGenesis is JSON lines, one object per line:
//
//	{"address": "...", "type": "STACKS", "value": 1000, "lock_send": 0,
//	 "receive_whitelisted": true, "vesting": [{"block": 300, "value": 5}]}
//
// value and vesting values are decimal integers (JSON numbers or strings) of
// arbitrary size. The mainnet genesis data is not available to this project
// (state-machine.md §9.1); the loader is tested on generated data.
type GenesisAccount struct {
	Address            string           `json:"address"`
	Type               string           `json:"type"`
	Value              json.Number      `json:"value"`
	LockSend           uint64           `json:"lock_send"`
	ReceiveWhitelisted *bool            `json:"receive_whitelisted,omitempty"`
	Vesting            []GenesisVesting `json:"vesting,omitempty"`
}

// GenesisVesting credits Value to the account after block Block-1 is
// processed, so that it is spendable from block Block on.
type GenesisVesting struct {
	Block uint64      `json:"block"`
	Value json.Number `json:"value"`
}

func parseAmount(n json.Number) (*big.Int, error) {
	s := strings.TrimSpace(string(n))
	if s == "" {
		return new(big.Int), nil
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 {
		return nil, fmt.Errorf("consensus: bad token amount %q", s)
	}
	return v, nil
}

// ReadGenesis reads genesis allocations in the JSON-lines format above.
func ReadGenesis(r io.Reader) ([]GenesisAccount, error) {
	var out []GenesisAccount
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		var g GenesisAccount
		if err := dec.Decode(&g); err != nil {
			return nil, fmt.Errorf("consensus: genesis line %d: %w", line, err)
		}
		if g.Address == "" || g.Type == "" {
			return nil, fmt.Errorf("consensus: genesis line %d: address and type are required", line)
		}
		if _, err := parseAmount(g.Value); err != nil {
			return nil, fmt.Errorf("consensus: genesis line %d: %w", line, err)
		}
		for _, v := range g.Vesting {
			if _, err := parseAmount(v.Value); err != nil {
				return nil, fmt.Errorf("consensus: genesis line %d: %w", line, err)
			}
		}
		out = append(out, g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("consensus: reading genesis: %w", err)
	}
	return out, nil
}

// applyGenesis writes the genesis accounts and their vesting schedule into
// the first block's overlay (they exist before any operation of it).
func (b *blockCtx) applyGenesis() error {
	vest := map[uint64][]Vesting{}
	var heights []uint64
	for _, g := range b.p.Genesis {
		v, err := parseAmount(g.Value)
		if err != nil {
			return err
		}
		wl := true
		if g.ReceiveWhitelisted != nil {
			wl = *g.ReceiveWhitelisted
		}
		acct, err := b.account(g.Address, g.Type)
		if err != nil {
			return err
		}
		if acct == nil {
			acct = &Account{Address: g.Address, Type: g.Type, Credit: "0", Debit: "0"}
		}
		c := new(big.Int).Add(mustBig(acct.Credit), v)
		acct.Credit = c.String()
		acct.LockTransferBlockID = g.LockSend
		acct.ReceiveWhitelisted = wl
		b.st.putAccount(acct)
		for _, vs := range g.Vesting {
			amt, err := parseAmount(vs.Value)
			if err != nil {
				return err
			}
			if _, ok := vest[vs.Block]; !ok {
				heights = append(heights, vs.Block)
			}
			vest[vs.Block] = append(vest[vs.Block], Vesting{Address: g.Address, Type: g.Type, Value: amt.String()})
		}
	}
	for _, h := range heights {
		b.st.putVesting(h, vest[h])
	}
	return nil
}

func mustBig(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return new(big.Int)
	}
	return v
}
