package api

import (
	"net/http"

	"github.com/btcsuite/btcd/address/v2/base58"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
)

func validNamespace(id string) bool { return ops.IsNamespaceIDValid(id) }

// namespaceAt returns a namespace as the reference's lookups saw it at the
// tip: a ready one, or a revealed one whose reveal has not expired.
func (q *request) namespaceAt(id string) (*consensus.Namespace, error) {
	ns, err := q.cv.Namespace(id)
	if err != nil || ns == nil {
		return nil, err
	}
	if !ns.Ready() && q.tip >= ns.RevealBlock+q.s.cfg.Params.NamespaceRevealExpire {
		return nil, nil
	}
	return ns, nil
}

func (q *request) namespaces() {
	if !q.needBlocks() {
		return
	}
	ids, err := q.cv.ReadyNamespaceIDs()
	if err != nil {
		q.unavailable(err)
		return
	}
	if ids == nil {
		ids = []string{}
	}
	q.json(http.StatusOK, ids)
}

func (q *request) namespaceInfo() {
	id := q.args[0]
	if !validNamespace(id) {
		q.fail(http.StatusBadRequest, "Invalid namespace")
		return
	}
	if !q.needBlocks() {
		return
	}
	ns, err := q.namespaceAt(id)
	if err != nil {
		q.unavailable(err)
		return
	}
	if ns == nil {
		q.fail(http.StatusNotFound, "No such namespace")
		return
	}
	q.json(http.StatusOK, namespaceRecord(ns))
}

// namespaceRecord renders a namespace as rpc_get_namespace_blockchain_record
// did: its fields, its opcode name and whether it is ready.
func namespaceRecord(ns *consensus.Namespace) any {
	o := &orderedObject{}
	opcode := "NAMESPACE_REVEAL"
	if ns.Ready() {
		opcode = "NAMESPACE_READY"
	}
	o.add("namespace_id", ns.NamespaceID)
	o.add("preorder_hash", ns.PreorderHash)
	o.add("version", ns.Version)
	o.add("sender", ns.Sender)
	o.add("sender_pubkey", ns.SenderPubkey)
	o.add("address", ns.Address)
	o.add("recipient", ns.Recipient)
	o.add("recipient_address", ns.RecipientAddress)
	o.add("block_number", ns.BlockNumber)
	o.add("reveal_block", ns.RevealBlock)
	o.add("op", ns.Op)
	o.add("op_fee", ns.OpFee)
	o.add("txid", ns.Txid)
	o.add("vtxindex", ns.Vtxindex)
	o.add("lifetime", ns.Lifetime)
	o.add("coeff", ns.Coeff)
	o.add("base", ns.Base)
	o.add("buckets", ns.Buckets)
	o.add("nonalpha_discount", ns.NonalphaDiscount)
	o.add("no_vowel_discount", ns.NoVowelDiscount)
	o.add("ready_block", ns.ReadyBlock)
	o.add("token_fee", ns.TokenFee)
	o.add("opcode", opcode)
	o.add("ready", ns.Ready())
	return o
}

func (q *request) namespaceNames() {
	id := q.args[0]
	if !validNamespace(id) {
		q.fail(http.StatusBadRequest, "Invalid namespace")
		return
	}
	page, ok := q.parseListPage()
	if !ok || !q.needBlocks() {
		return
	}
	names, err := q.cv.ListedNamesInNamespace(id, q.tip)
	if err != nil {
		q.unavailable(err)
		return
	}
	q.json(http.StatusOK, pageOf(names, page))
}

func (q *request) namespaceNameCount() {
	id := q.args[0]
	if !validNamespace(id) {
		q.fail(http.StatusBadRequest, "Invalid namespace")
		return
	}
	if !q.needBlocks() {
		return
	}
	names, err := q.cv.ListedNamesInNamespace(id, q.tip)
	if err != nil {
		q.unavailable(err)
		return
	}
	q.json(http.StatusOK, map[string]int{"names_count": len(names)})
}

// validAddress is the reference's check_address: a base58 string of 26 to
// 35 characters starting with 1, 2, 3, m or n.
func validAddress(a string) bool {
	if len(a) < 26 || len(a) > 35 || !containsByte("123mn", a[0]) {
		return false
	}
	for i := 1; i < len(a); i++ {
		if !containsByte("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", a[i]) {
			return false
		}
	}
	return true
}

func containsByte(set string, c byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

// reencode renders addr under this network's version bytes, as the
// reference's address_reencode did before looking names up: a mainnet
// address asks about the same key on a test network and the other way
// round.
func reencode(p *consensus.Params, addr string) string {
	payload, version, err := base58.CheckDecode(addr)
	if err != nil || len(payload) != 20 {
		return addr
	}
	switch version {
	case 0x00, 0x6f:
		return base58.CheckEncode(payload, p.AddressVersion)
	case 0x05, 0xc4:
		return base58.CheckEncode(payload, p.P2SHVersion)
	}
	return addr
}

// namesOwned is GET /v1/addresses/{blockchain}/{address}.
func (q *request) namesOwned() {
	chain, addr := q.args[0], q.args[1]
	if !validAddress(addr) {
		q.fail(http.StatusBadRequest, "Invalid address")
		return
	}
	if chain != "bitcoin" {
		q.fail(http.StatusNotFound, "Unsupported blockchain")
		return
	}
	if !q.needBlocks() {
		return
	}
	names, err := q.cv.NamesOwnedBy(reencode(q.s.cfg.Params, addr), q.tip)
	if err != nil {
		q.unavailable(err)
		return
	}
	if names == nil {
		names = []string{}
	}
	q.json(http.StatusOK, map[string][]string{"names": names})
}
