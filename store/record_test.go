package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// The values below are spelled out here rather than taken from the other
// tests' helpers, so that a change to those helpers cannot move the bytes
// this file pins.

func formatDraft() backend.Draft {
	return backend.Draft{
		To: []string{"dana@acme.example"}, Cc: []string{"ops@acme.example"},
		Subject: "Re: pricing", Body: "Hi Dana,\n\n<b>Here</b> are the numbers & terms.", ThreadID: "thr-1",
		InReplyTo: "<m1@acme.example>", TaskTitle: "Send pricing", TaskDue: at(4, 9),
		DealStage: "negotiation", PostID: "p-9", MergeIDs: []string{"c-2", "c-3"},
		Duration: 30 * time.Minute, Fields: map[string]string{"tone": "warm", "lang": "en"},
	}
}

func formatMove() *backend.Move {
	return &backend.Move{
		Kind: backend.KindSendEmail, Domain: backend.DomainSales, Title: "Reply to Dana about pricing",
		Why:     []string{"Dana replied 2 hours ago"},
		Reasons: []string{"Dana replied 2 hours ago", "$50k ARR deal"},
		Score: backend.Score{
			APS:        87.5,
			Revenue:    backend.Component{Value: 0.9, Reason: "$50k ARR deal"},
			Urgency:    backend.Component{Value: 1, Reason: "reply window in 20 hours"},
			Effort:     backend.Component{Value: 0.1, Reason: "quick win"},
			Strategic:  backend.Component{Value: 0.9, Reason: "ICP: SaaS company"},
			Weights:    backend.Weights{Revenue: 0.4, Urgency: 0.3, Effort: 0.1, Strategic: 0.2},
			ComputedAt: at(3, 10), RescoreAt: at(4, 2),
		},
		Status: backend.StatusSnoozed, Draft: formatDraft(),
		Subject:   backend.Subject{Type: backend.SubjectThread, ID: "thr-1"},
		ContactID: "c-1", CompanyID: "co-1", DealID: "d-1", Source: backend.SourceGmail,
		SignalIDs: []uint64{3, 5}, DueAt: at(4, 8), DueLabel: "reply window", ExpiresAt: at(10, 8),
		SnoozedUntil: at(3, 14), SkipReason: "busy", LastError: "timeout", DraftEdited: true, StallNudge: true,
		SignalAt: at(3, 8), CreatedAt: at(3, 9), UpdatedAt: at(3, 11), DoneAt: at(3, 12),
	}
}

func formatContact() *backend.Contact {
	return &backend.Contact{
		ID: "c-1", Email: "dana@acme.example", Name: "Dana Scully", Title: "VP Engineering", CompanyID: "co-1",
		Lifecycle: "opportunity", Timezone: "Europe/Berlin", XHandle: "Priya_R", LastActivityAt: at(2, 9), UpdatedAt: at(2, 10),
	}
}

func formatCompany() *backend.Company {
	return &backend.Company{
		ID: "co-1", Name: "Acme", Domain: "acme.example", Industry: "SaaS", Employees: 120, Country: "DE",
		ExpectedARR: 48000.5, Tags: []string{"target_account"}, UpdatedAt: at(2, 11),
	}
}

func formatDeal() *backend.Deal {
	return &backend.Deal{
		ID: "d-1", Name: "Acme platform", Amount: 50000, Currency: "EUR", Stage: "negotiation", Pipeline: "default",
		CloseDate: at(28, 0), CompanyID: "co-1", ContactIDs: []string{"c-1", "c-2"},
		LastActivityAt: at(2, 9), StageChangedAt: at(1, 9), UpdatedAt: at(2, 12),
	}
}

func formatSignal() *backend.Signal {
	return &backend.Signal{
		Source: backend.SourceGmail, Type: backend.SignalEmailReplied,
		OccurredAt: at(2, 9), ReceivedAt: at(2, 10), DedupeKey: "gmail:msg-1",
		ContactID: "c-1", CompanyID: "co-1", DealID: "d-1", ThreadID: "thr-1",
		Contact: formatContact(), Company: formatCompany(), Deal: formatDeal(),
		Email: &backend.EmailMessage{
			ThreadID: "thr-1", MessageID: "<m1@acme.example>", From: "dana@acme.example", FromName: "Dana Scully",
			To: []string{"me@caseyos.example"}, Subject: "Re: pricing", Snippet: "Sounds good, can we…", ReceivedAt: at(2, 9),
		},
		Meeting: &backend.Meeting{
			ID: "ev-1", Title: "Pricing call", Start: at(5, 15), End: at(5, 16),
			Attendees: []string{"dana@acme.example", "me@caseyos.example"}, External: true, Link: "https://meet.example/abc",
		},
		Post: &backend.Post{ID: "p-1", Author: "dana", Text: "Loving @caseyos", URL: "https://x.example/p-1", Competitor: "rival",
			AuthorName: "Dana", Followers: 4800, Verified: true, ConversationID: "p-0", InReplyTo: "p-0", Keyword: "remote cache"},
		Form:    &backend.FormSubmission{Form: "demo-request", Fields: map[string]string{"size": "50-200"}},
		Payload: map[string]string{"previous_stage": "qualified"},
	}
}

func formatExecution() *backend.Execution {
	return &backend.Execution{
		MoveID: 1, IdempotencyKey: "move-1-attempt-1", State: backend.ExecWaitingUndo,
		Kind: backend.KindSendEmail, Actor: backend.ActorVoice, Draft: formatDraft(),
		RemoteIDs: map[string]string{"message_id": "gm-1", "thread_id": "thr-1"},
		Result:    "sent to dana@acme.example", Error: "none yet",
		CreatedAt: at(3, 9), UpdatedAt: at(3, 10), CommittedAt: at(3, 11),
		Action: "send_email", Plan: []byte(`{"v":1,"action":"send_email"}`), PlanHash: "ab12",
		UndoUntil: at(3, 12), NotBefore: at(3, 13), Queued: "offline: Gmail did not answer", Attempts: 2, RolledBackAt: at(3, 14),
	}
}

func replyFactSettings() *backend.Settings {
	s := backend.DefaultSettings()
	s.Pricing = replyPricing()
	s.Facts = replyFacts()
	return s
}

func formatSettings() *backend.Settings {
	s := backend.DefaultSettings()
	s.Weights = backend.Weights{Revenue: 0.5, Urgency: 0.2, Effort: 0.1, Strategic: 0.2}
	s.RevenueCurve = backend.Curve{{X: 1, Y: 0.1}, {X: 10_000, Y: 0.5}, {X: 80_000, Y: 1}}
	s.UnknownRevenue = 0.25
	s.UrgencyCurve = backend.Curve{{X: 1, Y: 1}, {X: 12, Y: 0.9}, {X: 100, Y: 0.2}}
	s.NoDeadlineUrgency = 0.15
	s.EffortMinutes = map[backend.MoveKind]int{}
	for i, k := range backend.MoveKinds {
		s.EffortMinutes[k] = 5 + i
	}
	s.MaxEffortMinutes = 120
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
	s.DailyCaps = map[backend.MoveKind]int{backend.KindSendEmail: 30, backend.KindReplySocial: 5}
	s.OwnerName = "Casey"
	s.OwnerEmail = "casey@pebblecache.dev"
	s.ProductName = "PebbleCache"
	s.ProductKeywords = []string{"remote build cache", "bazel cache"}
	s.NoResponseDays = 5
	s.Transcription = backend.Transcription{URL: "http://127.0.0.1:8080/v1", Model: "ggml-base.en", Timeout: 3 * time.Second}
	s.ContractStages = []string{"contract_out"}
	s.Competitors = []string{"Stackwise"}
	s.WorkingHours = backend.WorkingHours{Start: 8 * time.Hour, End: 16*time.Hour + 30*time.Minute}
	return s
}

// withID returns a copy of v with its ID (or Seq) field set.
func formatSequence() *backend.Sequence {
	return &backend.Sequence{
		ThreadID: "thr-1", To: "dana@acme.example", ContactID: "c-1", CompanyID: "co-1", DealID: "d-1", Domain: backend.DomainSales,
		Subject: "Pricing", MaxSteps: 3, GapDays: 3, State: backend.SequenceStopped,
		Steps: []backend.SequenceStep{
			{N: 1, MoveID: 1, SentAt: at(3, 9), MessageID: "<m1@caseyos.example>"},
			{N: 2, MoveID: 2},
		},
		NextAt: at(6, 9), PausedUntil: at(5, 9), StopReason: "they replied", StoppedAt: at(6, 10),
		CreatedAt: at(4, 9), UpdatedAt: at(6, 10),
	}
}

func withID[T any](v *T, id uint64) *T {
	c := *v
	f := reflect.ValueOf(&c).Elem().FieldByName("ID")
	if !f.IsValid() {
		f = reflect.ValueOf(&c).Elem().FieldByName("Seq")
	}
	f.SetUint(id)
	return &c
}

// TestRecords_DiskFormat pins every record's bytes in both directions:
// what this build writes for a value is byte for byte what the schema 3
// build wrote before the records were split out of records.go (a3b0023),
// and bytes that build wrote read back as the value. A failure here is a
// change of the disk format, which needs a migration (migrate.go).
func TestRecords_DiskFormat(t *testing.T) {
	tests := []struct {
		name   string
		bucket string
		key    []byte
		// stored is the value exactly as a3b0023 wrote it.
		stored string
		// write stores the value through the store (nil: stored is an
		// older form this build no longer writes).
		write func(backend.Tx) error
		read  func(backend.Tx) (any, error)
		want  any
	}{
		{
			name: "Signal", bucket: "signals", key: u64(1),
			stored: `{"source":"gmail","type":"email.replied","occurred_at":"2025-03-02T09:30:15.123456789Z","received_at":"2025-03-02T10:30:15.123456789Z","dedupe_key":"gmail:msg-1","contact_id":"c-1","company_id":"co-1","deal_id":"d-1","thread_id":"thr-1","contact":{"id":"c-1","email":"dana@acme.example","name":"Dana Scully","title":"VP Engineering","company_id":"co-1","lifecycle":"opportunity","timezone":"Europe/Berlin","x_handle":"Priya_R","last_activity_at":"2025-03-02T09:30:15.123456789Z","updated_at":"2025-03-02T10:30:15.123456789Z"},"company":{"id":"co-1","name":"Acme","domain":"acme.example","industry":"SaaS","employees":120,"country":"DE","expected_arr":48000.5,"tags":["target_account"],"updated_at":"2025-03-02T11:30:15.123456789Z"},"deal":{"id":"d-1","name":"Acme platform","amount":50000,"currency":"EUR","stage":"negotiation","pipeline":"default","close_date":"2025-03-28T00:30:15.123456789Z","company_id":"co-1","contact_ids":["c-1","c-2"],"last_activity_at":"2025-03-02T09:30:15.123456789Z","stage_changed_at":"2025-03-01T09:30:15.123456789Z","updated_at":"2025-03-02T12:30:15.123456789Z"},"email":{"thread_id":"thr-1","message_id":"\u003cm1@acme.example\u003e","from":"dana@acme.example","from_name":"Dana Scully","to":["me@caseyos.example"],"subject":"Re: pricing","snippet":"Sounds good, can we…","received_at":"2025-03-02T09:30:15.123456789Z"},"meeting":{"id":"ev-1","title":"Pricing call","start":"2025-03-05T15:30:15.123456789Z","end":"2025-03-05T16:30:15.123456789Z","attendees":["dana@acme.example","me@caseyos.example"],"external":true,"link":"https://meet.example/abc"},"post":{"id":"p-1","author":"dana","text":"Loving @caseyos","url":"https://x.example/p-1","competitor":"rival","author_name":"Dana","followers":4800,"verified":true,"conversation_id":"p-0","in_reply_to":"p-0","keyword":"remote cache"},"form":{"form":"demo-request","fields":{"size":"50-200"}},"payload":{"previous_stage":"qualified"}}`,
			write:  func(tx backend.Tx) error { return tx.CreateSignal(formatSignal()) },
			read:   func(tx backend.Tx) (any, error) { return tx.FindSignal(1) },
			want:   withID(formatSignal(), 1),
		},
		{
			name: "Contact", bucket: "contacts", key: []byte("c-1"),
			stored: `{"id":"c-1","email":"dana@acme.example","name":"Dana Scully","title":"VP Engineering","company_id":"co-1","lifecycle":"opportunity","timezone":"Europe/Berlin","x_handle":"Priya_R","last_activity_at":"2025-03-02T09:30:15.123456789Z","updated_at":"2025-03-02T10:30:15.123456789Z"}`,
			write:  func(tx backend.Tx) error { return tx.PutContact(formatContact()) },
			read:   func(tx backend.Tx) (any, error) { return tx.FindContact("c-1") },
			want:   formatContact(),
		},
		{
			name: "Company", bucket: "companies", key: []byte("co-1"),
			stored: `{"id":"co-1","name":"Acme","domain":"acme.example","industry":"SaaS","employees":120,"country":"DE","expected_arr":48000.5,"tags":["target_account"],"updated_at":"2025-03-02T11:30:15.123456789Z"}`,
			write:  func(tx backend.Tx) error { return tx.PutCompany(formatCompany()) },
			read:   func(tx backend.Tx) (any, error) { return tx.FindCompany("co-1") },
			want:   formatCompany(),
		},
		{
			name: "Deal", bucket: "deals", key: []byte("d-1"),
			stored: `{"id":"d-1","name":"Acme platform","amount":50000,"currency":"EUR","stage":"negotiation","pipeline":"default","close_date":"2025-03-28T00:30:15.123456789Z","company_id":"co-1","contact_ids":["c-1","c-2"],"last_activity_at":"2025-03-02T09:30:15.123456789Z","stage_changed_at":"2025-03-01T09:30:15.123456789Z","updated_at":"2025-03-02T12:30:15.123456789Z"}`,
			write:  func(tx backend.Tx) error { return tx.PutDeal(formatDeal()) },
			read:   func(tx backend.Tx) (any, error) { return tx.FindDeal("d-1") },
			want:   formatDeal(),
		},
		{
			name: "Move", bucket: "moves", key: u64(1),
			stored: `{"kind":"send_email","domain":"sales","title":"Reply to Dana about pricing","why":["Dana replied 2 hours ago"],"reasons":["Dana replied 2 hours ago","$50k ARR deal"],"score":{"aps":87.5,"revenue":{"value":0.9,"reason":"$50k ARR deal"},"urgency":{"value":1,"reason":"reply window in 20 hours"},"effort":{"value":0.1,"reason":"quick win"},"strategic":{"value":0.9,"reason":"ICP: SaaS company"},"weights":{"revenue":0.4,"urgency":0.3,"effort":0.1,"strategic":0.2},"computed_at":"2025-03-03T10:30:15.123456789Z","rescore_at":"2025-03-04T02:30:15.123456789Z"},"status":"snoozed","draft":{"to":["dana@acme.example"],"cc":["ops@acme.example"],"subject":"Re: pricing","body":"Hi Dana,\n\n\u003cb\u003eHere\u003c/b\u003e are the numbers \u0026 terms.","thread_id":"thr-1","in_reply_to":"\u003cm1@acme.example\u003e","task_title":"Send pricing","task_due":"2025-03-04T09:30:15.123456789Z","deal_stage":"negotiation","post_id":"p-9","merge_ids":["c-2","c-3"],"duration_ns":1800000000000,"fields":{"lang":"en","tone":"warm"}},"subject_type":"thread","subject_id":"thr-1","contact_id":"c-1","company_id":"co-1","deal_id":"d-1","source":"gmail","signal_ids":[3,5],"due_at":"2025-03-04T08:30:15.123456789Z","due_label":"reply window","expires_at":"2025-03-10T08:30:15.123456789Z","snoozed_until":"2025-03-03T14:30:15.123456789Z","skip_reason":"busy","last_error":"timeout","draft_edited":true,"stall_nudge":true,"signal_at":"2025-03-03T08:30:15.123456789Z","created_at":"2025-03-03T09:30:15.123456789Z","updated_at":"2025-03-03T11:30:15.123456789Z","done_at":"2025-03-03T12:30:15.123456789Z"}`,
			write:  func(tx backend.Tx) error { return tx.CreateMove(formatMove()) },
			read:   func(tx backend.Tx) (any, error) { return tx.FindMove(1) },
			want:   withID(formatMove(), 1),
		},
		{
			name: "Execution", bucket: "executions", key: u64(1),
			stored: `{"move_id":1,"idempotency_key":"move-1-attempt-1","state":"waiting_undo","kind":"send_email","actor":"voice","draft":{"to":["dana@acme.example"],"cc":["ops@acme.example"],"subject":"Re: pricing","body":"Hi Dana,\n\n\u003cb\u003eHere\u003c/b\u003e are the numbers \u0026 terms.","thread_id":"thr-1","in_reply_to":"\u003cm1@acme.example\u003e","task_title":"Send pricing","task_due":"2025-03-04T09:30:15.123456789Z","deal_stage":"negotiation","post_id":"p-9","merge_ids":["c-2","c-3"],"duration_ns":1800000000000,"fields":{"lang":"en","tone":"warm"}},"remote_ids":{"message_id":"gm-1","thread_id":"thr-1"},"result":"sent to dana@acme.example","error":"none yet","created_at":"2025-03-03T09:30:15.123456789Z","updated_at":"2025-03-03T10:30:15.123456789Z","committed_at":"2025-03-03T11:30:15.123456789Z","action":"send_email","plan":"{\"v\":1,\"action\":\"send_email\"}","plan_hash":"ab12","undo_until":"2025-03-03T12:30:15.123456789Z","not_before":"2025-03-03T13:30:15.123456789Z","queued":"offline: Gmail did not answer","attempts":2,"rolled_back_at":"2025-03-03T14:30:15.123456789Z"}`,
			write: func(tx backend.Tx) error {
				if err := tx.CreateMove(formatMove()); err != nil {
					return err
				}
				return tx.CreateExecution(formatExecution())
			},
			read: func(tx backend.Tx) (any, error) { return tx.FindExecution(1) },
			want: withID(formatExecution(), 1),
		},
		{
			// Written before the execution engine (issue 6): the fields
			// it added read as zero.
			name: "ExecutionBeforeEngine", bucket: "executions", key: u64(1),
			stored: `{"move_id":1,"idempotency_key":"move-1-attempt-1","state":"committed","kind":"note","draft":{"task_due":"0001-01-01T00:00:00Z"},"result":"noted","created_at":"2025-03-03T09:30:15.123456789Z","updated_at":"2025-03-03T10:30:15.123456789Z","committed_at":"2025-03-03T11:30:15.123456789Z"}`,
			read:   func(tx backend.Tx) (any, error) { return tx.FindExecution(1) },
			want: &backend.Execution{
				ID: 1, MoveID: 1, IdempotencyKey: "move-1-attempt-1", State: backend.ExecCommitted, Kind: backend.KindNote,
				Result: "noted", CreatedAt: at(3, 9), UpdatedAt: at(3, 10), CommittedAt: at(3, 11),
			},
		},
		{
			name: "Outcome", bucket: "outcomes", key: u64(1),
			stored: `{"move_id":1,"execution_id":1,"type":"positive_reply","signal_id":7,"note":"asked for a call","actor":"system","occurred_at":"2025-03-04T09:30:15.123456789Z","recorded_at":"2025-03-04T10:30:15.123456789Z"}`,
			write: func(tx backend.Tx) error {
				if err := tx.CreateMove(formatMove()); err != nil {
					return err
				}
				if err := tx.CreateExecution(formatExecution()); err != nil {
					return err
				}
				return tx.CreateOutcome(&backend.Outcome{
					MoveID: 1, ExecutionID: 1, Type: backend.OutcomePositiveReply, SignalID: 7,
					Note: "asked for a call", Actor: backend.ActorSystem, OccurredAt: at(4, 9), RecordedAt: at(4, 10),
				})
			},
			read: func(tx backend.Tx) (any, error) { return tx.FindOutcomes(1) },
			want: []*backend.Outcome{{
				ID: 1, MoveID: 1, ExecutionID: 1, Type: backend.OutcomePositiveReply, SignalID: 7,
				Note: "asked for a call", Actor: backend.ActorSystem, OccurredAt: at(4, 9), RecordedAt: at(4, 10),
			}},
		},
		{
			name: "Sequence", bucket: "sequences", key: u64(1),
			stored: `{"thread_id":"thr-1","to":"dana@acme.example","contact_id":"c-1","company_id":"co-1","deal_id":"d-1","domain":"sales","subject":"Pricing","steps":[{"n":1,"move_id":1,"sent_at":"2025-03-03T09:30:15.123456789Z","message_id":"\u003cm1@caseyos.example\u003e"},{"n":2,"move_id":2}],"max_steps":3,"gap_days":3,"state":"stopped","next_at":"2025-03-06T09:30:15.123456789Z","paused_until":"2025-03-05T09:30:15.123456789Z","stop_reason":"they replied","stopped_at":"2025-03-06T10:30:15.123456789Z","created_at":"2025-03-04T09:30:15.123456789Z","updated_at":"2025-03-06T10:30:15.123456789Z"}`,
			write: func(tx backend.Tx) error {
				for i := 0; i < 2; i++ {
					if err := tx.CreateMove(formatMove()); err != nil {
						return err
					}
					m, _ := tx.FindMove(uint64(i + 1))
					m.Status = backend.StatusDone
					if err := tx.UpdateMove(m); err != nil {
						return err
					}
				}
				return tx.PutSequence(formatSequence())
			},
			read: func(tx backend.Tx) (any, error) { return tx.FindSequence(1) },
			want: withID(formatSequence(), 1),
		},
		{
			name: "SettingsFollowUps", bucket: "meta", key: []byte("settings"),
			stored: `{"weights":{"revenue":0.4,"urgency":0.25,"effort":0.15,"strategic":0.2},"revenue_curve":[{"x":0,"y":0.05},{"x":5000,"y":0.3},{"x":20000,"y":0.6},{"x":50000,"y":0.9},{"x":100000,"y":1}],"unknown_revenue":0.2,"urgency_curve":[{"x":0,"y":1},{"x":2,"y":1},{"x":24,"y":0.9},{"x":48,"y":0.75},{"x":72,"y":0.6},{"x":168,"y":0.3},{"x":336,"y":0.1}],"no_deadline_urgency":0.1,"effort_minutes":{"create_task":30,"merge_contacts":5,"note":20,"reply_social":5,"schedule_meeting":10,"send_email":15,"update_deal":5},"max_effort_minutes":150,"icp":{"base":0.2,"rules":[{"field":"company.industry","op":"in","values":["saas","software","fintech","developer tools"],"min":0,"max":0,"weight":0.3,"label":"%s company"},{"field":"company.employees","op":"between","values":null,"min":50,"max":1000,"weight":0.2,"label":"%s employees"},{"field":"contact.title","op":"contains_any","values":["founder","ceo","cto","vp","head of","director"],"min":0,"max":0,"weight":0.2,"label":"decision-maker (%s)"},{"field":"company.tags","op":"in","values":["target_account","strategic"],"min":0,"max":0,"weight":0.2,"label":"target account"},{"field":"company.country","op":"in","values":["us","usa","united states","gb","uk","united kingdom","ca","canada","de","germany"],"min":0,"max":0,"weight":0.1,"label":"in a core market (%s)"}]},"stalled_deal_days":14,"reply_window_ns":86400000000000,"lead_response_ns":14400000000000,"meeting_follow_up_ns":86400000000000,"mention_window_ns":172800000000000,"stage_sla_ns":172800000000000,"demo_stages":["presentationscheduled","demo_scheduled","demo"],"won_stages":["closedwon"],"lost_stages":["closedlost"],"today_limit":10,"undo_window_ns":10000000000,"daily_caps":{"reply_social":20,"send_email":50},"owner_name":"","owner_email":"","contract_stages":["contractsent"],"working_hours":{"start_ns":32400000000000,"end_ns":61200000000000},"learning":{"on":true,"max_points":10,"half_life_ns":7776000000000000,"prior_strength":10},"follow_ups":{"on":false,"steps":3,"gap_days":5}}`,
			write: func(tx backend.Tx) error {
				s := backend.DefaultSettings()
				s.FollowUps = backend.FollowUps{On: false, Steps: 3, GapDays: 5}
				return tx.PutSettings(s)
			},
			read: func(tx backend.Tx) (any, error) { return tx.Settings() },
			want: func() *backend.Settings {
				s := backend.DefaultSettings()
				s.FollowUps = backend.FollowUps{On: false, Steps: 3, GapDays: 5}
				return s
			}(),
		},
		{
			name: "Guardrails", bucket: "meta", key: []byte("guardrails"),
			stored: `{"kill_switch":true,"kill_switch_at":"2025-03-05T09:30:15.123456789Z","kill_switch_by":"key","kill_switch_reason":"bad batch","send_window_start":420,"send_window_end":1170,"skip_weekends":true}`,
			write: func(tx backend.Tx) error {
				return tx.PutGuardrails(&backend.Guardrails{
					KillSwitch: true, KillSwitchAt: at(5, 9), KillSwitchBy: backend.ActorKey, KillSwitchReason: "bad batch",
					SendWindow: backend.SendWindow{Start: 7 * 60, End: 19*60 + 30, SkipWeekends: true},
				})
			},
			read: func(tx backend.Tx) (any, error) { return tx.Guardrails() },
			want: &backend.Guardrails{
				KillSwitch: true, KillSwitchAt: at(5, 9), KillSwitchBy: backend.ActorKey, KillSwitchReason: "bad batch",
				SendWindow: backend.SendWindow{Start: 7 * 60, End: 19*60 + 30, SkipWeekends: true},
			},
		},
		{
			name: "DoNotContact", bucket: "do_not_contact", key: []byte("dana@acme.example"),
			stored: `{"reason":"unsubscribed","note":"via footer link","actor":"system","at":"2025-03-06T09:30:15.123456789Z"}`,
			write: func(tx backend.Tx) error {
				return tx.PutDoNotContact(&backend.DoNotContact{
					Email: "Dana@Acme.example", Reason: backend.DNCUnsubscribed, Note: "via footer link", Actor: backend.ActorSystem, At: at(6, 9),
				})
			},
			read: func(tx backend.Tx) (any, error) { return tx.DoNotContact("dana@acme.example") },
			want: &backend.DoNotContact{
				Email: "dana@acme.example", Reason: backend.DNCUnsubscribed, Note: "via footer link", Actor: backend.ActorSystem, At: at(6, 9),
			},
		},
		{
			name: "ContactImported", bucket: "contacts", key: []byte("dana@acme.example"),
			stored: `{"id":"dana@acme.example","email":"dana@acme.example","name":"Dana Scully","title":"VP Engineering","company_id":"import:acme.example","last_activity_at":"0001-01-01T00:00:00Z","updated_at":"2025-03-02T10:30:15.123456789Z","phone":"+1 415 555 0100","owner":"fox@caseyos.example","created_at":"2024-01-02T09:30:15.123456789Z","source":"import"}`,
			write: func(tx backend.Tx) error {
				return tx.PutContact(&backend.Contact{ID: "dana@acme.example", Email: "dana@acme.example", Name: "Dana Scully", Title: "VP Engineering",
					CompanyID: "import:acme.example", UpdatedAt: at(2, 10), Phone: "+1 415 555 0100", Owner: "fox@caseyos.example",
					CreatedAt: time.Date(2024, 1, 2, 9, 30, 15, 123456789, time.UTC), Source: backend.ContactSourceImport})
			},
			read: func(tx backend.Tx) (any, error) { return tx.FindContact("dana@acme.example") },
			want: &backend.Contact{ID: "dana@acme.example", Email: "dana@acme.example", Name: "Dana Scully", Title: "VP Engineering",
				CompanyID: "import:acme.example", UpdatedAt: at(2, 10), Phone: "+1 415 555 0100", Owner: "fox@caseyos.example",
				CreatedAt: time.Date(2024, 1, 2, 9, 30, 15, 123456789, time.UTC), Source: backend.ContactSourceImport},
		},
		{
			name: "CompanyImported", bucket: "companies", key: []byte("import:acme.example"),
			stored: `{"id":"import:acme.example","name":"Acme","domain":"acme.example","updated_at":"2025-03-02T11:30:15.123456789Z","source":"import"}`,
			write: func(tx backend.Tx) error {
				return tx.PutCompany(&backend.Company{ID: "import:acme.example", Name: "Acme", Domain: "acme.example", UpdatedAt: at(2, 11), Source: backend.ContactSourceImport})
			},
			read: func(tx backend.Tx) (any, error) { return tx.FindCompany("import:acme.example") },
			want: &backend.Company{ID: "import:acme.example", Name: "Acme", Domain: "acme.example", UpdatedAt: at(2, 11), Source: backend.ContactSourceImport},
		},
		{
			name: "ContactPair", bucket: "contact_pairs", key: []byte("c-1\x00c-2"),
			stored: `{"verdict":"distinct","move_id":7,"actor":"cli","at":"2025-03-06T09:30:15.123456789Z"}`,
			write: func(tx backend.Tx) error {
				return tx.PutContactPair(&backend.ContactPair{A: "c-1", B: "c-2", Verdict: backend.PairDistinct, MoveID: 7, Actor: backend.ActorCLI, At: at(6, 9)})
			},
			read: func(tx backend.Tx) (any, error) { return tx.ContactPair("c-2", "c-1") },
			want: &backend.ContactPair{A: "c-1", B: "c-2", Verdict: backend.PairDistinct, MoveID: 7, Actor: backend.ActorCLI, At: at(6, 9)},
		},
		{
			name: "Rule", bucket: "rules", key: u64(1),
			stored: `{"name":"follow-ups to customers","enabled":true,"kinds":["send_email","create_task"],"domains":["cs"],"email_domains":["acme.example"],"min_score":60,"segments":["customer"],"created_at":"2025-03-07T09:30:15.123456789Z","updated_at":"2025-03-07T10:30:15.123456789Z"}`,
			write: func(tx backend.Tx) error {
				return tx.PutRule(&backend.Rule{
					Name: "follow-ups to customers", Enabled: true,
					Kinds: []backend.MoveKind{backend.KindSendEmail, backend.KindCreateTask}, Domains: []backend.Domain{backend.DomainCS},
					EmailDomains: []string{"acme.example"}, MinScore: 60, Segments: []string{"customer"},
					CreatedAt: at(7, 9), UpdatedAt: at(7, 10),
				})
			},
			read: func(tx backend.Tx) (any, error) { return tx.FindRules() },
			want: []*backend.Rule{{
				ID: 1, Name: "follow-ups to customers", Enabled: true,
				Kinds: []backend.MoveKind{backend.KindSendEmail, backend.KindCreateTask}, Domains: []backend.Domain{backend.DomainCS},
				EmailDomains: []string{"acme.example"}, MinScore: 60, Segments: []string{"customer"},
				CreatedAt: at(7, 9), UpdatedAt: at(7, 10),
			}},
		},
		{
			name: "Settings", bucket: "meta", key: []byte("settings"),
			stored: `{"weights":{"revenue":0.5,"urgency":0.2,"effort":0.1,"strategic":0.2},"revenue_curve":[{"x":1,"y":0.1},{"x":10000,"y":0.5},{"x":80000,"y":1}],"unknown_revenue":0.25,"urgency_curve":[{"x":1,"y":1},{"x":12,"y":0.9},{"x":100,"y":0.2}],"no_deadline_urgency":0.15,"effort_minutes":{"create_task":6,"merge_contacts":10,"note":11,"reply_social":9,"schedule_meeting":7,"send_email":5,"update_deal":8},"max_effort_minutes":120,"icp":{"base":0.3,"rules":[{"field":"company.employees","op":"between","values":["unused"],"min":20,"max":500,"weight":0.25,"label":"%s employees"},{"field":"company.industry","op":"in","values":["gaming"],"min":1,"max":2,"weight":-0.2,"label":"gaming"}]},"stalled_deal_days":10,"reply_window_ns":43200000000000,"lead_response_ns":7200000000000,"meeting_follow_up_ns":21600000000000,"mention_window_ns":129600000000000,"stage_sla_ns":259200000000000,"demo_stages":["demo"],"won_stages":["won","closedwon"],"lost_stages":["lost"],"today_limit":7,"undo_window_ns":15500000000,"daily_caps":{"reply_social":5,"send_email":30},"owner_name":"Casey","owner_email":"casey@pebblecache.dev","transcription":{"url":"http://127.0.0.1:8080/v1","model":"ggml-base.en","timeout_ns":3000000000},"contract_stages":["contract_out"],"competitors":["Stackwise"],"working_hours":{"start_ns":28800000000000,"end_ns":59400000000000},"product_name":"PebbleCache","product_keywords":["remote build cache","bazel cache"],"no_response_days":5,"learning":{"on":true,"max_points":10,"half_life_ns":7776000000000000,"prior_strength":10}}`,
			write:  func(tx backend.Tx) error { return tx.PutSettings(formatSettings()) },
			read:   func(tx backend.Tx) (any, error) { return tx.Settings() },
			want:   formatSettings(),
		},
		{
			// The price list and the facts list; a file from before them
			// (the row above) reads them as empty.
			name: "Settings_ReplyFacts", bucket: "meta", key: []byte("settings"),
			stored: `{"weights":{"revenue":0.4,"urgency":0.25,"effort":0.15,"strategic":0.2},"revenue_curve":[{"x":0,"y":0.05},{"x":5000,"y":0.3},{"x":20000,"y":0.6},{"x":50000,"y":0.9},{"x":100000,"y":1}],"unknown_revenue":0.2,"urgency_curve":[{"x":0,"y":1},{"x":2,"y":1},{"x":24,"y":0.9},{"x":48,"y":0.75},{"x":72,"y":0.6},{"x":168,"y":0.3},{"x":336,"y":0.1}],"no_deadline_urgency":0.1,"effort_minutes":{"create_task":30,"merge_contacts":5,"note":20,"reply_social":5,"schedule_meeting":10,"send_email":15,"update_deal":5},"max_effort_minutes":150,"icp":{"base":0.2,"rules":[{"field":"company.industry","op":"in","values":["saas","software","fintech","developer tools"],"min":0,"max":0,"weight":0.3,"label":"%s company"},{"field":"company.employees","op":"between","values":null,"min":50,"max":1000,"weight":0.2,"label":"%s employees"},{"field":"contact.title","op":"contains_any","values":["founder","ceo","cto","vp","head of","director"],"min":0,"max":0,"weight":0.2,"label":"decision-maker (%s)"},{"field":"company.tags","op":"in","values":["target_account","strategic"],"min":0,"max":0,"weight":0.2,"label":"target account"},{"field":"company.country","op":"in","values":["us","usa","united states","gb","uk","united kingdom","ca","canada","de","germany"],"min":0,"max":0,"weight":0.1,"label":"in a core market (%s)"}]},"stalled_deal_days":14,"reply_window_ns":86400000000000,"lead_response_ns":14400000000000,"meeting_follow_up_ns":86400000000000,"mention_window_ns":172800000000000,"stage_sla_ns":172800000000000,"demo_stages":["presentationscheduled","demo_scheduled","demo"],"won_stages":["closedwon"],"lost_stages":["closedlost"],"today_limit":10,"undo_window_ns":10000000000,"daily_caps":{"reply_social":20,"send_email":50},"owner_name":"","owner_email":"","contract_stages":["contractsent"],"working_hours":{"start_ns":32400000000000,"end_ns":61200000000000},"pricing":{"currency":"EUR","tiers":[{"name":"Team","min_seats":1,"max_seats":50,"seat_price":24.5},{"name":"Scale","min_seats":51,"seat_price":19}]},"facts":[{"topic":"security","keywords":["sso","saml"],"text":"SSO over SAML comes with every plan."},{"topic":"compliance","text":"We are SOC 2 Type II audited."}],"learning":{"on":true,"max_points":10,"half_life_ns":7776000000000000,"prior_strength":10}}`,
			write:  func(tx backend.Tx) error { return tx.PutSettings(replyFactSettings()) },
			read:   func(tx backend.Tx) (any, error) { return tx.Settings() },
			want:   replyFactSettings(),
		},
		{
			name: "Workspace", bucket: "meta", key: []byte("workspace"),
			stored: `{"demo":true,"created_at":"2025-03-01T09:30:15.123456789Z","seeded_at":"2025-03-01T10:30:15.123456789Z"}`,
			write: func(tx backend.Tx) error {
				return tx.PutWorkspace(&backend.Workspace{Demo: true, CreatedAt: at(1, 9), SeededAt: at(1, 10)})
			},
			read: func(tx backend.Tx) (any, error) { return tx.Workspace() },
			want: &backend.Workspace{Demo: true, CreatedAt: at(1, 9), SeededAt: at(1, 10)},
		},
		{
			// An audit entry's hash depends on the file's audit key, so only
			// the reading direction is pinned here (verify_audit_test.go and
			// the v2 fixture cover the chain).
			name: "Audit", bucket: "audit", key: u64(1),
			stored: `{"at":"2025-03-08T09:30:15.123456789Z","actor":"click","action":"move.snoozed","move_id":4,"from":"pending","to":"snoozed","detail":"until Monday","aps":61.25,"reasons":["no reply in 9 days"],"v":2,"prev_hash":"00ff","hash":"abcd"}`,
			read: func(tx backend.Tx) (any, error) {
				es, _, err := tx.FindAudit(backend.AuditFilter{})
				return es, err
			},
			want: []*backend.AuditEntry{{
				Seq: 1, At: at(8, 9), Actor: backend.ActorClick, Action: "move.snoozed", MoveID: 4,
				From: backend.StatusPending, To: backend.StatusSnoozed, Detail: "until Monday", APS: 61.25,
				Reasons: []string{"no reply in 9 days"}, Version: backend.AuditKeyed, PrevHash: "00ff", Hash: "abcd",
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenStore(t)
			if tt.write != nil {
				update(t, db, tt.write)
				got, err := store.GetRaw(db, tt.bucket, tt.key)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.stored {
					t.Errorf("stored %s/%q =\n%s\nwant\n%s", tt.bucket, tt.key, got, tt.stored)
				}
			}
			if err := store.PutRaw(db, tt.bucket, tt.key, []byte(tt.stored)); err != nil {
				t.Fatal(err)
			}
			view(t, db, func(tx backend.Tx) error {
				got, err := tt.read(tx)
				if err != nil {
					t.Fatalf("reading %s/%q = %v", tt.bucket, tt.key, err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("reading %s/%q =\n%+v\nwant\n%+v", tt.bucket, tt.key, got, tt.want)
				}
				return nil
			})
		})
	}
}

// TestRecords_MissingAndDamaged reads every kind of record when it is not
// stored and when its bytes are damaged: missing is ENOTFOUND (or the
// defaults, for meta), damaged is always EINTERNAL, never a zero value.
func TestRecords_MissingAndDamaged(t *testing.T) {
	first := func(tx backend.Tx, read func(backend.Tx) (any, error)) error { _, err := read(tx); return err }
	tests := []struct {
		name        string
		bucket      string
		key         []byte
		read        func(backend.Tx) (any, error)
		missingCode string // "" with missingWant: the read gives a default
		missingWant any
	}{
		{name: "Signal", bucket: "signals", key: u64(1), read: func(tx backend.Tx) (any, error) { return tx.FindSignal(1) }, missingCode: backend.ENOTFOUND},
		{name: "Move", bucket: "moves", key: u64(1), read: func(tx backend.Tx) (any, error) { return tx.FindMove(1) }, missingCode: backend.ENOTFOUND},
		{name: "Execution", bucket: "executions", key: u64(1), read: func(tx backend.Tx) (any, error) { return tx.FindExecution(1) }, missingCode: backend.ENOTFOUND},
		{name: "Sequence", bucket: "sequences", key: u64(1), read: func(tx backend.Tx) (any, error) { return tx.FindSequence(1) }, missingCode: backend.ENOTFOUND},
		{name: "Contact", bucket: "contacts", key: []byte("c-1"), read: func(tx backend.Tx) (any, error) { return tx.FindContact("c-1") }, missingCode: backend.ENOTFOUND},
		{name: "Company", bucket: "companies", key: []byte("co-1"), read: func(tx backend.Tx) (any, error) { return tx.FindCompany("co-1") }, missingCode: backend.ENOTFOUND},
		{name: "Deal", bucket: "deals", key: []byte("d-1"), read: func(tx backend.Tx) (any, error) { return tx.FindDeal("d-1") }, missingCode: backend.ENOTFOUND},
		{name: "DoNotContact", bucket: "do_not_contact", key: []byte("dana@acme.example"), read: func(tx backend.Tx) (any, error) { return tx.DoNotContact("Dana@acme.example") }, missingCode: backend.ENOTFOUND},
		{name: "Settings", bucket: "meta", key: []byte("settings"), read: func(tx backend.Tx) (any, error) { return tx.Settings() }, missingWant: backend.DefaultSettings()},
		{name: "Workspace", bucket: "meta", key: []byte("workspace"), read: func(tx backend.Tx) (any, error) { return tx.Workspace() }, missingWant: &backend.Workspace{}},
		{name: "Guardrails", bucket: "meta", key: []byte("guardrails"), read: func(tx backend.Tx) (any, error) { return tx.Guardrails() }, missingWant: backend.DefaultGuardrails()},
		{name: "FindRules", bucket: "rules", key: u64(1), read: func(tx backend.Tx) (any, error) { return tx.FindRules() }, missingWant: []*backend.Rule(nil)},
		{name: "FindDoNotContacts", bucket: "do_not_contact", key: []byte("dana@acme.example"), read: func(tx backend.Tx) (any, error) { return tx.FindDoNotContacts() }, missingWant: []*backend.DoNotContact(nil)},
		{name: "FindDeals", bucket: "deals", key: []byte("d-1"), read: func(tx backend.Tx) (any, error) { return tx.FindDeals(backend.DealFilter{}) }, missingWant: []*backend.Deal{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenStore(t)
			view(t, db, func(tx backend.Tx) error {
				got, err := tt.read(tx)
				if tt.missingCode != "" {
					wantCode(t, "missing", err, tt.missingCode)
				} else if err != nil || !reflect.DeepEqual(got, tt.missingWant) {
					t.Errorf("missing = %#v, %v, want %#v", got, err, tt.missingWant)
				}
				return nil
			})
			for _, bad := range []string{`{"id":`, `"a string"`, `[]`, ``} {
				if err := store.PutRaw(db, tt.bucket, tt.key, []byte(bad)); err != nil {
					t.Fatal(err)
				}
				view(t, db, func(tx backend.Tx) error {
					wantCode(t, "damaged "+bad, first(tx, tt.read), backend.EINTERNAL)
					return nil
				})
			}
		})
	}
	t.Run("EmptyID", func(t *testing.T) {
		db := MustOpenStore(t)
		update(t, db, func(tx backend.Tx) error {
			return errorsJoin(tx.PutContact(formatContact()), tx.PutCompany(formatCompany()), tx.PutDeal(formatDeal()))
		})
		view(t, db, func(tx backend.Tx) error {
			_, err := tx.FindContact("")
			wantCode(t, `FindContact("")`, err, backend.ENOTFOUND)
			_, err = tx.FindCompany("")
			wantCode(t, `FindCompany("")`, err, backend.ENOTFOUND)
			_, err = tx.FindDeal("")
			wantCode(t, `FindDeal("")`, err, backend.ENOTFOUND)
			return nil
		})
	})
	// An index entry whose record is gone is a damaged file, not a
	// missing record.
	t.Run("Dangling", func(t *testing.T) {
		db := MustOpenStore(t)
		update(t, db, func(tx backend.Tx) error {
			if err := tx.CreateMove(formatMove()); err != nil {
				return err
			}
			if err := tx.CreateOutcome(&backend.Outcome{MoveID: 1, Type: backend.OutcomeReplied, OccurredAt: at(4, 9)}); err != nil {
				return err
			}
			return tx.AppendAudit(&backend.AuditEntry{At: at(4, 9), Actor: backend.ActorClick, Action: "move.done", MoveID: 1})
		})
		if err := errorsJoin(store.DeleteRaw(db, "outcomes", u64(1)), store.DeleteRaw(db, "audit", u64(1))); err != nil {
			t.Fatal(err)
		}
		view(t, db, func(tx backend.Tx) error {
			_, err := tx.FindOutcomes(1)
			wantCode(t, "FindOutcomes", err, backend.EINTERNAL)
			_, _, err = tx.FindAudit(backend.AuditFilter{MoveID: ptr(uint64(1))})
			wantCode(t, "FindAudit", err, backend.EINTERNAL)
			return nil
		})
	})
}
