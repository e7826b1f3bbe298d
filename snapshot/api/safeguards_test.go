package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/snapshot"
)

// /v1/info carries the store's safeguards when the server has them, warns
// when the divergence alarm is raised or a required checkpoint disagrees,
// and answers a JSON 503 when they cannot be read.
func TestInfoSafeguards(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name    string
		g       snapshot.Safeguards
		err     error
		status  int
		warning string
	}{
		{name: "quiet", g: snapshot.Safeguards{Tip: 340}, status: 200},
		{name: "alarm", g: snapshot.Safeguards{Tip: 340, Alarm: snapshot.DivergenceAlarm{Raised: true, Senders: 4, Threshold: 3}}, status: 200, warning: "Divergence alarm"},
		{name: "checkpoint", g: snapshot.Safeguards{Tip: 340, CheckpointMismatch: true}, status: 200, warning: "published consensus hash"},
		{name: "unreadable", err: errors.New("disk on fire"), status: 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := New(Config{Store: f.w.st, Params: f.w.p, Safeguards: func() (snapshot.Safeguards, bool, error) {
				return tc.g, tc.err == nil, tc.err
			}})
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/info", nil))
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			var body map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
			if tc.status != 200 {
				require.Contains(t, body, "error")
				return
			}
			require.Contains(t, body, "safeguards")
			w, _ := body["warning"].(string)
			if tc.warning == "" {
				require.Empty(t, w)
			} else {
				require.True(t, strings.Contains(w, tc.warning), w)
			}
		})
	}
}
