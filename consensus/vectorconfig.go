package consensus

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/spvcheck/spvcheck/ops"
)

// vectorConfig is the `config` object of a replay vector scenario
// (testvectors/replay/README.md "Configuration"; replay-final/README.md).
type vectorConfig struct {
	Version               string           `json:"-"`
	Rules                 string           `json:"rules"`
	FirstBlock            *uint64          `json:"first_block"`
	FirstBlockMainnet     *uint64          `json:"FIRST_BLOCK_MAINNET"`
	ImportKeyringSize     *int             `json:"NAME_IMPORT_KEYRING_SIZE"`
	NamespaceRevealExpire *uint64          `json:"NAMESPACE_REVEAL_EXPIRE"`
	NamePreorderExpire    *uint64          `json:"NAME_PREORDER_EXPIRE"`
	MaxNamesPerSender     *int             `json:"MAX_NAMES_PER_SENDER"`
	Namespace1CharCost    *float64         `json:"NAMESPACE_1_CHAR_COST"`
	NameCostUnit          *uint64          `json:"NAME_COST_UNIT"`
	NameCostUnitStacks    *uint64          `json:"NAME_COST_UNIT_STACKS"`
	MicroStacksNum        *uint64          `json:"MICROSTACKS_PER_SATOSHI_NUM"`
	MicroStacksDen        *uint64          `json:"MICROSTACKS_PER_SATOSHI_DEN"`
	BurnAddress           string           `json:"BURN_ADDRESS"`
	ConsensusHashWindow   *uint64          `json:"CONSENSUS_HASH_WINDOW"`
	AddressVersionByte    *int             `json:"ADDRESS_VERSION_BYTE"`
	LifetimeMultiplier    *uint64          `json:"NAMESPACE_LIFETIME_MULTIPLIER"`
	P2SHSendersAllowed    bool             `json:"p2sh_senders_allowed"`
	RenewalPubkeyFromTx   bool             `json:"renewal_sender_pubkey_from_tx"`
	Epochs                []vectorEpoch    `json:"epochs"`
	Genesis               []GenesisAccount `json:"genesis"`
}

type vectorEpoch struct {
	EndBlock              int64                           `json:"end_block"`
	Features              []string                        `json:"features"`
	Namespaces            map[string]vectorNamespaceRules `json:"namespaces"`
	DefaultNamespace      *vectorNamespaceRules           `json:"default_namespace"`
	NamespacePrices       []*float64                      `json:"namespace_prices"`
	NamespacePricesStacks []*float64                      `json:"namespace_prices_stacks"`
}

type vectorNamespaceRules struct {
	LifetimeMultiplier    *uint64  `json:"NAMESPACE_LIFETIME_MULTIPLIER"`
	GracePeriod           *uint64  `json:"NAMESPACE_LIFETIME_GRACE_PERIOD"`
	PriceMultiplier       *float64 `json:"PRICE_MULTIPLIER"`
	PriceMultiplierStacks *float64 `json:"PRICE_MULTIPLIER_STACKS"`
	PriceDivisor          *uint64  `json:"PRICE_DIVISOR"`
	PriceDivisorStacks    *uint64  `json:"PRICE_DIVISOR_STACKS"`
	ReceiveFeesPeriod     *uint64  `json:"NAMESPACE_RECEIVE_FEES_PERIOD"`
}

func (v vectorNamespaceRules) rules() NamespaceRules {
	r := NamespaceRules{LifetimeMultiplier: 1}
	if v.LifetimeMultiplier != nil {
		r.LifetimeMultiplier = *v.LifetimeMultiplier
	}
	if v.GracePeriod != nil {
		r.GracePeriod = *v.GracePeriod
	}
	if v.PriceMultiplier != nil {
		r.PriceMultiplier, r.HasPriceMultiplier = *v.PriceMultiplier, true
	}
	if v.PriceMultiplierStacks != nil {
		r.PriceMultiplierStacks = *v.PriceMultiplierStacks
	}
	if v.PriceDivisor != nil {
		r.PriceDivisor = *v.PriceDivisor
	}
	if v.PriceDivisorStacks != nil {
		r.PriceDivisorStacks = *v.PriceDivisorStacks
	}
	if v.ReceiveFeesPeriod != nil {
		r.ReceiveFeesPeriod = *v.ReceiveFeesPeriod
	}
	return r
}

func priceTable(in []*float64) ([]uint64, error) {
	if in == nil {
		return nil, nil
	}
	t := make([]uint64, len(in))
	for i, v := range in {
		if v == nil {
			continue
		}
		if *v < 0 || *v != math.Trunc(*v) || *v > 1<<62 {
			return nil, fmt.Errorf("namespace price %v is not a whole amount", *v)
		}
		t[i] = uint64(*v)
	}
	return t, nil
}

// ParamsFromVectorConfig builds the Params of one recorded replay scenario
// from its version ("0.13", "0.14", "0.14.1", "final-v1") and its config
// object. The test builds' rule variants (Rules) follow from the version and
// the config keys p2sh_senders_allowed / renewal_sender_pubkey_from_tx; the
// epoch table comes from config.epochs, or, for the builds without epochs,
// is one open epoch with the config's constant NAMESPACE_LIFETIME_MULTIPLIER.
func ParamsFromVectorConfig(version string, config json.RawMessage) (*Params, error) {
	var c vectorConfig
	if err := json.Unmarshal(config, &c); err != nil {
		return nil, fmt.Errorf("consensus: vector config: %w", err)
	}
	p := baseParams()
	p.Name = "vector-" + version
	p.AddressVersion, p.P2SHVersion = 0x6f, 0xc4
	switch {
	case c.FirstBlockMainnet != nil:
		p.FirstBlock = *c.FirstBlockMainnet
	case c.FirstBlock != nil:
		p.FirstBlock = *c.FirstBlock
	default:
		return nil, fmt.Errorf("consensus: vector config has no first block")
	}
	if c.ImportKeyringSize != nil {
		p.ImportKeyringSize = *c.ImportKeyringSize
	}
	if c.NamespaceRevealExpire != nil {
		p.NamespaceRevealExpire = *c.NamespaceRevealExpire
	}
	if c.NamePreorderExpire != nil {
		p.NamePreorderExpire = *c.NamePreorderExpire
	}
	if c.MaxNamesPerSender != nil {
		p.MaxNamesPerSender = *c.MaxNamesPerSender
	}
	if c.NameCostUnit != nil {
		p.NameCostUnit = *c.NameCostUnit
	}
	if c.NameCostUnitStacks != nil {
		p.NameCostUnitStacks = *c.NameCostUnitStacks
	}
	if c.MicroStacksNum != nil && c.MicroStacksDen != nil {
		p.MicroStacksPerSatNum, p.MicroStacksPerSatDen = *c.MicroStacksNum, *c.MicroStacksDen
	}
	if c.ConsensusHashWindow != nil {
		p.ConsensusHashWindow = *c.ConsensusHashWindow
	}
	if c.AddressVersionByte != nil {
		p.AddressVersion = byte(*c.AddressVersionByte)
	}
	p.BurnAddress = burnAddress(p.AddressVersion)
	if c.BurnAddress != "" && c.BurnAddress != p.BurnAddress {
		return nil, fmt.Errorf("consensus: vector burn address %s is not hash160 0 under version %d", c.BurnAddress, p.AddressVersion)
	}
	p.Genesis = c.Genesis

	switch version {
	case "0.13":
		p.Rules = Rules{ExpiryInclusive: true, ClearRevokedAtLifetime: true, SameBlockReady: true, RenewalByState: true}
	case "0.14", "0.14.1":
		p.Rules = Rules{RenewalByState: true}
	case "final-v1":
	default:
		return nil, fmt.Errorf("consensus: unknown vector version %q", version)
	}
	p.Rules.AllowP2SHWithoutMultisig = c.P2SHSendersAllowed
	p.Rules.RenewalSenderPubkeyFromTx = c.RenewalPubkeyFromTx

	btc := btcNamespacePrices(1)
	if c.Namespace1CharCost != nil {
		btc[1] = uint64(*c.Namespace1CharCost)
	}
	if len(c.Epochs) == 0 {
		m := uint64(1)
		if c.LifetimeMultiplier != nil {
			m = *c.LifetimeMultiplier
		}
		p.Epochs = []EpochParams{{Open: true,
			Default:            NamespaceRules{LifetimeMultiplier: m, PriceMultiplier: 1.0, HasPriceMultiplier: true, PriceMultiplierStacks: 1.0},
			NamespacePricesBTC: btc}}
		return &p, nil
	}
	for i, ve := range c.Epochs {
		var e EpochParams
		if ve.EndBlock < 0 || i == len(c.Epochs)-1 {
			e.Open = true
		} else {
			e.EndBlock = uint64(ve.EndBlock)
		}
		for _, name := range ve.Features {
			f, ok := ops.ParseFeature(name)
			if !ok {
				return nil, fmt.Errorf("consensus: unknown epoch feature %q", name)
			}
			e.Features |= f
		}
		ids := make([]string, 0, len(ve.Namespaces))
		for id := range ve.Namespaces {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		switch {
		case ve.DefaultNamespace != nil:
			e.Default = ve.DefaultNamespace.rules()
		default:
			star, ok := ve.Namespaces["*"]
			if !ok {
				return nil, fmt.Errorf("consensus: epoch %d has no default namespace rules", i+1)
			}
			e.Default = star.rules()
		}
		for _, id := range ids {
			if id == "*" {
				continue
			}
			if e.Namespaces == nil {
				e.Namespaces = map[string]NamespaceRules{}
			}
			e.Namespaces[id] = ve.Namespaces[id].rules()
		}
		var err error
		if ve.NamespacePrices != nil || ve.NamespacePricesStacks != nil {
			if e.NamespacePricesBTC, err = priceTable(ve.NamespacePrices); err != nil {
				return nil, err
			}
			if e.NamespacePricesStacks, err = priceTable(ve.NamespacePricesStacks); err != nil {
				return nil, err
			}
		} else {
			e.NamespacePricesBTC = btc
		}
		p.Epochs = append(p.Epochs, e)
	}
	return &p, nil
}
