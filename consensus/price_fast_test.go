package consensus

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestPriceNameFastMatchesBig checks that the machine-integer price path
// gives what the math/big one gives, bit for bit, whenever it answers.
func TestPriceNameFastMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	labels := []string{"a", "bcd", "xyz9", "hello", "h-ll_", "aaaaaaaaaaaaaaaaaaaa", "q", "0", "abcdefghijklmno", "zz"}
	for _, p := range []*Params{Regtest(), Mainnet()} {
		var heights []uint64
		for _, e := range p.Epochs {
			heights = append(heights, e.EndBlock, e.EndBlock+1)
		}
		answered := 0
		for i := 0; i < 20000; i++ {
			ns := &Namespace{NamespaceID: "test", Version: 1 + rng.IntN(3), Coeff: rng.IntN(256), Base: rng.IntN(256),
				NonalphaDiscount: rng.IntN(16), NoVowelDiscount: rng.IntN(16)}
			for j := range ns.Buckets {
				ns.Buckets[j] = rng.IntN(16)
			}
			if i%5 == 0 {
				ns.Base = rng.IntN(4)
			}
			label := labels[rng.IntN(len(labels))]
			h := heights[rng.IntN(len(heights))]
			pr, iv, ok := p.priceNameFast(label, ns, h)
			if !ok {
				continue
			}
			answered++
			want := p.priceNameBig(label, ns, h)
			got := p.priceName(label, ns, h)
			if want.IsFloat != pr.IsFloat || got.IsFloat != want.IsFloat {
				t.Fatalf("%+v %q %d: float %v, want %v", ns, label, h, pr.IsFloat, want.IsFloat)
			}
			if want.IsFloat {
				if math.Float64bits(pr.F) != math.Float64bits(want.F) || math.Float64bits(got.F) != math.Float64bits(want.F) {
					t.Fatalf("%+v %q %d: %v, want %v", ns, label, h, pr.F, want.F)
				}
			} else if !want.I.IsUint64() || want.I.Uint64() != iv || got.I.Cmp(want.I) != 0 {
				t.Fatalf("%+v %q %d: %d, want %v", ns, label, h, iv, want.I)
			}
			// The payment check's fast answer, on payments around the
			// price: when it says paid, Less must agree.
			base := iv
			if want.IsFloat {
				base = uint64(min(want.F, 1<<62))
			}
			for _, paid := range []uint64{0, base - 1, base, base + 1, rng.Uint64N(2 * (base + 1)), 1<<53 + 1, math.MaxUint64} {
				fast, less := paidFast(pr, iv, paid), want.Less(new(big.Int).SetUint64(paid))
				if fast && less {
					t.Fatalf("%+v %q %d: %d accepted by the fast path, below %v", ns, label, h, paid, priceString(want))
				}
				// Below 2^53 (and always for integer prices) it decides alone.
				if (!want.IsFloat || paid <= 1<<53) && fast == less {
					t.Fatalf("%+v %q %d: fast path and Less differ on %d", ns, label, h, paid)
				}
			}
		}
		if answered < 1000 {
			t.Fatalf("%s: the fast path answered only %d times", p.Name, answered)
		}
	}
}
