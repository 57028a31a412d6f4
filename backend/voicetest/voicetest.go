// Package voicetest holds the fakes the voice session's tests share: a
// queue that records what voice did to it, a speaker that keeps what was
// said, and a clock the test steps. The session's own tests (backend) and
// the listener's (connectors/voice) drive the same session through them.
package voicetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Target is a backend.VoiceTarget that records what voice did to the
// queue. Execute accepts only the hash its Preview gave ("hash-ID"), so a
// test sees a send that skipped the preview.
type Target struct {
	mu       sync.Mutex
	List     []backend.VoiceMove
	Executed []uint64
	Skipped  []uint64
	Snoozed  []uint64
	Undone   int
}

var _ backend.VoiceTarget = (*Target)(nil)

// Moves returns the moves still in the list.
func (f *Target) Moves(context.Context) ([]backend.VoiceMove, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]backend.VoiceMove(nil), f.List...), nil
}

func (f *Target) remove(id uint64) {
	for i, m := range f.List {
		if m.ID == id {
			f.List = append(f.List[:i], f.List[i+1:]...)
			return
		}
	}
}

// Skip records id as skipped and takes it off the list.
func (f *Target) Skip(_ context.Context, id uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Skipped = append(f.Skipped, id)
	f.remove(id)
	return nil
}

// Snooze records id as snoozed until 11:00 and takes it off the list.
func (f *Target) Snooze(_ context.Context, id uint64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Snoozed = append(f.Snoozed, id)
	f.remove(id)
	return "11:00", nil
}

// Undo brings back one move; a second undo finds nothing.
func (f *Target) Undo(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Undone++
	if f.Undone > 1 {
		return "", backend.Errorf(backend.ENOTFOUND, "nothing to undo")
	}
	return "Reply to Ana", nil
}

// Preview returns the hash Execute wants for id.
func (f *Target) Preview(_ context.Context, id uint64) (string, error) {
	return fmt.Sprintf("hash-%d", id), nil
}

// Execute records id as executed when hash is its preview's.
func (f *Target) Execute(_ context.Context, id uint64, hash string) (string, error) {
	if want := fmt.Sprintf("hash-%d", id); hash != want {
		return "", backend.Errorf(backend.ECONFLICT, "executed with preview %q, want %q", hash, want)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Executed = append(f.Executed, id)
	f.remove(id)
	return "Sent", nil
}

// Speaker keeps every line the session said.
type Speaker struct {
	mu    sync.Mutex
	Lines []string
}

// Say records text.
func (s *Speaker) Say(_ context.Context, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Lines = append(s.Lines, text)
	return nil
}

// Clock is a backend.Clock that moves only when the test steps it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Add steps the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// NewVoice returns a voice session always listening, over a Target with
// three moves (an email, a note and a task), a Speaker and a Clock at
// 2026-03-02 10:00 UTC.
func NewVoice(tb testing.TB) (*backend.Voice, *Target, *Speaker, *Clock) {
	tb.Helper()
	target := &Target{List: []backend.VoiceMove{
		{ID: 1, Kind: backend.KindSendEmail, Title: "Reply to Ana at Acme", TopReason: "She asked for pricing 2 hours ago", Draft: "To Ana. Subject: pricing."},
		{ID: 2, Kind: backend.KindNote, Title: "Note the call with Bo", Draft: "Call went well."},
		{ID: 3, Kind: backend.KindCreateTask, Title: "Follow up with Cy"},
	}}
	sp := &Speaker{}
	clock := &Clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	v := backend.NewVoice(target, sp, clock, nil)
	if err := v.SetMode(backend.ModeAlways); err != nil {
		tb.Fatal(err)
	}
	return v, target, sp, clock
}
