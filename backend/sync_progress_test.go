package backend_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// tickingPoller is a fakePoller whose every Poll takes a second on clock.
type tickingPoller struct {
	*fakePoller
	clock *fakeClock
}

func (p *tickingPoller) Poll(ctx context.Context, cursor string) ([]*backend.Signal, string, error) {
	p.clock.Advance(time.Second)
	return p.fakePoller.Poll(ctx, cursor)
}

// TestSyncer_ProgressDuringPass: while a long first sync runs, its status
// events carry how many items the pass has fetched so far (what the CLI's
// progress line and the Connections view show); the pass's last status
// carries none.
func TestSyncer_ProgressDuringPass(t *testing.T) {
	f := newSyncFixture(t)
	var script []pollResult
	for i := 0; i < 3; i++ {
		script = append(script, pollResult{signals: mentions(fmt.Sprint("a", i), fmt.Sprint("b", i)), next: fmt.Sprint("c", i)})
	}
	f.s.Add(&tickingPoller{fakePoller: newFakePoller("hubspot", script...), clock: f.clock})
	sts, err := f.s.SyncOnce(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var progress []int
	for _, st := range f.events.statuses {
		if st.State == backend.SyncRunning && st.Progress > 0 {
			progress = append(progress, st.Progress)
		}
	}
	if fmt.Sprint(progress) != "[2 4 6]" {
		t.Errorf("progress while running = %v, want [2 4 6]", progress)
	}
	if len(sts) != 1 || sts[0].Progress != 0 || sts[0].LastItems != 6 {
		t.Errorf("after the pass: %+v, want no progress and 6 items", sts)
	}
}
