package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
)

// MaxUploadFiles is the most zone files one POST /v1/zonefile stores
// (blockstackd.py rpc_put_zonefiles).
const MaxUploadFiles = 5

// maxPostBody bounds a POST /v1/zonefile body (the reference's
// JSONRPC_MAX_SIZE, 1 MiB): five base64 zone files of MaxSize fit.
const maxPostBody = 1 << 20

// currentZonefile returns the stored zone file of a record's value hash,
// or nil.
func (q *request) currentZonefile(r *consensus.NameRecord) ([]byte, error) {
	if r.ValueHash == nil || q.s.cfg.Zonefiles == nil || !zonefiles.ValidHash(*r.ValueHash) {
		return nil, nil
	}
	b, ok, err := q.s.cfg.Zonefiles.Get(*r.ValueHash)
	if err != nil || !ok {
		return nil, err
	}
	return b, nil
}

// nameZonefile is GET /v1/names/{name}/zonefile[?raw=1].
func (q *request) nameZonefile() {
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
	switch {
	case ns == nil:
		q.fail(http.StatusNotFound, "Not found.")
		return
	case ns.expired:
		q.fail(http.StatusNotFound, "Name expired")
		return
	}
	zf, err := q.currentZonefile(ns.st.Record)
	if err != nil {
		q.unavailable(err)
		return
	}
	if zf == nil {
		q.fail(http.StatusNotFound, "No zone file for name")
		return
	}
	q.serveZonefile(zf)
}

func (q *request) serveZonefile(zf []byte) {
	if truthy(q.q["raw"]) {
		writeRaw(q.w, zf)
		return
	}
	q.json(http.StatusOK, map[string]string{"zonefile": string(zf)})
}

// nameZonefileByHash is GET /v1/names/{name}/zonefile/{hash}: a zone file
// the name set at some point of its history.
func (q *request) nameZonefileByHash() {
	name, hash := q.args[0], q.args[1]
	if !validName(name) {
		q.fail(http.StatusBadRequest, "Invalid name or subdomain")
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
	set := false
	for _, e := range hist {
		if e.Record != nil && e.Height <= q.tip && e.Record.ValueHash != nil && *e.Record.ValueHash == hash {
			set = true
			break
		}
	}
	if !set {
		q.fail(http.StatusNotFound, "No such zonefile")
		return
	}
	zf, ok, err := q.getZonefile(hash)
	if err != nil {
		q.unavailable(err)
		return
	}
	if !ok {
		q.fail(http.StatusNotFound, "Blockstack does not have this zonefile.  Try again later.")
		return
	}
	q.serveZonefile(zf)
}

func (q *request) getZonefile(hash string) ([]byte, bool, error) {
	if q.s.cfg.Zonefiles == nil {
		return nil, false, nil
	}
	return q.s.cfg.Zonefiles.Get(hash)
}

// zonefile is GET /v1/zonefiles/{hash}: the raw bytes.
func (q *request) zonefile() {
	zf, ok, err := q.getZonefile(q.args[0])
	if err != nil {
		q.unavailable(err)
		return
	}
	if !ok {
		q.fail(http.StatusNotFound, "Blockstack node does not have this zonefile.  Try again later.")
		return
	}
	writeRaw(q.w, zf)
}

// uploadRequest is POST /v1/zonefile's body: "zonefile" (text) or
// "zonefile_b64" (base64), each one string or a list of up to
// MaxUploadFiles strings.
type uploadRequest struct {
	Zonefile    json.RawMessage `json:"zonefile"`
	ZonefileB64 json.RawMessage `json:"zonefile_b64"`
}

// strings decodes a member that is a string or a list of strings.
func oneOrMany(raw json.RawMessage) ([]string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, true
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err == nil {
		return many, true
	}
	return nil, false
}

// postZonefile is POST /v1/zonefile. A zone file is stored only if an
// accepted operation at or below the view's tip announced its hash; the
// answer's "saved" lists 1 or 0 per file.
func (q *request) postZonefile() {
	mt, _, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if mt != "application/json" {
		q.fail(http.StatusBadRequest, "Invalid request")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(q.w, q.r.Body, maxPostBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			q.fail(http.StatusRequestEntityTooLarge, "Invalid request")
			return
		}
		q.fail(http.StatusBadRequest, "Invalid request")
		return
	}
	var req uploadRequest
	if err := json.Unmarshal(body, &req); err != nil {
		q.fail(http.StatusBadRequest, "Invalid request")
		return
	}
	texts, ok1 := oneOrMany(req.Zonefile)
	b64s, ok2 := oneOrMany(req.ZonefileB64)
	if !ok1 || !ok2 {
		q.fail(http.StatusBadRequest, "Invalid request")
		return
	}
	if len(texts) == 1 && texts[0] == "" {
		texts = nil // an empty "zonefile" counts as absent, as in the reference
	}
	var files [][]byte
	for _, t := range texts {
		if len(t) > zonefiles.MaxSize {
			q.fail(http.StatusBadRequest, "Invalid request")
			return
		}
		files = append(files, []byte(t))
	}
	if len(files) == 0 {
		// As the reference: zone-file text wins; base64 only without it.
		for _, s := range b64s {
			if len(s) > zonefiles.MaxSize*4/3+3 {
				q.fail(http.StatusBadRequest, "Invalid request")
				return
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				q.fail(http.StatusBadRequest, "Invalid request")
				return
			}
			files = append(files, b)
		}
	}
	if len(files) == 0 || (len(files) == 1 && len(files[0]) == 0) {
		q.fail(http.StatusBadRequest, "Invalid request")
		return
	}
	if len(files) > MaxUploadFiles {
		q.fail(http.StatusBadRequest, "Too many zonefiles")
		return
	}
	if !q.needBlocks() {
		return
	}
	if q.s.cfg.Zonefiles == nil {
		q.fail(http.StatusBadRequest, "No data")
		return
	}
	saved := make([]int, len(files))
	var stored bool
	for i, f := range files {
		if len(f) > zonefiles.MaxSize {
			continue
		}
		ok, err := q.s.admit(q.r.Context(), q.view, f)
		if err != nil {
			q.unavailable(err)
			return
		}
		if ok {
			saved[i], stored = 1, true
		}
	}
	if !stored {
		q.json(http.StatusBadRequest, map[string]any{"error": "Blockstack node did not save the zone file", "saved": saved})
		return
	}
	server := q.s.cfg.BaseURL
	if server == "" {
		server = "http://" + q.r.Host
	}
	q.json(http.StatusOK, struct {
		Status  bool     `json:"status"`
		Servers []string `json:"servers"`
		Saved   []int    `json:"saved"`
	}{true, []string{server}, saved})
}

// admit stores a zone file if its hash was announced in the view's chain.
func (s *Server) admit(ctx context.Context, v viewState, data []byte) (bool, error) {
	h := zonefiles.Hash(data)
	var announced bool
	if err := s.idx.lookup(ctx, v, func(x *chainIndex) {
		tip, _, _ := v.Tip()
		announced = x.announcedAt(h, tip)
	}); err != nil {
		return false, err
	}
	if !announced {
		return false, nil
	}
	if _, err := s.cfg.Zonefiles.Put(data); err != nil {
		return false, err
	}
	return true, nil
}

// ImportReport counts the outcome of an import.
type ImportReport struct {
	// Accepted: stored (or already held), their hashes announced.
	Accepted int `json:"accepted"`
	// Unknown: refused, no accepted operation announced the hash.
	Unknown int `json:"unknown"`
	// Malformed: unreadable entries, or bytes that do not hash to the
	// entry's hash.
	Malformed int `json:"malformed"`
}

// ImportZonefiles loads an export file (the format of
// testvectors/zonefiles/name_zonefiles.txt) into zf under the Atlas rule,
// judged against the store's current view: each well-formed entry whose
// hash an accepted operation announced is stored.
func ImportZonefiles(ctx context.Context, views Views, p *consensus.Params, zf *zonefiles.Store, r io.Reader) (ImportReport, error) {
	var rep ImportReport
	if zf == nil {
		return rep, errors.New("api: no zone-file store to import into")
	}
	s, err := New(Config{Store: views, Params: p, Zonefiles: zf})
	if err != nil {
		return rep, err
	}
	v, err := views.ReadView()
	if err != nil {
		return rep, err
	}
	defer v.Close()
	err = zonefiles.ParseExport(r, func(e zonefiles.Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.Err != nil {
			rep.Malformed++
			return nil
		}
		ok, err := s.admit(ctx, v, e.Data)
		if err != nil {
			return err
		}
		if ok {
			rep.Accepted++
		} else {
			rep.Unknown++
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("api: importing zone files: %w", err)
	}
	return rep, nil
}
