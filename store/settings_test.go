package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// fullSettings differs from the defaults in every field.
func fullSettings() *backend.Settings {
	s := backend.DefaultSettings()
	s.Weights = backend.Weights{Revenue: 0.5, Urgency: 0.2, Effort: 0.1, Strategic: 0.2}
	s.RevenueCurve = backend.Curve{{X: 1, Y: 0.1}, {X: 10_000, Y: 0.5}, {X: 80_000, Y: 1}}
	s.UnknownRevenue = 0.25
	s.UrgencyCurve = backend.Curve{{X: 1, Y: 1}, {X: 12, Y: 0.9}, {X: 100, Y: 0.2}}
	s.NoDeadlineUrgency = 0.15
	for k := range s.EffortMinutes {
		s.EffortMinutes[k] += 1
	}
	s.MaxEffortMinutes = 120
	s.FollowUps = backend.FollowUps{On: true, Steps: 3, GapDays: 4}
	s.Notifications = backend.Notifications{Off: []backend.NotifyKind{backend.NotifyOutboxDrained},
		Quiet: backend.QuietHours{On: true, Start: 22 * time.Hour, End: 7 * time.Hour}}
	s.ICP = backend.ICP{Base: 0.3, Rules: []backend.ICPRule{
		{Field: backend.FieldEmployees, Op: backend.OpBetween, Values: []string{"unused"}, Min: 20, Max: 500, Weight: 0.25, Label: "%s employees"},
		{Field: backend.FieldIndustry, Op: backend.OpIn, Values: []string{"gaming"}, Min: 1, Max: 2, Weight: -0.2, Label: "gaming"},
	}}
	s.StalledDealDays = 10
	s.ReplyWindow = 12 * time.Hour
	s.LeadResponse = 2 * time.Hour
	s.MeetingFollowUp = 6 * time.Hour
	s.MentionWindow = 36 * time.Hour
	s.StageSLA = 72 * time.Hour
	s.DemoStages = []string{"demo"}
	s.WonStages = []string{"won", "closedwon"}
	s.LostStages = []string{"lost"}
	s.TodayLimit = 7
	s.UndoWindow = 15*time.Second + 500*time.Millisecond
	s.DailyCaps = map[backend.MoveKind]int{backend.KindSendEmail: 30, backend.KindReplySocial: 5, backend.KindNote: 1}
	s.OwnerName = "Casey"
	s.OwnerEmail = "casey@pebblecache.dev"
	s.ProductName = "PebbleCache"
	s.ProductKeywords = []string{"remote build cache", "bazel cache"}
	s.NoResponseDays = 5
	s.Transcription = backend.Transcription{URL: "http://127.0.0.1:8080/v1", Model: "ggml-base.en", Timeout: 3 * time.Second}
	s.ContractStages = []string{"contract_out", "contractsent"}
	s.Competitors = []string{"Stackwise", "Build Buddy"}
	s.WorkingHours = backend.WorkingHours{Start: 8*time.Hour + 30*time.Minute, End: 18 * time.Hour}
	s.Pricing = replyPricing()
	s.Pricing.Tiers[1].MaxSeats = 500
	s.Facts = replyFacts()
	s.Facts[1].Keywords = []string{"soc 2", "audit"}
	s.RetentionMonths = 36
	s.LanguageModel = backend.LanguageModel{URL: "http://127.0.0.1:11434/v1", Model: "llama3.2", DailyTokens: 5000, NeverSend: []string{"acme.example"}}
	return s
}

func replyPricing() backend.Pricing {
	return backend.Pricing{Currency: "EUR", Tiers: []backend.PriceTier{
		{Name: "Team", MinSeats: 1, MaxSeats: 50, SeatPrice: 24.5},
		{Name: "Scale", MinSeats: 51, SeatPrice: 19},
	}}
}

func replyFacts() []backend.Fact {
	return []backend.Fact{
		{Topic: "security", Keywords: []string{"sso", "saml"}, Text: "SSO over SAML comes with every plan."},
		{Topic: "compliance", Text: "We are SOC 2 Type II audited."},
	}
}

func TestSettingsStore_Settings(t *testing.T) {
	t.Run("OK_Default", func(t *testing.T) {
		db := MustOpenStore(t)
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.Settings()
			if err != nil || !reflect.DeepEqual(got, backend.DefaultSettings()) {
				t.Errorf("Settings() = %+v, %v; want the defaults", got, err)
			}
			return nil
		})
	})
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		s := fullSettings()
		requireFilled(t, "Settings", s)
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		update(t, db, func(tx backend.Tx) error { return tx.PutSettings(s) })
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.Settings()
			if err != nil || !reflect.DeepEqual(got, s) {
				t.Errorf("Settings() = %+v, %v\nwant %+v", got, err, s)
			}
			return nil
		})
	})
	// A file from before the conversation settings (issue 21) reads them
	// as their defaults: contract stages, 9:00–17:00, no competitors.
	t.Run("OK_BeforeConversationSettings", func(t *testing.T) {
		db := MustOpenStore(t)
		old := `{"weights":{"revenue":0.4,"urgency":0.25,"effort":0.15,"strategic":0.2},"revenue_curve":[{"x":0,"y":0.05}],"unknown_revenue":0.2,"urgency_curve":[{"x":0,"y":1}],"no_deadline_urgency":0.1,"effort_minutes":{"send_email":15},"max_effort_minutes":150,"icp":{"base":0.3,"rules":[]},"stalled_deal_days":14,"reply_window_ns":86400000000000,"lead_response_ns":14400000000000,"meeting_follow_up_ns":86400000000000,"mention_window_ns":172800000000000,"stage_sla_ns":172800000000000,"demo_stages":["demo"],"won_stages":["closedwon"],"lost_stages":["closedlost"],"today_limit":10,"undo_window_ns":10000000000,"daily_caps":{},"owner_name":"","owner_email":""}`
		if err := store.PutRaw(db, "meta", []byte("settings"), []byte(old)); err != nil {
			t.Fatal(err)
		}
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.Settings()
			if err != nil {
				t.Fatal(err)
			}
			def := backend.DefaultSettings()
			if !reflect.DeepEqual(got.ContractStages, def.ContractStages) || got.WorkingHours != def.WorkingHours || got.Competitors != nil {
				t.Errorf("Settings() = contract stages %q, working hours %v, competitors %q; want %q, %v and none",
					got.ContractStages, got.WorkingHours, got.Competitors, def.ContractStages, def.WorkingHours)
			}
			return nil
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		s := fullSettings()
		s.Weights.Revenue = 0.9
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.PutSettings(s) })
		wantCode(t, "weights summing to 1.4", err, backend.EINVALID)
	})
	t.Run("ErrTranscriptionURL", func(t *testing.T) {
		db := MustOpenStore(t)
		s := fullSettings()
		s.Transcription.URL = "https://me:sk-secret@api.openai.com/v1"
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.PutSettings(s) })
		wantCode(t, "a transcription URL holding a key", err, backend.EINVALID)
	})
}

func TestWorkspaceStore_Workspace(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.Workspace()
			if err != nil || !reflect.DeepEqual(got, &backend.Workspace{}) {
				t.Errorf("Workspace() of a new file = %+v, %v; want the zero workspace", got, err)
			}
			return nil
		})
		w := &backend.Workspace{Demo: true, CreatedAt: at(1, 1), SeededAt: at(1, 2)}
		requireFilled(t, "Workspace", w)
		update(t, db, func(tx backend.Tx) error { return tx.PutWorkspace(w) })
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.Workspace()
			if err != nil || !reflect.DeepEqual(got, w) {
				t.Errorf("Workspace() = %+v, %v; want %+v", got, err, w)
			}
			return nil
		})
	})
}

func TestCursorStore_Cursor(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		update(t, db, func(tx backend.Tx) error {
			if c, err := tx.Cursor("gmail:me"); c != "" || err != nil {
				t.Errorf("Cursor() with none stored = %q, %v", c, err)
			}
			return errorsJoin(tx.PutCursor("gmail:me", "history-1"), tx.PutCursor("x:me", "1700"))
		})
		view(t, db, func(tx backend.Tx) error {
			if c, err := tx.Cursor("gmail:me"); c != "history-1" || err != nil {
				t.Errorf("Cursor(gmail) = %q, %v; want history-1", c, err)
			}
			return nil
		})
		update(t, db, func(tx backend.Tx) error { return tx.PutCursor("gmail:me", "") })
		view(t, db, func(tx backend.Tx) error {
			if c, _ := tx.Cursor("gmail:me"); c != "" {
				t.Errorf("Cursor after reset = %q, want empty", c)
			}
			return nil
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.Update(ctx, func(tx backend.Tx) error { return tx.PutCursor("", "1") })
		wantCode(t, "no account", err, backend.EINVALID)
	})
}
