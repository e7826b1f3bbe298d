package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
)

const (
	namesPerPage   = 100 // GET /v1/names, /v1/namespaces/{ns}/names
	historyPerPage = 20  // GET /v1/names/{name}/history
)

// nameInfo is GET /v1/names/{name}'s answer (rpc.py GET_name_info), in the
// reference's field order.
type nameInfo struct {
	Status          string  `json:"status"`
	Zonefile        *string `json:"zonefile"`
	ZonefileHash    *string `json:"zonefile_hash"`
	Address         string  `json:"address"`
	LastTxid        string  `json:"last_txid"`
	Blockchain      string  `json:"blockchain"`
	ExpireBlock     int64   `json:"expire_block"`
	RenewalDeadline int64   `json:"renewal_deadline"`
	GracePeriod     bool    `json:"grace_period"`
	Resolver        *string `json:"resolver"`
	DID             any     `json:"did"`
}

// nameState is a name as the reference's REST layer saw it at the tip:
// the record with its deadlines, or why there is none.
type nameState struct {
	st              *consensus.NameStatus
	expireBlock     int64 // -1: never expires
	renewalDeadline int64
	grace           bool
	expired         bool // past the renewal deadline: "Name expired"
}

// lookupName loads a name at the view's tip. nil without error: no such
// name (never registered, or its namespace is gone).
func (q *request) lookupName(name string) (*nameState, error) {
	st, err := q.cv.NameStatus(name, q.tip)
	if err != nil || st == nil || st.Namespace == nil {
		return nil, err
	}
	ns := &nameState{st: st, expireBlock: -1, renewalDeadline: -1}
	if st.NeverExpires {
		if !st.Alive {
			// A name of a revealed namespace whose reveal expired: the
			// reference found no namespace for it.
			return nil, nil
		}
		return ns, nil
	}
	ns.expireBlock, ns.renewalDeadline = int64(st.ExpireBlock), int64(st.RenewalDeadline)
	last := int64(q.tip)
	// client.py get_name_record: only a name past its renewal deadline is
	// gone; between expire_block and the deadline it is in grace.
	if ns.renewalDeadline > 0 && last >= ns.renewalDeadline {
		ns.expired = true
	} else if ns.renewalDeadline > 0 && last >= ns.expireBlock {
		ns.grace = true
	}
	return ns, nil
}

// validName is the reference's check_name (subdomains are not served).
func validName(name string) bool { return ops.IsNameValid(name) }

func (q *request) nameInfo() {
	name := q.args[0]
	if !validName(name) {
		q.fail(http.StatusBadRequest, "Invalid name or subdomain")
		return
	}
	if !q.needBlocks() {
		return
	}
	ns, err := q.lookupName(name)
	if err != nil {
		q.unavailable(err)
		return
	}
	if ns == nil {
		q.json(http.StatusNotFound, map[string]string{"status": "available"})
		return
	}
	if ns.expired {
		q.fail(http.StatusNotFound, "Name expired")
		return
	}
	rec := ns.st.Record
	status := "registered"
	if rec.Revoked {
		status = "revoked"
	}
	zf, err := q.currentZonefile(rec)
	if err != nil {
		q.unavailable(err)
		return
	}
	did, err := q.did(name)
	if err != nil {
		q.unavailable(err)
		return
	}
	var zfText *string
	if zf != nil {
		s := string(zf)
		zfText = &s
	}
	q.json(http.StatusOK, nameInfo{
		Status: status, Zonefile: zfText, ZonefileHash: rec.ValueHash, Address: rec.Address,
		LastTxid: rec.Txid, Blockchain: "bitcoin", ExpireBlock: ns.expireBlock,
		RenewalDeadline: ns.renewalDeadline, GracePeriod: ns.grace, Resolver: nil, DID: did,
	})
}

// did returns the name's DID, did:stack:v0:ADDRESS-INDEX, where ADDRESS
// created the name (its latest registration or first import) and INDEX
// counts that address's earlier creations (db.py
// namedb_get_name_DID_info); or the reference's error object when the
// name has no creation.
func (q *request) did(name string) (any, error) {
	var addr string
	var idx int
	var found bool
	err := q.s.idx.lookupAt(q.r.Context(), q.view, true, q.tip, q.ch, func(x *chainIndex) {
		addr, idx, found = x.did(name, q.tip)
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return map[string]string{"error": "Not supported for this name"}, nil
	}
	return "did:stack:v0:" + addr + "-" + strconv.Itoa(idx), nil
}

// parseHistoryPage is GET_name_history's page check: absent means 0;
// fewer than 10 characters, an integer, 0 ≤ page ≤ 2^32−1.
func parseHistoryPage(s string, present bool) (uint64, bool) {
	if !present {
		return 0, true
	}
	if len(s) >= 10 {
		return 0, false
	}
	n, ok := pyInt(s)
	if !ok || n < 0 || n > 1<<32-1 {
		return 0, false
	}
	return uint64(n), true
}

// pyInt parses an integer the way Python's int() does for short strings:
// surrounding whitespace and a sign allowed.
func pyInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func (q *request) nameHistory() {
	name := q.args[0]
	if !validName(name) {
		q.fail(http.StatusBadRequest, "Invalid name or subdomain")
		return
	}
	pageArg, present := q.q["page"]
	page, ok := parseHistoryPage(pageArg, present)
	if !ok {
		q.fail(http.StatusBadRequest, "Invalid page")
		return
	}
	if !q.needBlocks() {
		return
	}
	hist, err := q.cv.NameHistory(name)
	if err != nil {
		q.unavailable(err)
		return
	}
	// Newest first: by height, then vtxindex, descending (the store keeps
	// them ascending, with a preorder at its own height).
	rows := make([]consensus.HistoryEntry, 0, len(hist))
	for i := len(hist) - 1; i >= 0; i-- {
		rows = append(rows, hist[i])
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Height != rows[j].Height {
			return rows[i].Height > rows[j].Height
		}
		return rows[i].Vtxindex > rows[j].Vtxindex
	})
	// The reference asked for LIMIT (page+1)·20 OFFSET page·20
	// (blockstackd.py rpc_get_name_history_page): page N holds up to
	// 20·(N+1) rows.
	off := page * historyPerPage
	if off >= uint64(len(rows)) {
		q.fail(http.StatusNotFound, "Not found")
		return
	}
	end := min(uint64(len(rows)), off+(page+1)*historyPerPage)
	out := &orderedObject{}
	var cur *[]any
	curH := uint64(0)
	for i := off; i < end; i++ {
		e := rows[i]
		if cur == nil || e.Height != curH {
			list := []any{}
			cur, curH = &list, e.Height
			out.add(strconv.FormatUint(e.Height, 10), cur)
		}
		*cur = append(*cur, historyRecord(hist, e))
	}
	q.json(http.StatusOK, out)
}

// opcodeNames are the reference's opcode names of name history rows.
var opcodeNames = map[string]string{
	"?": "NAME_PREORDER", ";": "NAME_IMPORT", "+": "NAME_UPDATE", ">": "NAME_TRANSFER", "~": "NAME_REVOKE",
}

// historyRecord renders one history row: the record after the operation
// (or the consumed preorder) with its opcode name, as namedb_history_extract
// returned it.
func historyRecord(hist []consensus.HistoryEntry, e consensus.HistoryEntry) any {
	o := &orderedObject{}
	if e.Preorder != nil {
		p := e.Preorder
		o.add("preorder_hash", p.PreorderHash)
		o.add("consensus_hash", p.ConsensusHash)
		o.add("sender", p.Sender)
		o.add("sender_pubkey", p.SenderPubkey)
		o.add("address", p.Address)
		o.add("block_number", p.BlockNumber)
		o.add("op", p.Op)
		o.add("op_fee", p.OpFee)
		o.add("txid", p.Txid)
		o.add("vtxindex", p.Vtxindex)
		o.add("burn_address", p.BurnAddress)
		o.add("token_fee", p.TokenFee)
		o.add("token_units", p.TokenUnits)
		o.add("opcode", "NAME_PREORDER")
		return o
	}
	r := e.Record
	if r == nil {
		o.add("op", e.Op)
		o.add("txid", e.Txid)
		o.add("vtxindex", e.Vtxindex)
		o.add("block_number", e.Height)
		return o
	}
	opcode := opcodeNames[e.Op]
	if e.Op == ":" {
		opcode = "NAME_RENEWAL"
		if r.FirstRegistered == e.Height {
			opcode = "NAME_REGISTRATION"
		}
	}
	o.add("name", r.Name)
	o.add("value_hash", r.ValueHash)
	o.add("sender", r.Sender)
	o.add("sender_pubkey", r.SenderPubkey)
	o.add("address", r.Address)
	o.add("block_number", r.BlockNumber)
	o.add("preorder_block_number", r.PreorderBlockNumber)
	o.add("first_registered", r.FirstRegistered)
	o.add("last_renewed", r.LastRenewed)
	o.add("revoked", r.Revoked)
	o.add("op", r.Op)
	o.add("txid", r.Txid)
	o.add("vtxindex", r.Vtxindex)
	o.add("op_fee", r.OpFee)
	o.add("importer", r.Importer)
	o.add("importer_address", r.ImporterAddress)
	o.add("preorder_hash", r.PreorderHash)
	o.add("consensus_hash", r.ConsensusHash)
	o.add("namespace_id", r.NamespaceID)
	o.add("namespace_block_number", r.NamespaceBlockNumber)
	o.add("token_fee", r.TokenFee)
	o.add("opcode", opcode)
	_ = hist
	return o
}

// parseListPage is GET_names' page check: required, an integer ≥ 0.
func (q *request) parseListPage() (uint64, bool) {
	s, ok := q.q["page"]
	if !ok {
		q.fail(http.StatusBadRequest, "page= argument required")
		return 0, false
	}
	n, ok := pyInt(s)
	if !ok || n < 0 || n > 1<<40 {
		q.fail(http.StatusBadRequest, "Invalid page= value")
		return 0, false
	}
	return uint64(n), true
}

func pageOf(all []string, page uint64) []string {
	off := page * namesPerPage
	if off >= uint64(len(all)) {
		return []string{}
	}
	return all[off:min(uint64(len(all)), off+namesPerPage)]
}

func truthy(s string) bool {
	s = strings.ToLower(s)
	return s == "1" || s == "true"
}

// allNames is GET /v1/names?page=N[&all=true].
func (q *request) allNames() {
	page, ok := q.parseListPage()
	if !ok || !q.needBlocks() {
		return
	}
	names, err := q.names(truthy(q.q["all"]))
	if err != nil {
		q.unavailable(err)
		return
	}
	q.json(http.StatusOK, pageOf(names, page))
}

// names lists the names at the tip, sorted: listed ones, or with all
// every name ever registered.
func (q *request) names(all bool) ([]string, error) {
	if !all {
		return q.cv.ListedNames(q.tip)
	}
	var out []string
	err := q.cv.EachName(func(r *consensus.NameRecord) (bool, error) {
		out = append(out, r.Name)
		return true, nil
	})
	sort.Strings(out)
	return out, err
}

func (q *request) nameCount() {
	if q.args[0] != "bitcoin" {
		q.fail(http.StatusNotFound, "Unsupported blockchain")
		return
	}
	if !q.needBlocks() {
		return
	}
	names, err := q.names(truthy(q.q["all"]))
	if err != nil {
		q.unavailable(err)
		return
	}
	q.json(http.StatusOK, map[string]int{"names_count": len(names)})
}

func (q *request) consensusHash() {
	if q.args[0] != "bitcoin" {
		q.fail(http.StatusNotFound, "Unsupported blockchain")
		return
	}
	if !q.needBlocks() {
		return
	}
	q.json(http.StatusOK, map[string]string{"consensus_hash": q.ch})
}
