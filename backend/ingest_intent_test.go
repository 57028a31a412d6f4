package backend_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func inboundSignal(key, thread, from, body string, at time.Time) *backend.Signal {
	s := replySignal(key, thread, from, at)
	s.Email.Body, s.Email.To = body, []string{"casey@pebblecache.dev"}
	return s
}

// TestIngest_Intent: what an email's intent does beyond its moves, through
// a real store: the do-not-contact list, a snoozed follow-up that stays out
// of Today, the referred contact, battle-card quotes that accumulate, and
// a stage move that ends once the CRM gets there.
func TestIngest_Intent(t *testing.T) {
	t.Run("UnsubscribeEndsTheReply", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, inboundSignal("g1", "t1", "li@acme.io", "What does pricing look like for 40 engineers?", testNow.Add(-5*time.Hour)))
		if n := len(f.today(t, nil).Moves); n != 1 {
			t.Fatalf("today = %d moves, want the reply", n)
		}
		f.ingest(t, inboundSignal("g2", "t1", "li@acme.io", "Please take me off your list. Unsubscribe.", testNow.Add(-time.Hour)))
		if res := f.today(t, nil); len(res.Moves) != 0 {
			t.Errorf("today after unsubscribe = %v, want no move", titles(res.Moves))
		}
		list, err := f.q.Guardrails.DoNotContacts(f.ctx)
		if err != nil || len(list) != 1 || list[0].Email != "li@acme.io" || list[0].Reason != backend.DNCUnsubscribed {
			t.Errorf("do-not-contact = %+v, %v; want li, unsubscribed", list, err)
		}
	})
	t.Run("NotNowStaysOutOfToday", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, inboundSignal("g1", "t1", "maya@acme.io", "What does pricing look like for 40 engineers?", testNow.Add(-5*time.Hour)))
		f.ingest(t, inboundSignal("g2", "t1", "maya@acme.io", "Not right now, thanks. Budget is frozen.", testNow.Add(-time.Hour)))
		if res := f.today(t, nil); len(res.Moves) != 0 {
			t.Errorf("today = %v, want the follow-up snoozed out of it", titles(res.Moves))
		}
		st := backend.StatusSnoozed
		var moves []*backend.Move
		err := f.db.View(f.ctx, func(tx backend.Tx) error {
			var err error
			moves, _, err = tx.FindMoves(backend.MoveFilter{Status: &st})
			return err
		})
		if err != nil || len(moves) != 1 || moves[0].SnoozedUntil.Before(testNow.Add(85*24*time.Hour)) {
			t.Fatalf("snoozed = %v, %v; want the thread's follow-up snoozed about 90 days", moves, err)
		}
	})
	t.Run("ReferralAddsTheContact", func(t *testing.T) {
		f := newQueue(t)
		f.ingest(t, inboundSignal("g1", "t1", "maya@acme.io", "I'm not the right person — please reach out to Lena Ortiz <lena.ortiz@acme.io>.\n\nReferral: Lena Ortiz <lena.ortiz@acme.io>", testNow.Add(-time.Hour)))
		var got *backend.Contact
		f.db.View(f.ctx, func(tx backend.Tx) error {
			got, _ = tx.FindContact("lena.ortiz@acme.io")
			return nil
		})
		if got == nil || got.Name != "Lena Ortiz" || got.CompanyID != "acme" {
			t.Errorf("referred contact = %+v, want Lena at acme", got)
		}
		res := f.today(t, nil)
		if len(res.Moves) != 1 || res.Moves[0].ContactID != "lena.ortiz@acme.io" {
			t.Errorf("today = %v, want the intro to Lena", titles(res.Moves))
		}
	})
	t.Run("BattleCardQuotesAccumulate", func(t *testing.T) {
		f := newQueue(t)
		st, _ := f.q.Settings.Get(f.ctx)
		st.Competitors = []string{"Stackwise"}
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		var sigs []*backend.Signal
		for i := 0; i < 12; i++ {
			s := mentionSignal(fmt.Sprintf("x%d", i), fmt.Sprintf("p%d", i), testNow.Add(time.Duration(i-20)*time.Hour))
			s.Post.Text = fmt.Sprintf("Stackwise change number %d. Thoughts?", i)
			sigs = append(sigs, s)
		}
		f.ingest(t, sigs...)
		res := f.today(t, nil)
		var card *backend.Move
		for _, m := range res.Moves {
			if m.Subject.Key() == "topic:battlecard:stackwise" {
				if card != nil {
					t.Fatal("two battle cards for one competitor")
				}
				card = m
			}
		}
		if card == nil {
			t.Fatalf("today = %v, want a battle card", titles(res.Moves))
		}
		lines := strings.Split(card.Draft.Body, "\n")
		if len(lines) != 9 || !strings.Contains(lines[1], "number 11") || !strings.Contains(lines[8], "number 4") {
			t.Errorf("battle card body =\n%s\nwant the header and the 8 newest quotes, newest first", card.Draft.Body)
		}
	})
	t.Run("StageMoveEndsWhenTheCRMGetsThere", func(t *testing.T) {
		f := newQueue(t)
		deal := &backend.Deal{ID: "d9", Name: "Acme pilot", Stage: "qualifiedtobuy", CompanyID: "acme"}
		s := inboundSignal("g1", "t1", "maya@acme.io", "Pricing works. Please send the contract and we'll sign this week.", testNow.Add(-3*time.Hour))
		s.DealID, s.Deal = "d9", deal
		f.ingest(t, s)
		var kinds []string
		for _, m := range f.today(t, nil).Moves {
			kinds = append(kinds, string(m.Kind))
		}
		if !strings.Contains(strings.Join(kinds, ","), "update_deal") {
			t.Fatalf("today = %v, want a stage move", kinds)
		}
		f.ingest(t, &backend.Signal{Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: testNow.Add(-time.Hour), DedupeKey: "h1",
			DealID: "d9", Deal: &backend.Deal{ID: "d9", Name: "Acme pilot", Stage: "contractsent", CompanyID: "acme"}})
		for _, m := range f.today(t, nil).Moves {
			if m.Kind == backend.KindUpdateDeal {
				t.Errorf("stage move %q still open after the CRM moved the deal there", m.Title)
			}
		}
	})
}
