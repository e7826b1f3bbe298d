package demofixture

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/api"
	"github.com/spvcheck/spvcheck/snapshot/api/webui"
	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
	"github.com/spvcheck/spvcheck/spv/pipeline"
	"github.com/spvcheck/spvcheck/spv/regtest/scenario"
)

// Server is the real name server (package snapshot/api, with the page of
// package snapshot/api/webui at /) over a demo store, holding the zone
// files the demo's history announced, as `spvcheck serve` serves it. It
// can be made to lie about names (Lying).
type Server struct {
	store *snapshot.Store
	api   *api.Server
	tmp   string
	// Alter, when set, may change a /v1/names/{name} answer before it is
	// written: a lying server. Set it before serving.
	Alter func(name string, answer map[string]any)
}

// OpenServer opens the demo data directory's store read-only and serves it.
func OpenServer(ctx context.Context, datadir string) (*Server, error) {
	s, err := snapshot.Open(ctx, filepath.Join(datadir, "store"), snapshot.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) {
		s.Close()
		return nil, err
	}
	net, err := pipeline.NetworkByName(s.Network())
	if err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp("", "spvcheck-demofixture-")
	if err != nil {
		return fail(err)
	}
	zf, err := zonefiles.Open(tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return fail(err)
	}
	for _, zone := range scenarioZoneFiles() {
		if _, err := zf.Put([]byte(zone)); err != nil {
			os.RemoveAll(tmp)
			return fail(err)
		}
	}
	a, err := api.New(api.Config{Store: s, Params: net.Consensus, Zonefiles: zf, Version: "demofixture", Fallback: webui.Handler()})
	if err != nil {
		os.RemoveAll(tmp)
		return fail(err)
	}
	return &Server{store: s, api: a, tmp: tmp}, nil
}

// scenarioZoneFiles lists the zone files the demo's history announces.
func scenarioZoneFiles() []string {
	var out []string
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
				out = append(out, zone)
			}
		}
	}
	return out
}

// Lying returns a server over the same store whose answers alter changes
// (see Alter). Close the original, not the copy.
func (s *Server) Lying(alter func(name string, answer map[string]any)) *Server {
	c := *s
	c.Alter = alter
	return &c
}

// Close closes the store and removes the zone files.
func (s *Server) Close() error {
	os.RemoveAll(s.tmp)
	return s.store.Close()
}

// ServeHTTP implements http.Handler: the real server's answer, altered by
// Alter for GET /v1/names/{name}.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, isName := strings.CutPrefix(strings.TrimSuffix(r.URL.Path, "/"), "/v1/names/")
	if s.Alter == nil || !isName || strings.Contains(rest, "/") {
		s.api.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	s.api.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	var answer map[string]any
	if rec.Code == http.StatusOK && json.Unmarshal(body, &answer) == nil {
		s.Alter(rest, answer)
		var b bytes.Buffer
		_ = json.NewEncoder(&b).Encode(answer)
		body = b.Bytes()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}
