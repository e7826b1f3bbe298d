package consensus

import (
	"math/big"
	"math/bits"
	"strings"

	"github.com/spvcheck/spvcheck/ops"
)

// Prices (state-machine.md §6). A price is either a float64 (epochs
// without INT_DIVISION, computed in the reference's exact operation order)
// or an exact integer (INT_DIVISION epochs); Price keeps which.
type Price struct {
	// IsFloat selects F (float64) or I (exact integer).
	IsFloat bool
	F       float64
	I       *big.Int
}

// Less reports whether an integer payment is below the price, the way
// Python 2 compares int < float / int < long.
func (p Price) Less(paid *big.Int) bool {
	if p.IsFloat {
		f, _ := new(big.Float).SetInt(paid).Float64()
		// Python compares int and float exactly; the paid amounts fit
		// float64 exactly (below 2^53) in every chain we replay.
		return f < p.F
	}
	return paid.Cmp(p.I) < 0
}

// Int truncates the price toward zero, as Python's int() does.
func (p Price) Int() *big.Int {
	if p.IsFloat {
		b, _ := new(big.Float).SetFloat64(p.F).Int(nil)
		return b
	}
	return new(big.Int).Set(p.I)
}

const vowels = "aeiouy"
const nonalpha = "0123456789-_"

// priceName is price_name(label, namespace, height) (F scripts.py:213-285).
func (p *Params) priceName(label string, ns *Namespace, height uint64) Price {
	pr, iv, ok := p.priceNameFast(label, ns, height)
	if !ok {
		return p.priceNameBig(label, ns, height)
	}
	if !pr.IsFloat {
		pr.I = new(big.Int).SetUint64(iv)
	}
	return pr
}

// priceFactors are the inputs of price_name common to both forms.
func (p *Params) priceFactors(label string, ns *Namespace) (units uint64, stx bool, exp, discount int) {
	units = p.NameCostUnit
	stx = ns.Version == 3
	if stx {
		units = p.NameCostUnitStacks
	}
	exp = ns.Buckets[15]
	if len(label) < 16 && len(label) > 0 {
		exp = ns.Buckets[len(label)-1]
	}
	discount = 1
	if !strings.ContainsAny(label, vowels) && ns.NoVowelDiscount > discount {
		discount = ns.NoVowelDiscount
	}
	if strings.ContainsAny(label, nonalpha) && ns.NonalphaDiscount > discount {
		discount = ns.NonalphaDiscount
	}
	return units, stx, exp, discount
}

// priceNameFast is priceName in machine integers, for the common case
// where every intermediate value fits: ok is false when one might not, and
// priceNameBig must decide. An integer price is returned as iv (pr.I nil).
// It performs the same operations as priceNameBig on the same values: the
// integer steps are exact in both, and the float path converts the same
// integer (below 2^53, so exactly) before the same float64 operations.
func (p *Params) priceNameFast(label string, ns *Namespace, height uint64) (pr Price, iv uint64, ok bool) {
	units, stx, exp, discount := p.priceFactors(label, ns)
	if ns.Base < 0 || ns.Coeff < 0 || exp < 0 {
		return Price{}, 0, false
	}
	raw := uint64(1)
	for range exp {
		hi, lo := bits.Mul64(raw, uint64(ns.Base))
		if hi != 0 {
			return Price{}, 0, false
		}
		raw = lo
	}
	hi, raw := bits.Mul64(raw, uint64(ns.Coeff))
	if hi != 0 {
		return Price{}, 0, false
	}
	rules := p.NamespaceRules(height, ns.NamespaceID)
	if p.Features(height).Has(ops.FeatureIntDivision) {
		hi, v := bits.Mul64(raw, units)
		if hi != 0 {
			return Price{}, 0, false
		}
		v /= uint64(discount)
		if v < units {
			v = units
		}
		return Price{}, v / priceDivisor(rules, stx), true
	}
	if raw > 1<<53 {
		return Price{}, 0, false
	}
	return Price{IsFloat: true, F: floatPrice(float64(raw), discount, units, rules, stx)}, 0, true
}

// floatPrice is the float arithmetic of price_name before epoch 4, from
// the exponential part raw (already a float64, as the reference converts
// it): divided by the discount, times the unit cost, at least the unit
// cost, times the epoch's price multiplier.
func floatPrice(raw float64, discount int, units uint64, rules NamespaceRules, stx bool) float64 {
	f := raw / float64(discount)
	f = f * float64(units)
	if f < float64(units) {
		f = float64(units)
	}
	m := rules.PriceMultiplier
	if stx {
		m = rules.PriceMultiplierStacks
	}
	if !rules.HasPriceMultiplier && !stx {
		m = 1.0
	}
	return f * m
}

// priceDivisor is the epoch's integer price divisor (STACKS or BTC), at
// least 1.
func priceDivisor(rules NamespaceRules, stx bool) uint64 {
	div := rules.PriceDivisor
	if stx {
		div = rules.PriceDivisorStacks
	}
	return max(div, 1)
}

// paidFast reports that paid covers a price from priceNameFast (an integer
// one given as iv), as !Price.Less would: integers compared directly, a
// float price against the payment converted to float64, which is exact
// (as Less's conversion is) only up to 2^53, so a larger payment gets
// false and the general path decides.
func paidFast(pr Price, iv, paid uint64) bool {
	if pr.IsFloat {
		return paid <= 1<<53 && float64(paid) >= pr.F
	}
	return paid >= iv
}

// priceNameBig is priceName in math/big, for any inputs.
func (p *Params) priceNameBig(label string, ns *Namespace, height uint64) Price {
	units, stx, exp, discount := p.priceFactors(label, ns)
	raw := new(big.Int).Exp(big.NewInt(int64(ns.Base)), big.NewInt(int64(exp)), nil)
	raw.Mul(raw, big.NewInt(int64(ns.Coeff)))
	rules := p.NamespaceRules(height, ns.NamespaceID)
	if p.Features(height).Has(ops.FeatureIntDivision) {
		v := new(big.Int).Mul(raw, new(big.Int).SetUint64(units))
		v.Quo(v, big.NewInt(int64(discount)))
		if v.Cmp(new(big.Int).SetUint64(units)) < 0 {
			v.SetUint64(units)
		}
		v.Quo(v, new(big.Int).SetUint64(priceDivisor(rules, stx)))
		return Price{I: v}
	}
	f, _ := new(big.Float).SetInt(raw).Float64()
	return Price{IsFloat: true, F: floatPrice(f, discount, units, rules, stx)}
}

// priceNameStacks is price_name_stacks: int(price_name) · num / den (floor).
func (p *Params) priceNameStacks(label string, ns *Namespace, height uint64) *big.Int {
	v := p.priceName(label, ns, height).Int()
	v.Mul(v, new(big.Int).SetUint64(p.MicroStacksPerSatNum))
	return v.Quo(v, new(big.Int).SetUint64(p.MicroStacksPerSatDen))
}

// priceNamespace is price_namespace(id, height, units); ok is false when the
// epoch's table for those units is None.
func (p *Params) priceNamespace(id string, height uint64, units string) (*big.Int, bool) {
	e := p.Epoch(height)
	t := e.NamespacePricesBTC
	if units == unitsStacks {
		t = e.NamespacePricesStacks
	}
	if t == nil || len(id) >= len(t) {
		return nil, false
	}
	return new(big.Int).SetUint64(t[len(id)]), true
}
