package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/spvcheck/spvcheck/consensus/snv"
)

// staleBlocks is how far the store may trail the best known Bitcoin block
// before /v1/info calls it stale.
const staleBlocks = 6

func (q *request) ping() {
	q.json(http.StatusOK, map[string]string{"status": "alive", "version": q.s.cfg.Version})
}

// info is GET /v1/info (blockstackd.py rpc_getinfo), in its field order.
func (q *request) info() {
	if !q.needBlocks() {
		return
	}
	cfg := &q.s.cfg
	seen := q.tip
	if cfg.LastBlockSeen != nil {
		seen = max(seen, cfg.LastBlockSeen())
	}
	o := &orderedObject{}
	o.add("last_block_seen", seen)
	o.add("consensus", q.ch)
	o.add("server_version", cfg.Version)
	o.add("last_block_processed", q.tip)
	o.add("server_alive", true)
	o.add("indexing", cfg.Indexing != nil && cfg.Indexing())
	o.add("testnet", cfg.Params.Name != "mainnet")
	o.add("first_block", cfg.Params.FirstBlock)
	if cfg.Zonefiles != nil {
		hs, err := cfg.Zonefiles.Hashes()
		if err != nil {
			q.unavailable(err)
			return
		}
		o.add("zonefile_count", len(hs))
	}
	warning := ""
	if seen > q.tip+staleBlocks {
		o.add("stale", true)
		warning = "Daemon is behind the chain tip.  Do not rely on it for fresh information."
	}
	if cfg.Safeguards != nil {
		g, ok, err := cfg.Safeguards()
		if err != nil {
			q.unavailable(err)
			return
		}
		if ok {
			o.add("safeguards", g)
			switch {
			case g.CheckpointMismatch:
				warning = "The verified state disagrees with a published consensus hash the final rules reproduce."
			case g.Alarm.Raised:
				warning = "Divergence alarm: " + g.Alarm.String()
			}
		}
	}
	if warning != "" {
		o.add("warning", warning)
	}
	q.json(http.StatusOK, o)
}

// nameProof is GET /v1/names/{name}/proof?trusted_height=H: the SNV proof
// of the latest block at or below H holding a record of the name, exactly
// the JSON document 'spvcheck prove NAME --trusted-height H' writes.
func (q *request) nameProof() {
	name := q.args[0]
	if !validName(name) {
		q.fail(http.StatusBadRequest, "Invalid name or subdomain")
		return
	}
	if !q.needBlocks() {
		return
	}
	th := q.tip
	if s, ok := q.q["trusted_height"]; ok {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			q.fail(http.StatusBadRequest, "Invalid trusted_height")
			return
		}
		th = n
	}
	first := q.s.cfg.Params.FirstBlock
	if th > q.tip {
		q.fail(http.StatusBadRequest, "trusted_height "+strconv.FormatUint(th, 10)+" is above the verified tip "+strconv.FormatUint(q.tip, 10))
		return
	}
	if th < first {
		q.fail(http.StatusBadRequest, "trusted_height "+strconv.FormatUint(th, 10)+" is below the first block "+strconv.FormatUint(first, 10))
		return
	}
	proof, err := snv.Build(q.r.Context(), snv.WithFirstBlock(q.view, first), snv.Target{Select: snv.ByName(name)}, th, snv.BuildOptions{})
	if err != nil {
		if errors.Is(err, snv.ErrNotFound) || errors.Is(err, snv.ErrNotSelected) {
			q.fail(http.StatusNotFound, "No such name")
			return
		}
		q.unavailable(err)
		return
	}
	b, err := snv.Encode(proof, snv.JSON)
	if err != nil {
		q.unavailable(err)
		return
	}
	q.w.Header().Set("Content-Type", "application/json")
	q.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	q.w.WriteHeader(http.StatusOK)
	q.w.Write(b)
}
