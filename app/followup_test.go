package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// TestFollowUps_Gmail follows up an unanswered reply through the App and
// the Gmail fake: the follow-up joins the thread and answers our first
// message, shows its sequence in Explain, and is stopped with one call.
func TestFollowUps_Gmail(t *testing.T) {
	e := newExecEnv(t)
	id := e.reply()
	e.execute(id)
	first := e.mail.Sent()[0]
	ours := first.Header.Get("Message-Id")

	e.clock.Advance(7 * 24 * time.Hour) // a week on: no answer
	if n, err := e.app.queue.Outcomes.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want the no_response", n, err)
	}
	q, err := e.app.bound.Today.FollowUps(id)
	if err != nil || q.Step != 2 || q.Steps != 3 || q.State != "active" || len(q.MoveIDs) != 2 {
		t.Fatalf("FollowUps(%d) = %+v, %v; want step 2 of 3 proposed", id, q, err)
	}
	fu := q.MoveIDs[1]
	x, err := e.app.bound.Today.Explain(fu)
	if err != nil || x.FollowUps == nil || !strings.HasPrefix(x.FollowUps.Summary, "step 2 of 3, started from “Pricing”") {
		t.Fatalf("Explain(%d).FollowUps = %+v, %v", fu, x.FollowUps, err)
	}

	e.execute(fu)
	sent := e.mail.Sent()
	if len(sent) != 2 {
		t.Fatalf("Gmail received %d messages, want the first and the follow-up", len(sent))
	}
	got := sent[1]
	if !got.Threaded || got.ThreadID != first.ThreadID || got.Header.Get("In-Reply-To") != ours || !strings.Contains(got.Header.Get("References"), ours) {
		t.Fatalf("follow-up sent in thread %q (threaded %v), In-Reply-To %q; want %q answering %q",
			got.ThreadID, got.Threaded, got.Header.Get("In-Reply-To"), first.ThreadID, ours)
	}

	stopped, err := e.app.bound.Today.StopFollowUps(fu, "key")
	if err != nil || stopped.State != "stopped" || stopped.StopReason != "stopped by hand" {
		t.Fatalf("StopFollowUps = %+v, %v", stopped, err)
	}
	if _, err := e.app.bound.Today.StopFollowUps(id, "key"); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Errorf("stopping twice = %v, want conflict", err)
	}
	e.clock.Advance(7 * 24 * time.Hour)
	e.app.queue.Outcomes.Sweep(context.Background())
	if q, _ := e.app.bound.Today.FollowUps(id); len(q.MoveIDs) != 2 {
		t.Errorf("after stopping, %d steps; want no third", len(q.MoveIDs))
	}
}

// The follow-up settings round-trip through SaveSettings; absent keeps
// them, a bad one is refused.
func TestSettingsService_FollowUps(t *testing.T) {
	e := newExecEnv(t)
	svc := e.app.bound.Settings
	got, err := svc.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if f := got.FollowUps; f == nil || !f.On || f.Steps != 2 || f.GapDays != 0 {
		t.Fatalf("Settings().FollowUps = %+v, want on, 2 steps, the no-response gap", f)
	}
	in := got
	in.FollowUps = &FollowUpsDTO{On: false, Steps: 4, GapDays: 5}
	if saved, err := svc.SaveSettings(in); err != nil || *saved.FollowUps != *in.FollowUps {
		t.Fatalf("SaveSettings = %+v, %v; want %+v", saved.FollowUps, err, in.FollowUps)
	}
	in.FollowUps = nil
	if saved, err := svc.SaveSettings(in); err != nil || saved.FollowUps.Steps != 4 {
		t.Fatalf("SaveSettings without follow-ups = %+v, %v; want them kept", saved.FollowUps, err)
	}
	in.FollowUps = &FollowUpsDTO{On: true, Steps: 9}
	if _, err := svc.SaveSettings(in); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("SaveSettings(9 steps) = %v, want invalid", err)
	}
}
