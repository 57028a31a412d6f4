package backend

import (
	"context"
	"strings"
	"time"
)

// The slot step of the post-ingest draft worker (ModelService's queue:
// slots first, then the model). Recommend is pure and reads no calendar,
// so a reply draft that offers a call asks "Tell me a time that suits
// you…". When a calendar is connected, the worker reads free/busy — one
// request for the owner and the person written to — picks three free
// quarter-hour slots inside the times they proposed and the owner's
// working hours (FindSlots), and re-composes the draft with them
// (ReplyInput.Slots), writing down what it offered (FieldOffered).
//
// The rule: a reply move gets slots when its draft, composed without
// them, asks for a time or acknowledges one they proposed
// (Reply.AsksTime): a meeting request, a pricing question or interest
// (the "Would a short call help?" next step, or "Thanks for suggesting
// Thursday afternoon"), a question that asks for a time, a customer's
// churn risk. Never for unsubscribe, out of office, not now, referral.
//
// It never touches a draft the founder edited or a move that is executing
// or done; without a calendar, or when free/busy fails, the offline draft
// stands as it is and nothing is written. It is idempotent: offered slots
// that are still free and ahead are kept, so a re-run writes nothing.
// Preview runs it again first (RefreshSlots), so a draft whose slots have
// become busy or past is re-composed before it is shown.

// Fields of a reply draft that offers slots.
const (
	// FieldOffered holds the slots the draft offers, as RFC 3339
	// "start/end" pairs separated by spaces.
	FieldOffered = "offered"
	// FieldOfferedMissed is "1" when none of them is inside the times
	// they proposed (those were busy: the draft says so).
	FieldOfferedMissed = "offered_missed"
)

// Slot step results.
const (
	SlotsNone    = "none"    // no calendar, not a reply that offers a call, or no free slot: nothing written
	SlotsFailed  = "failed"  // free/busy failed: the draft stands as it was
	SlotsKept    = "kept"    // the slots offered are still free: nothing written
	SlotsStale   = "stale"   // the move changed meanwhile: nothing written
	SlotsOffered = "offered" // the draft now offers free slots
)

// slotsFreeBusyTimeout bounds the free/busy request.
const slotsFreeBusyTimeout = 15 * time.Second

// SetCalendar gives the draft worker the calendar it reads free/busy from
// (nil: none, and reply drafts ask for a time). Safe to call at any time.
func (s *ModelService) SetCalendar(cal Calendar) {
	r := &s.model
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cal = cal
	if cal == nil && r.llm == nil {
		r.queue, r.queued = nil, nil
	}
}

func (s *ModelService) calendar() Calendar {
	s.model.mu.Lock()
	defer s.model.mu.Unlock()
	return s.model.cal
}

// work runs the worker's steps on one move: slots first, so the model
// sees them as data it may quote, then the model.
func (s *ModelService) work(ctx context.Context, id uint64) {
	_, _ = s.OfferSlots(ctx, id)
	_, _ = s.Upgrade(ctx, id)
}

// DraftSlots reads the slots a reply draft offers and whether they miss
// the times proposed.
func DraftSlots(d Draft) ([]PlanSlot, bool) {
	return parseWindows(d.Fields[FieldOffered]), d.Fields[FieldOfferedMissed] != ""
}

func parseWindows(s string) []PlanSlot {
	var out []PlanSlot
	for _, w := range strings.Fields(s) {
		a, b, ok := strings.Cut(w, "/")
		if !ok {
			continue
		}
		st, err1 := time.Parse(time.RFC3339, a)
		en, err2 := time.Parse(time.RFC3339, b)
		if err1 == nil && err2 == nil && en.After(st) {
			out = append(out, PlanSlot{Start: st, End: en})
		}
	}
	return out
}

func formatWindows(slots []PlanSlot) string {
	parts := make([]string, len(slots))
	for i, s := range slots {
		parts[i] = s.Start.UTC().Format(time.RFC3339) + "/" + s.End.UTC().Format(time.RFC3339)
	}
	return strings.Join(parts, " ")
}

// slotsMayWrite: an open reply in a thread, not executing, not edited.
func slotsMayWrite(m *Move) bool {
	return m.Kind == KindSendEmail && modelMayWrite(m)
}

// OfferSlots is the slot step for move id (see the top of this file). It
// returns what happened (Slots…); the error is free/busy's or the
// store's, and leaves the move as it was.
func (s *ModelService) OfferSlots(ctx context.Context, id uint64) (string, error) {
	cal := s.calendar()
	if cal == nil {
		return SlotsNone, nil
	}
	now := s.clock.Now()
	var m *Move
	var in *ReplyInput
	var hours WorkingHours
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if m, err = tx.FindMove(id); err != nil {
			return err
		}
		if !slotsMayWrite(m) {
			return nil
		}
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		hours = st.Workday()
		if in, err = replyInputFor(tx, m, st, s.zone); err != nil || in == nil {
			return err
		}
		if !ComposeReply(*in).AsksTime {
			in = nil
		}
		return nil
	})
	if err != nil {
		return SlotsFailed, WrapError("offer slots", err)
	}
	if in == nil {
		return SlotsNone, nil
	}
	owner := zoneOr(s.zone)
	theirs := owner
	if in.Zone != nil {
		theirs = in.Zone
	}
	var proposed []PlanSlot
	for _, w := range in.Intent.Entities.Times {
		end := w.End
		if !end.After(w.Start) {
			end = w.Start.Add(defaultMeeting)
		}
		if end.After(now) {
			proposed = append(proposed, PlanSlot{Start: w.Start, End: end})
		}
	}
	old, oldMissed := DraftSlots(m.Draft)
	to := now.AddDate(0, 0, slotHorizonDays+4)
	for _, w := range append(append([]PlanSlot{}, proposed...), old...) {
		if w.End.After(to) {
			to = w.End
		}
	}
	who := []string{"primary"}
	if e := in.Email.From; ValidEmail(e) {
		who = append(who, e)
	}
	cctx, cancel := context.WithTimeout(ctx, slotsFreeBusyTimeout)
	busyBy, err := cal.FreeBusy(cctx, now, to, who)
	cancel()
	if err != nil {
		return SlotsFailed, err
	}
	var busy []Busy
	for _, b := range busyBy {
		busy = append(busy, b...)
	}

	// Offered slots still ahead and free, in the draft as composed: keep.
	if len(old) > 0 && stillFree(old, busy, now) {
		if m.DraftBy != "" {
			return SlotsKept, nil // the model's draft quotes them
		}
		keep := *in
		keep.Slots, keep.SlotsMissed = old, oldMissed
		if ComposeReply(keep).Draft.Body == m.Draft.Body {
			return SlotsKept, nil
		}
	}
	slots, inside := FindSlots(SlotQuery{Now: now, Theirs: theirs, Owner: owner, Hours: hours, Busy: busy,
		Duration: defaultMeeting, N: 3, Proposed: proposed})
	if len(slots) == 0 {
		return SlotsNone, nil
	}
	in.Slots, in.SlotsMissed = slots, len(in.Intent.Entities.Times) > 0 && inside == 0
	body := ComposeReply(*in).Draft.Body
	offered := formatWindows(slots)
	if body == m.Draft.Body && m.Draft.Fields[FieldOffered] == offered {
		return SlotsKept, nil
	}
	result := SlotsOffered
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindMove(id)
		if err != nil {
			return err
		}
		if !slotsMayWrite(cur) || !sameDraft(cur.Draft, m.Draft) || cur.DraftBy != m.DraftBy {
			result = SlotsStale
			return nil
		}
		fields := map[string]string{}
		for k, v := range cur.Draft.Fields {
			fields[k] = v
		}
		fields[FieldOffered] = offered
		delete(fields, FieldOfferedMissed)
		if in.SlotsMissed {
			fields[FieldOfferedMissed] = "1"
		}
		cur.Draft.Body, cur.Draft.Fields = body, fields
		// A model's draft quoted the old slots: the offline draft with the
		// new ones stands until the model writes again.
		cur.DraftBy, cur.DraftSent, cur.DraftNote = "", nil, ""
		cur.UpdatedAt = now
		if err := tx.UpdateMove(cur); err != nil {
			return err
		}
		detail := "draft offers free times from the calendar"
		if len(old) > 0 {
			detail = "draft offers new free times: the ones it offered were taken or past"
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: ActorSystem, Action: AuditMoveUpdated, MoveID: cur.ID, Detail: detail, APS: cur.Score.APS})
	})
	if err != nil {
		return SlotsFailed, WrapError("offer slots", err)
	}
	if result == SlotsOffered {
		s.events.Publish(EventQueueChanged, QueueChanged{Reason: "slots", MoveIDs: []uint64{id}})
	}
	return result, nil
}

// stillFree: every slot starts after now and overlaps no busy time.
func stillFree(slots []PlanSlot, busy []Busy, now time.Time) bool {
	for _, sl := range slots {
		if !sl.Start.After(now) || !free(busy, sl.Start, sl.End) {
			return false
		}
	}
	return true
}

// RefreshSlots re-checks, before a preview, that the slots a reply draft
// offers are still free and ahead, and re-composes it with free ones when
// not; the model is asked again for a draft it had written over the old
// ones. Without a calendar, or when free/busy fails, the draft is shown
// as it is.
func (s *ModelService) RefreshSlots(ctx context.Context, id uint64) string {
	res, _ := s.OfferSlots(ctx, id)
	if res == SlotsOffered {
		s.Enqueue(id)
	}
	return res
}
