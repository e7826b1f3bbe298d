package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
)

// Views is where the server takes its per-request views from; a
// *snapshot.Store is one.
type Views interface {
	ReadView() (*snapshot.ReadView, error)
}

// Config configures a Server.
type Config struct {
	// Store gives the per-request views. Required.
	Store Views
	// Params are the consensus parameters the store was built with.
	// Required.
	Params *consensus.Params
	// Zonefiles is the zone-file store; nil serves no zone files and
	// refuses uploads.
	Zonefiles *zonefiles.Store
	// Version is reported as server_version by /v1/info.
	Version string
	// LastBlockSeen, when set, reports the height of the best Bitcoin
	// block known (for /v1/info's last_block_seen and stale); without it
	// the store's tip is reported.
	LastBlockSeen func() uint64
	// Indexing, when set, reports whether a sync is applying blocks right
	// now (/v1/info's indexing).
	Indexing func() bool
	// BaseURL is the URL reported in POST /v1/zonefile's "servers"; empty
	// uses http://HOST of the request.
	BaseURL string
	// Fallback, when set, serves GET and HEAD requests whose path is not
	// under /v1/ or /v2/ (for example a web page at /); without it they get
	// the API's 404.
	Fallback http.Handler
	// Safeguards, when set, reports the store's mainnet safeguards (the
	// freeze, the unverified mark, checkpoints, the divergence alarm) for
	// /v1/info, which adds them as "safeguards" and warns when the alarm
	// is raised or a required checkpoint disagrees (snapshot.Store
	// .Safeguards).
	Safeguards func() (snapshot.Safeguards, bool, error)
}

// Server answers the Blockstack Core name API (core-api.md) from a
// verified store. It is an http.Handler; every request reads one
// ReadView, so no answer mixes blocks or branches, and every answer that
// read one carries the view's height and consensus hash in the headers
// X-Spvcheck-Height and X-Spvcheck-Consensus-Hash.
type Server struct {
	cfg Config
	idx *chainIndex
}

// Response headers naming the verified block an answer comes from.
const (
	HeaderHeight        = "X-Spvcheck-Height"
	HeaderConsensusHash = "X-Spvcheck-Consensus-Hash"
)

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Params == nil {
		return nil, errors.New("api: Config needs Store and Params")
	}
	return &Server{cfg: cfg, idx: newChainIndex(cfg.Params)}, nil
}

// Refresh brings the server's index of announced zone-file hashes and
// name creations to the store's current tip. Calling it after each
// applied block or rewind keeps that work off the request path; without
// it the first request after a change does it.
func (s *Server) Refresh(ctx context.Context) error {
	v, err := s.cfg.Store.ReadView()
	if err != nil {
		return err
	}
	defer v.Close()
	return s.idx.lookup(ctx, v, func(*chainIndex) {})
}

// request is one request being answered.
type request struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	q     map[string]string
	args  []string
	view  *snapshot.ReadView
	cv    *consensus.View
	tip   uint64
	ch    string
	ready bool // the store holds at least one block
}

type handler func(*request)

// errNoBlocks answers every request that needs state from an empty store.
var errNoBlocks = errors.New("the store holds no verified blocks yet")

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	p := cleanPath(r.URL.Path)
	parts := strings.Split(strings.Trim(p, "/"), "/")
	api := len(parts) > 0 && (parts[0] == "v1" || parts[0] == "v2")
	if r.Method == http.MethodOptions && api {
		preflight(w)
		return
	}
	h, args := route(r.Method, parts)
	if h == nil {
		if s.cfg.Fallback != nil && !api && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.cfg.Fallback.ServeHTTP(w, r)
			return
		}
		writeJSON(w, http.StatusNotFound, errBody("No such endpoint"))
		return
	}
	q, ok := parseQuery(r.URL.RawQuery)
	if !ok {
		writeJSON(w, http.StatusBadRequest, errBody("Failed to parse query string"))
		return
	}
	view, err := s.cfg.Store.ReadView()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, errBody(storeError(err)))
		return
	}
	defer view.Close()
	req := &request{s: s, w: w, r: r, q: q, args: args, view: view, cv: consensus.NewView(s.cfg.Params, view)}
	tip, ok, err := view.Tip()
	if err == nil && ok {
		req.ch, err = view.ConsensusHash(tip)
		req.tip, req.ready = tip, err == nil
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, errBody(storeError(err)))
		return
	}
	if req.ready {
		w.Header().Set(HeaderHeight, strconv.FormatUint(req.tip, 10))
		w.Header().Set(HeaderConsensusHash, req.ch)
	}
	h(req)
}

// cleanPath normalizes a request path as the reference did
// (posixpath.normpath of the unquoted path): repeated and trailing
// slashes, "." and ".." segments.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean("/" + p)
	return c
}

func preflight(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE")
	h.Set("Access-Control-Allow-Headers", "content-type, authorization, range")
	h.Set("Access-Control-Expose-Headers", "content-length, content-range")
	h.Set("Access-Control-Max-Age", "21600")
	w.WriteHeader(http.StatusOK)
}

// parseQuery parses a query string as the reference's parse_qs did: '&'
// and ';' separate fields, fields without '=' and blank values are
// dropped, and a variable given twice makes the query unusable.
func parseQuery(raw string) (map[string]string, bool) {
	out := map[string]string{}
	if raw == "" {
		return out, true
	}
	for _, field := range strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, ok := strings.Cut(field, "=")
		if !ok || v == "" {
			continue
		}
		k, v = unquotePlus(k), unquotePlus(v)
		if v == "" {
			continue
		}
		if _, dup := out[k]; dup {
			return nil, false
		}
		out[k] = v
	}
	return out, true
}

func unquotePlus(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return strings.ReplaceAll(s, "+", " ")
}

// errBody is the reference's error answer.
func errBody(msg string) map[string]string { return map[string]string{"error": msg} }

func storeError(err error) string { return fmt.Sprintf("Store unavailable: %v", err) }

// writeJSON writes v as the reference's JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshalPy(v)
	if err != nil {
		status = http.StatusServiceUnavailable
		b, _ = marshalPy(errBody("Failed to encode the answer"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// writeRaw writes bytes as application/octet-stream.
func writeRaw(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func (q *request) json(status int, v any) { writeJSON(q.w, status, v) }
func (q *request) fail(status int, msg string) {
	writeJSON(q.w, status, errBody(msg))
}

// unavailable answers a store failure.
func (q *request) unavailable(err error) {
	q.fail(http.StatusServiceUnavailable, storeError(err))
}

// needBlocks answers 503 and returns false for an empty store.
func (q *request) needBlocks() bool {
	if !q.ready {
		q.unavailable(errNoBlocks)
		return false
	}
	return true
}
