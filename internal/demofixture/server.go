package demofixture

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/snv"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv/pipeline"
	"github.com/spvcheck/spvcheck/spv/regtest/scenario"
)

// Server answers GET /v1/info, /v1/names/{name} and
// /v1/names/{name}/proof?trusted_height=H from a demo store, in the shapes
// the name server (snapshot/api) is specified to give. Anything else is
// a 404, so a page that needs more fails its test.
type Server struct {
	store  *snapshot.Store
	params *consensus.Params
	zones  map[string]string // zone-file hash -> text, from the demo script
	// Alter, when set, may change a /v1/names/{name} answer before it is
	// written: a lying server. Set it before serving.
	Alter func(name string, answer map[string]any)
}

// OpenServer opens the demo data directory's store read-only.
func OpenServer(ctx context.Context, datadir string) (*Server, error) {
	s, err := snapshot.Open(ctx, filepath.Join(datadir, "store"), snapshot.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	net, err := pipeline.NetworkByName(s.Network())
	if err != nil {
		s.Close()
		return nil, err
	}
	zones := map[string]string{}
	for _, st := range scenario.Default().Steps {
		for _, e := range st.Ops {
			var zone string
			switch op := e.Op.(type) {
			case scenario.NameImport:
				zone = op.Zone
			case scenario.NameRegistration:
				zone = op.Zone
			case scenario.NameRenewal:
				zone = op.Zone
			case scenario.NameUpdate:
				zone = op.Zone
			}
			if zone != "" {
				zones[scenario.ZoneHash(zone)] = zone
			}
		}
	}
	return &Server{store: s, params: net.Consensus, zones: zones}, nil
}

// Lying returns a server over the same store whose answers alter changes
// (see Alter). Close the original, not the copy.
func (s *Server) Lying(alter func(name string, answer map[string]any)) *Server {
	c := *s
	c.Alter = alter
	return &c
}

// Close closes the store.
func (s *Server) Close() error { return s.store.Close() }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET only"})
		return
	}
	tip, ok, err := s.store.Tip()
	if err != nil || !ok {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "no verified tip"})
		return
	}
	tipHash, err := s.store.ConsensusHash(tip)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/v1/info":
		writeJSON(w, http.StatusOK, map[string]any{"consensus": tipHash, "last_block_processed": tip,
			"first_block": s.params.FirstBlock, "last_block_seen": tip, "server_alive": true,
			"server_version": "demofixture", "indexing": false, "testnet": true})
	case strings.HasPrefix(path, "/v1/names/") && strings.HasSuffix(path, "/proof"):
		s.proof(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/v1/names/"), "/proof"), tip)
	case strings.HasPrefix(path, "/v1/names/") && !strings.Contains(strings.TrimPrefix(path, "/v1/names/"), "/"):
		s.name(w, strings.TrimPrefix(path, "/v1/names/"), tip, tipHash)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "No such endpoint"})
	}
}

func (s *Server) name(w http.ResponseWriter, name string, tip uint64, tipHash string) {
	st, err := consensus.NewView(s.params, s.store).NameStatus(name, tip)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	if st == nil || st.Namespace == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"status": "available"})
		return
	}
	if !st.Alive {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Name expired"})
		return
	}
	rec := st.Record
	status := "registered"
	if rec.Revoked {
		status = "revoked"
	}
	var zonefile any
	if rec.ValueHash != nil {
		if text, ok := s.zones[*rec.ValueHash]; ok {
			zonefile = text
		}
	}
	expire := int64(-1)
	if !st.NeverExpires {
		expire = int64(st.ExpireBlock)
	}
	answer := map[string]any{"status": status, "address": rec.Address, "zonefile_hash": rec.ValueHash,
		"zonefile": zonefile, "last_txid": rec.Txid, "blockchain": "bitcoin", "expire_block": expire,
		"renewal_deadline": int64(st.RenewalDeadline), "grace_period": st.InGrace, "resolver": nil,
		"did": "did:stack:v0:" + rec.Address + "-0"}
	if s.Alter != nil {
		s.Alter(name, answer)
	}
	w.Header().Set("X-Spvcheck-Height", strconv.FormatUint(tip, 10))
	w.Header().Set("X-Spvcheck-Consensus-Hash", tipHash)
	writeJSON(w, http.StatusOK, answer)
}

func (s *Server) proof(w http.ResponseWriter, r *http.Request, name string, tip uint64) {
	h := tip
	if q := r.URL.Query().Get("trusted_height"); q != "" {
		v, err := strconv.ParseUint(q, 10, 64)
		if err != nil || v < s.params.FirstBlock || v > tip {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "trusted_height must be a verified height"})
			return
		}
		h = v
	}
	p, err := snv.Build(r.Context(), snv.WithFirstBlock(s.store, s.params.FirstBlock),
		snv.Target{Select: snv.ByName(name)}, h, snv.BuildOptions{})
	if errors.Is(err, snv.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not found"})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	b, err := snv.Encode(p, snv.JSON)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(b)
}
