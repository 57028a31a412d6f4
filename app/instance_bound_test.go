package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// A forwarded SyncPass may wait out a rate limit before it answers: it is
// bounded by the long bound, while a quick call that takes as long fails
// as unanswered. Neither bound is the other's.
func TestRemote_BoundsPerCall(t *testing.T) {
	const slow = 300 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("[]"))
	}))
	defer srv.Close()
	r := &Instance{base: srv.URL + "/", token: "t", client: &http.Client{}, quick: 100 * time.Millisecond, long: 5 * time.Second}

	t.Run("SyncPassWaits", func(t *testing.T) {
		if _, err := Forward[[]SyncStatusDTO](r, "ConnectionsService.SyncPass", ""); err != nil {
			t.Fatalf("SyncPass over %v = %v, want its answer", slow, err)
		}
	})
	t.Run("QuickCallCut", func(t *testing.T) {
		var out []ConnectionDTO
		err := r.Call("ConnectionsService.Connections", nil, &out)
		if backend.ErrorCode(err) != backend.EUNAVAILABLE {
			t.Fatalf("Connections over %v = %v, want unavailable", slow, err)
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		d := &Instance{}
		for _, tt := range []struct {
			method string
			want   time.Duration
		}{{"ConnectionsService.SyncPass", remoteLong}, {"SignalsService.Ingest", remoteLong}, {"backup", remoteLong}, {"TodayService.Today", remoteQuick}, {"ExecutionService.ExecuteMove", remoteQuick}} {
			if got := d.bound(tt.method); got != tt.want {
				t.Errorf("bound(%q) = %v, want %v", tt.method, got, tt.want)
			}
		}
	})
}
