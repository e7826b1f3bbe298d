package main

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/api"
	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
)

// nameAPI is the HTTP side of serve: the Core name API over the store.
type nameAPI struct {
	srv      *api.Server
	indexing atomic.Bool
}

func newNameAPI(store *snapshot.Store, net *network, zonefileDir string, holder *holderState) (*nameAPI, error) {
	zf, err := zonefiles.Open(zonefileDir)
	if err != nil {
		return nil, err
	}
	n := &nameAPI{}
	srv, err := api.New(api.Config{
		Store: store, Params: net.Consensus, Zonefiles: zf, Version: versionString(),
		LastBlockSeen: func() uint64 {
			if i := holder.get(); i.HasHeaders && i.HeaderHeight > 0 {
				return uint64(i.HeaderHeight)
			}
			tip, _, _ := store.Tip()
			return tip
		},
		Indexing: n.indexing.Load,
		BaseURL:  holder.get().URL,
	})
	if err != nil {
		return nil, err
	}
	n.srv = srv
	return n, nil
}

// Serve answers requests on ln until ctx ends.
func (n *nameAPI) Serve(ctx context.Context, ln net.Listener) error {
	var h http.Handler = n.srv
	return api.Serve(ctx, ln, h, api.Limits{})
}

// applied is called after the sync applied or rewound blocks.
func (n *nameAPI) applied(ctx context.Context) { _ = n.srv.Refresh(ctx) }
