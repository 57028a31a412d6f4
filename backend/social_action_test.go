package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// memFeed is an in-memory X account: replies, likes, deletes.
type memFeed struct {
	replies map[string][2]string // our post id → {in reply to, text}
	likes   map[string]bool
	deleted []string
	next    int
}

func newMemFeed() *memFeed {
	return &memFeed{replies: map[string][2]string{}, likes: map[string]bool{}}
}

func (f *memFeed) Reply(_ context.Context, postID, text string) (string, error) {
	f.next++
	id := "900" + string(rune('0'+f.next))
	f.replies[id] = [2]string{postID, text}
	return id, nil
}
func (f *memFeed) DeletePost(_ context.Context, id string) error {
	delete(f.replies, id)
	f.deleted = append(f.deleted, id)
	return nil
}
func (f *memFeed) Like(_ context.Context, id string) error   { f.likes[id] = true; return nil }
func (f *memFeed) Unlike(_ context.Context, id string) error { delete(f.likes, id); return nil }
func (f *memFeed) FindReply(_ context.Context, postID, text string) (string, bool, error) {
	for id, r := range f.replies {
		if r[0] == postID && r[1] == text {
			return id, true, nil
		}
	}
	return "", false, nil
}

func socialMove(body string, fields map[string]string) *backend.Move {
	return &backend.Move{ID: 7, Kind: backend.KindReplySocial, Title: "Reply to @devjess",
		Draft: backend.Draft{PostID: "1790000000000000404", Body: body, Fields: fields}}
}

func TestSocialAction_Plan(t *testing.T) {
	a := backend.SocialAction{Feed: newMemFeed()}
	in := func(m *backend.Move) backend.PlanInput {
		return backend.PlanInput{Move: m, Settings: backend.DefaultSettings(), Now: time.Now()}
	}
	t.Run("OK", func(t *testing.T) {
		p, err := a.Plan(context.Background(), in(socialMove("Thanks @devjess! https://pebblecache.dev/docs/remote-cache/getting-started", map[string]string{"author": "devjess"})))
		if err != nil {
			t.Fatal(err)
		}
		if p.Social.Length != 17+23 || !strings.Contains(strings.Join(p.Effects, "\n"), "40 of 280 characters") {
			t.Errorf("Plan length = %d, effects %q, want 40 (the link counts 23)", p.Social.Length, p.Effects)
		}
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		// 270 letters and a CJK word: 280 characters as X counts them
		// would be 274, but X weighs the CJK characters 2 each.
		body := strings.Repeat("a", 270) + " 日本語です"
		_, err := a.Plan(context.Background(), in(socialMove(body, nil)))
		if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "281 characters") {
			t.Fatalf("Plan(281 weighted) = %v, want EINVALID saying 281 characters", err)
		}
	})
	t.Run("Like", func(t *testing.T) {
		p, err := a.Plan(context.Background(), in(socialMove("", map[string]string{"author": "devjess", "mode": "like"})))
		if err != nil {
			t.Fatal(err)
		}
		if p.Action != backend.ActionLikeSocial || p.Effects[0] != "Like @devjess's post" {
			t.Errorf("Plan(like) = %s %q, want like_social “Like @devjess's post”", p.Action, p.Effects)
		}
	})
}

func TestSocialAction_DoFindCompensate(t *testing.T) {
	ctx := context.Background()
	f := newMemFeed()
	a := backend.SocialAction{Feed: f}
	p, err := a.Plan(ctx, backend.PlanInput{Move: socialMove("Thanks!", map[string]string{"author": "devjess"}), Settings: backend.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Find(ctx, p); ok || err != nil {
		t.Fatalf("Find before Do = %v, %v; want not found", ok, err)
	}
	res, err := a.Do(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	found, ok, err := a.Find(ctx, p)
	if !ok || err != nil || found.RemoteIDs["post_id"] != res.RemoteIDs["post_id"] {
		t.Fatalf("Find after Do = %v %v %v, want the reply %s", found.RemoteIDs, ok, err, res.RemoteIDs["post_id"])
	}
	if res.Summary != "replied to @devjess's post" {
		t.Errorf("Summary = %q", res.Summary)
	}
	if err := a.Compensate(ctx, p, res.RemoteIDs); err != nil || len(f.deleted) != 1 || f.deleted[0] != res.RemoteIDs["post_id"] {
		t.Fatalf("Compensate = %v, deleted %v; want the reply deleted", err, f.deleted)
	}

	lp, _ := a.Plan(ctx, backend.PlanInput{Move: socialMove("", map[string]string{"mode": "like"}), Settings: backend.DefaultSettings()})
	if _, err := a.Do(ctx, lp); err != nil || !f.likes["1790000000000000404"] {
		t.Fatalf("Do(like) = %v, likes %v", err, f.likes)
	}
	if err := a.Compensate(ctx, lp, nil); err != nil || f.likes["1790000000000000404"] {
		t.Fatalf("Compensate(like) = %v, likes %v; want the like taken back", err, f.likes)
	}
}
