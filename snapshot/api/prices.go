package api

import (
	"math/big"
	"net/http"

	"github.com/spvcheck/spvcheck/consensus"
)

// Prices are computed under the consensus price rules of the next block
// (tip+1), the block an operation sent now would be checked in, and
// rounded up to a whole unit as the reference's get_name_cost and
// get_namespace_cost did: satoshis for "BTC", micro-STX for "STACKS".

// priceV2 is the v2 price object: the amount as a decimal string (for
// JavaScript clients that cannot hold large integers), its units, and for
// BTC prices the amount again as an integer "satoshis", as the reference's
// GET_prices_name and GET_prices_namespace added it (core-api.md).
type priceV2 struct {
	Amount   string   `json:"amount"`
	Units    string   `json:"units"`
	Satoshis *big.Int `json:"satoshis,omitempty"`
}

func newPriceV2(amount *big.Int, units string) priceV2 {
	p := priceV2{Amount: amount.String(), Units: units}
	if units == consensus.UnitsBTC {
		p.Satoshis = amount
	}
	return p
}

func (q *request) namePrice(v2 bool) {
	name := q.args[0]
	if !validName(name) {
		q.fail(http.StatusBadRequest, "Invalid name")
		return
	}
	if !q.needBlocks() {
		return
	}
	amount, units, ok, err := q.cv.NamePrice(name, q.tip+1)
	if err != nil {
		q.unavailable(err)
		return
	}
	if !ok {
		q.fail(http.StatusNotFound, "Unknown/invalid namespace")
		return
	}
	if v2 {
		q.json(http.StatusOK, map[string]priceV2{"name_price": newPriceV2(amount, units)})
		return
	}
	if units != consensus.UnitsBTC {
		q.fail(http.StatusBadRequest, "Not priced in BTC.  Try /v2/prices/names/"+name)
		return
	}
	q.json(http.StatusOK, map[string]map[string]*big.Int{"name_price": {"satoshis": amount}})
}

func (q *request) namespacePrice(v2 bool) {
	id := q.args[0]
	if !validNamespace(id) {
		q.fail(http.StatusBadRequest, "Invalid namespace")
		return
	}
	if !q.needBlocks() {
		return
	}
	amount, units, ok := q.cv.NamespacePrice(id, q.tip+1)
	if !ok {
		q.fail(http.StatusNotFound, "Invalid namespace")
		return
	}
	if v2 {
		q.json(http.StatusOK, newPriceV2(amount, units))
		return
	}
	if units != consensus.UnitsBTC {
		q.fail(http.StatusBadRequest, "Not priced in BTC.  Try /v2/prices/namespace/"+id)
		return
	}
	q.json(http.StatusOK, map[string]*big.Int{"satoshis": amount})
}

func (q *request) namePriceV1()      { q.namePrice(false) }
func (q *request) namePriceV2()      { q.namePrice(true) }
func (q *request) namespacePriceV1() { q.namespacePrice(false) }
func (q *request) namespacePriceV2() { q.namespacePrice(true) }
