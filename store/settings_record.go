package store

// The disk format of meta/settings and meta/workspace. record.go says what
// every record follows.

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// settingsRecord has no omitempty: every setting is written out, so a
// stored file shows exactly what the founder chose.
type settingsRecord struct {
	Weights           weightsRecord      `json:"weights"`
	RevenueCurve      []curvePointRecord `json:"revenue_curve"`
	UnknownRevenue    float64            `json:"unknown_revenue"`
	UrgencyCurve      []curvePointRecord `json:"urgency_curve"`
	NoDeadlineUrgency float64            `json:"no_deadline_urgency"`
	EffortMinutes     map[string]int     `json:"effort_minutes"`
	MaxEffortMinutes  int                `json:"max_effort_minutes"`
	ICP               icpRecord          `json:"icp"`
	StalledDealDays   int                `json:"stalled_deal_days"`
	ReplyWindow       int64              `json:"reply_window_ns"`
	LeadResponse      int64              `json:"lead_response_ns"`
	MeetingFollowUp   int64              `json:"meeting_follow_up_ns"`
	MentionWindow     int64              `json:"mention_window_ns"`
	StageSLA          int64              `json:"stage_sla_ns"`
	DemoStages        []string           `json:"demo_stages"`
	WonStages         []string           `json:"won_stages"`
	LostStages        []string           `json:"lost_stages"`
	TodayLimit        int                `json:"today_limit"`
	UndoWindow        int64              `json:"undo_window_ns"`
	DailyCaps         map[string]int     `json:"daily_caps"`
	OwnerName         string             `json:"owner_name"`
	OwnerEmail        string             `json:"owner_email"`
	// Transcription is absent in files from before the online recognizer
	// and when none is configured.
	Transcription *transcriptionRecord `json:"transcription,omitempty"`
	// Added with issue 21; absent in older files, where they read as
	// their defaults (contract stages, 9:00–17:00) and none.
	ContractStages []string            `json:"contract_stages,omitempty"`
	Competitors    []string            `json:"competitors,omitempty"`
	WorkingHours   *workingHoursRecord `json:"working_hours,omitempty"`
	// Pricing and Facts are absent in files from before reply drafts
	// answered questions, and while the founder has given none.
	Pricing *pricingRecord `json:"pricing,omitempty"`
	Facts   []factRecord   `json:"facts,omitempty"`
	// The X watch list's own terms; absent in files from before the X
	// connector and when none are set.
	ProductName     string   `json:"product_name,omitempty"`
	ProductKeywords []string `json:"product_keywords,omitempty"`
	// Added with issue 24; absent (0) reads as the default.
	RetentionMonths int `json:"retention_months,omitempty"`
	// Absent in files from before outcome detection: reads as 3.
	NoResponseDays int `json:"no_response_days,omitempty"`
	// Learning is absent in files from before the learned score line,
	// where it reads as backend.DefaultLearning.
	Learning *learningRecord `json:"learning,omitempty"`
	// LanguageModel is absent in files from before the model and when
	// none is configured (model_record.go).
	LanguageModel *languageModelRecord `json:"language_model,omitempty"`
	// FollowUps is absent in files from before follow-ups and while they
	// are at their defaults (on, 2 steps, each after the no-response time).
	FollowUps *followUpsRecord `json:"follow_ups,omitempty"`
	// Shortcuts: absent at their defaults and in older files (shortcuts_record.go).
	Shortcuts *shortcutsRecord `json:"shortcuts,omitempty"`
	// Notifications is absent in files from before desktop notifications
	// and while they are at their defaults (every kind on, no quiet
	// hours): notifications_record.go.
	Notifications *notificationsRecord `json:"notifications,omitempty"`
}

type followUpsRecord struct {
	On      bool `json:"on"`
	Steps   int  `json:"steps"`
	GapDays int  `json:"gap_days"`
}

func toFollowUpsRecord(f backend.FollowUps) *followUpsRecord {
	if f == backend.DefaultFollowUps() {
		return nil
	}
	return &followUpsRecord{On: f.On, Steps: f.Steps, GapDays: f.GapDays}
}

func fromFollowUpsRecord(r *followUpsRecord) backend.FollowUps {
	if r == nil {
		return backend.DefaultFollowUps()
	}
	return backend.FollowUps{On: r.On, Steps: r.Steps, GapDays: r.GapDays}
}

type workingHoursRecord struct {
	Start int64 `json:"start_ns"`
	End   int64 `json:"end_ns"`
}

type pricingRecord struct {
	Currency string            `json:"currency"`
	Tiers    []priceTierRecord `json:"tiers"`
}

type priceTierRecord struct {
	Name      string  `json:"name"`
	MinSeats  int     `json:"min_seats"`
	MaxSeats  int     `json:"max_seats,omitempty"` // absent: no upper bound
	SeatPrice float64 `json:"seat_price"`
}

type factRecord struct {
	Topic    string   `json:"topic"`
	Keywords []string `json:"keywords,omitempty"`
	Text     string   `json:"text"`
}

func toPricingRecord(p backend.Pricing) *pricingRecord {
	if p.Currency == "" && len(p.Tiers) == 0 {
		return nil
	}
	out := &pricingRecord{Currency: p.Currency, Tiers: make([]priceTierRecord, len(p.Tiers))}
	for i, t := range p.Tiers {
		out.Tiers[i] = priceTierRecord{Name: t.Name, MinSeats: t.MinSeats, MaxSeats: t.MaxSeats, SeatPrice: t.SeatPrice}
	}
	return out
}

func fromPricingRecord(r *pricingRecord) backend.Pricing {
	if r == nil {
		return backend.Pricing{}
	}
	out := backend.Pricing{Currency: r.Currency}
	for _, t := range r.Tiers {
		out.Tiers = append(out.Tiers, backend.PriceTier{Name: t.Name, MinSeats: t.MinSeats, MaxSeats: t.MaxSeats, SeatPrice: t.SeatPrice})
	}
	return out
}

func toFactRecords(fs []backend.Fact) []factRecord {
	if len(fs) == 0 {
		return nil
	}
	out := make([]factRecord, len(fs))
	for i, f := range fs {
		out[i] = factRecord{Topic: f.Topic, Keywords: cloneStrings(f.Keywords), Text: f.Text}
	}
	return out
}

func fromFactRecords(rs []factRecord) []backend.Fact {
	if len(rs) == 0 {
		return nil
	}
	out := make([]backend.Fact, len(rs))
	for i, r := range rs {
		out[i] = backend.Fact{Topic: r.Topic, Keywords: r.Keywords, Text: r.Text}
	}
	return out
}

type transcriptionRecord struct {
	URL     string `json:"url"`
	Model   string `json:"model,omitempty"`
	Timeout int64  `json:"timeout_ns,omitempty"`
}

type curvePointRecord struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

type icpRecord struct {
	Base  float64         `json:"base"`
	Rules []icpRuleRecord `json:"rules"`
}

type icpRuleRecord struct {
	Field  string   `json:"field"`
	Op     string   `json:"op"`
	Values []string `json:"values"`
	Min    float64  `json:"min"`
	Max    float64  `json:"max"`
	Weight float64  `json:"weight"`
	Label  string   `json:"label"`
}

type workspaceRecord struct {
	Demo      bool      `json:"demo"`
	CreatedAt time.Time `json:"created_at"`
	SeededAt  time.Time `json:"seeded_at"`
}

func toCurveRecord(c backend.Curve) []curvePointRecord {
	out := make([]curvePointRecord, len(c))
	for i, p := range c {
		out[i] = curvePointRecord{X: p.X, Y: p.Y}
	}
	return out
}

func fromCurveRecord(r []curvePointRecord) backend.Curve {
	if r == nil {
		return nil
	}
	out := make(backend.Curve, len(r))
	for i, p := range r {
		out[i] = backend.CurvePoint{X: p.X, Y: p.Y}
	}
	return out
}

func fromKindMap(m map[string]int) map[backend.MoveKind]int {
	if m == nil {
		return nil
	}
	out := make(map[backend.MoveKind]int, len(m))
	for k, v := range m {
		out[backend.MoveKind(k)] = v
	}
	return out
}

func toSettingsRecord(s *backend.Settings) settingsRecord {
	rules := make([]icpRuleRecord, len(s.ICP.Rules))
	for i, r := range s.ICP.Rules {
		rules[i] = icpRuleRecord{
			Field: r.Field, Op: r.Op, Values: cloneStrings(r.Values),
			Min: r.Min, Max: r.Max, Weight: r.Weight, Label: r.Label,
		}
	}
	return settingsRecord{
		Weights:           toWeightsRecord(s.Weights),
		RevenueCurve:      toCurveRecord(s.RevenueCurve),
		UnknownRevenue:    s.UnknownRevenue,
		UrgencyCurve:      toCurveRecord(s.UrgencyCurve),
		NoDeadlineUrgency: s.NoDeadlineUrgency,
		EffortMinutes:     cloneMap(s.EffortMinutes),
		MaxEffortMinutes:  s.MaxEffortMinutes,
		ICP:               icpRecord{Base: s.ICP.Base, Rules: rules},
		StalledDealDays:   s.StalledDealDays,
		ReplyWindow:       int64(s.ReplyWindow),
		LeadResponse:      int64(s.LeadResponse),
		MeetingFollowUp:   int64(s.MeetingFollowUp),
		MentionWindow:     int64(s.MentionWindow),
		StageSLA:          int64(s.StageSLA),
		DemoStages:        cloneStrings(s.DemoStages),
		WonStages:         cloneStrings(s.WonStages),
		LostStages:        cloneStrings(s.LostStages),
		TodayLimit:        s.TodayLimit,
		UndoWindow:        int64(s.UndoWindow),
		DailyCaps:         cloneMap(s.DailyCaps),
		OwnerName:         s.OwnerName,
		OwnerEmail:        s.OwnerEmail,
		Transcription:     toTranscriptionRecord(s.Transcription),
		ContractStages:    cloneStrings(s.ContractStages),
		Competitors:       cloneStrings(s.Competitors),
		WorkingHours:      toWorkingHoursRecord(s.WorkingHours),
		Pricing:           toPricingRecord(s.Pricing),
		Facts:             toFactRecords(s.Facts),
		ProductName:       s.ProductName,
		ProductKeywords:   cloneStrings(s.ProductKeywords),
		RetentionMonths:   s.RetentionMonths,
		NoResponseDays:    s.NoResponseDays,
		LanguageModel:     toLanguageModelRecord(s.LanguageModel),
		FollowUps:         toFollowUpsRecord(s.FollowUps),
		Learning:          toLearningRecord(s.Learning),
		Shortcuts:         toShortcutsRecord(s.Shortcuts),
		Notifications:     toNotificationsRecord(s.Notifications),
	}
}

func toWorkingHoursRecord(w backend.WorkingHours) *workingHoursRecord {
	if w.IsZero() {
		return nil
	}
	return &workingHoursRecord{Start: int64(w.Start), End: int64(w.End)}
}

// fromConversationRecord reads the settings added with issue 21, each as
// its default when the file has none.
func fromConversationRecord(r *settingsRecord, s *backend.Settings) {
	def := backend.DefaultSettings()
	s.ContractStages, s.Competitors, s.WorkingHours = r.ContractStages, r.Competitors, def.WorkingHours
	if len(r.ContractStages) == 0 {
		s.ContractStages = def.ContractStages
	}
	if w := r.WorkingHours; w != nil && (w.Start != 0 || w.End != 0) {
		s.WorkingHours = backend.WorkingHours{Start: time.Duration(w.Start), End: time.Duration(w.End)}
	}
}

func toTranscriptionRecord(t backend.Transcription) *transcriptionRecord {
	if t == (backend.Transcription{}) {
		return nil
	}
	return &transcriptionRecord{URL: t.URL, Model: t.Model, Timeout: int64(t.Timeout)}
}

func fromSettingsRecord(r *settingsRecord) *backend.Settings {
	var rules []backend.ICPRule
	if len(r.ICP.Rules) > 0 {
		rules = make([]backend.ICPRule, len(r.ICP.Rules))
		for i, x := range r.ICP.Rules {
			rules[i] = backend.ICPRule{
				Field: x.Field, Op: x.Op, Values: x.Values,
				Min: x.Min, Max: x.Max, Weight: x.Weight, Label: x.Label,
			}
		}
	}
	s := &backend.Settings{
		Weights:           fromWeightsRecord(r.Weights),
		RevenueCurve:      fromCurveRecord(r.RevenueCurve),
		UnknownRevenue:    r.UnknownRevenue,
		UrgencyCurve:      fromCurveRecord(r.UrgencyCurve),
		NoDeadlineUrgency: r.NoDeadlineUrgency,
		EffortMinutes:     fromKindMap(r.EffortMinutes),
		MaxEffortMinutes:  r.MaxEffortMinutes,
		ICP:               backend.ICP{Base: r.ICP.Base, Rules: rules},
		StalledDealDays:   r.StalledDealDays,
		ReplyWindow:       time.Duration(r.ReplyWindow),
		LeadResponse:      time.Duration(r.LeadResponse),
		MeetingFollowUp:   time.Duration(r.MeetingFollowUp),
		MentionWindow:     time.Duration(r.MentionWindow),
		StageSLA:          time.Duration(r.StageSLA),
		DemoStages:        r.DemoStages,
		WonStages:         r.WonStages,
		LostStages:        r.LostStages,
		TodayLimit:        r.TodayLimit,
		UndoWindow:        time.Duration(r.UndoWindow),
		DailyCaps:         fromKindMap(r.DailyCaps),
		OwnerName:         r.OwnerName,
		OwnerEmail:        r.OwnerEmail,
		Transcription:     fromTranscriptionRecord(r.Transcription),
		Pricing:           fromPricingRecord(r.Pricing),
		Facts:             fromFactRecords(r.Facts),
		ProductName:       r.ProductName,
		ProductKeywords:   r.ProductKeywords,
		NoResponseDays:    r.NoResponseDays,
		LanguageModel:     fromLanguageModelRecord(r.LanguageModel),
		FollowUps:         fromFollowUpsRecord(r.FollowUps),
		Learning:          fromLearningRecord(r.Learning),
		Notifications:     fromNotificationsRecord(r.Notifications),
	}
	fromConversationRecord(r, s)
	s.Shortcuts = fromShortcutsRecord(r.Shortcuts)
	s.RetentionMonths = r.RetentionMonths
	return s
}

func fromTranscriptionRecord(r *transcriptionRecord) backend.Transcription {
	if r == nil {
		return backend.Transcription{}
	}
	return backend.Transcription{URL: r.URL, Model: r.Model, Timeout: time.Duration(r.Timeout)}
}

func toWorkspaceRecord(w *backend.Workspace) workspaceRecord {
	return workspaceRecord{Demo: w.Demo, CreatedAt: utc(w.CreatedAt), SeededAt: utc(w.SeededAt)}
}

func fromWorkspaceRecord(r *workspaceRecord) *backend.Workspace {
	return &backend.Workspace{Demo: r.Demo, CreatedAt: r.CreatedAt, SeededAt: r.SeededAt}
}
