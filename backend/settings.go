package backend

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"
)

// Weights are the APS component weights. They must sum to 1.
type Weights struct {
	Revenue   float64
	Urgency   float64
	Effort    float64 // applied to (1 − effort): cheap moves score higher
	Strategic float64
}

// DefaultWeights are DESIGN.md's 0.40 / 0.25 / 0.15 / 0.20.
var DefaultWeights = Weights{Revenue: 0.40, Urgency: 0.25, Effort: 0.15, Strategic: 0.20}

// Validate checks each weight is in [0, 1] and that they sum to 1.
func (w Weights) Validate() error {
	for _, v := range []float64{w.Revenue, w.Urgency, w.Effort, w.Strategic} {
		if v < 0 || v > 1 || math.IsNaN(v) {
			return Errorf(EINVALID, "APS weights must each be between 0 and 1 (got %.3g)", v)
		}
	}
	if sum := w.Revenue + w.Urgency + w.Effort + w.Strategic; math.Abs(sum-1) > 1e-6 {
		return Errorf(EINVALID, "APS weights must sum to 1, they sum to %.3g", sum)
	}
	return nil
}

// CurvePoint is one knot of a piecewise-linear curve.
type CurvePoint struct {
	X float64
	Y float64
}

// Curve maps a number to [0, 1] by linear interpolation between its points,
// which are sorted by X; values outside the range take the nearest end.
type Curve []CurvePoint

// At evaluates the curve at x.
func (c Curve) At(x float64) float64 {
	if len(c) == 0 {
		return 0
	}
	if x <= c[0].X {
		return c[0].Y
	}
	for i := 1; i < len(c); i++ {
		if x <= c[i].X {
			a, b := c[i-1], c[i]
			if b.X == a.X {
				return b.Y
			}
			return a.Y + (b.Y-a.Y)*(x-a.X)/(b.X-a.X)
		}
	}
	return c[len(c)-1].Y
}

// Validate checks the curve has points, sorted by X, with Y in [0, 1].
func (c Curve) Validate(name string) error {
	if len(c) == 0 {
		return Errorf(EINVALID, "%s curve needs at least one point", name)
	}
	if !sort.SliceIsSorted(c, func(i, j int) bool { return c[i].X < c[j].X }) {
		return Errorf(EINVALID, "%s curve points must be in increasing order", name)
	}
	for _, p := range c {
		if p.Y < 0 || p.Y > 1 || math.IsNaN(p.Y) || math.IsNaN(p.X) {
			return Errorf(EINVALID, "%s curve values must be between 0 and 1 (got %.3g at %.3g)", name, p.Y, p.X)
		}
	}
	return nil
}

// Settings are the founder's knobs. They hold no secrets.
type Settings struct {
	Weights Weights

	// RevenueCurve maps a deal amount (or expected ARR) in dollars to [0, 1].
	RevenueCurve Curve
	// UnknownRevenue is the revenue component when no amount is known.
	UnknownRevenue float64

	// UrgencyCurve maps hours until the deadline to [0, 1]; a passed
	// deadline counts as 0 hours.
	UrgencyCurve Curve
	// NoDeadlineUrgency is the urgency of a move without a deadline.
	NoDeadlineUrgency float64

	// EffortMinutes estimates how long each kind of move takes;
	// effort = minutes / MaxEffortMinutes, capped at 1.
	EffortMinutes    map[MoveKind]int
	MaxEffortMinutes int

	// ICP is the strategic-fit rule set.
	ICP ICP

	StalledDealDays int           // a deal with no activity for this long is stalled
	ReplyWindow     time.Duration // how soon a reply to an email is due
	LeadResponse    time.Duration // how soon a form submission should be followed up
	MeetingFollowUp time.Duration // how soon after a meeting the follow-up is due
	MentionWindow   time.Duration // how long a social mention is worth engaging
	StageSLA        time.Duration // how soon a stage change needs its move when no date says otherwise
	// NoResponseDays is how many business days (in the owner's zone) a
	// sent email waits for an answer before it gets a no_response
	// outcome; 0 (files from before it) reads as 3.
	NoResponseDays int

	DemoStages []string // deal stages that mean a demo is coming
	WonStages  []string
	LostStages []string
	// ContractStages are deal stages that mean the contract is out: a
	// reply saying "send the contract" moves the deal to the first.
	ContractStages []string
	// Competitors are the names a mention or an email is matched against
	// (any case, whole words) to become a battle-card move.
	Competitors []string
	// WorkingHours are the owner's, in their zone; the zero value reads
	// as 9:00–17:00 (see Workday).
	WorkingHours WorkingHours

	TodayLimit int           // how many moves Today's Moves shows
	UndoWindow time.Duration // how long a send waits before it leaves
	DailyCaps  map[MoveKind]int
	OwnerName  string // signs drafts
	// OwnerEmail is the founder's own address: attendees at its domain are
	// colleagues, not people to follow up with. Empty: the connected
	// Google account's address stands in (OwnerAddress, owner.go).
	OwnerEmail string

	// Transcription is the optional online speech recognizer; the zero
	// value (the default) keeps voice offline.
	Transcription Transcription

	// What reply drafts may say about the product (compose_settings.go).
	// Both are empty in a new workspace and in files from before them:
	// the composer states nothing it was not told.
	Pricing Pricing
	Facts   []Fact
	// ProductName is the founder's own product, and ProductKeywords the
	// phrases people use about what it does: with the competitors' names
	// they make the watch list that X's recent search polls. Empty: no
	// watch list beyond the competitors.
	ProductName     string
	ProductKeywords []string
	// RetentionMonths: signals and audit entries' contents older than this
	// are pruned (privacy_retention.go); 0 (the default, and what files
	// written before it hold) reads as DefaultRetentionMonths: Retention.
	RetentionMonths int

	// LanguageModel is the optional model that rewrites drafts; the zero
	// value (the default) keeps every draft offline (model.go).
	LanguageModel LanguageModel
	// FollowUps say whether and how often an unanswered email is
	// followed up (followup.go).
	FollowUps FollowUps
	// Learning is the learned fifth score line (learn.go); files from
	// before it read DefaultLearning.
	Learning Learning
	// Shortcuts are the global shortcuts (shortcuts.go); files from before
	// them read DefaultShortcuts.
	Shortcuts Shortcuts
	// Notifications say what may interrupt, and when not
	// (settings_notify.go); the zero value is the default.
	Notifications Notifications
}

// MaxWatchTerm bounds one watch-list term, in bytes: X's whole query may
// hold 512 characters.
const MaxWatchTerm = 100

// MaxWatchTerms bounds how many product keywords the watch list holds.
const MaxWatchTerms = 20

// A setting added after the first release must read as its default when
// its zero value is stored (files written before it existed), or come
// with a store migration that writes the default.

// DefaultSettings are what a new workspace starts with.
func DefaultSettings() *Settings {
	return &Settings{
		Weights: DefaultWeights,
		RevenueCurve: Curve{
			{X: 0, Y: 0.05}, {X: 5_000, Y: 0.3}, {X: 20_000, Y: 0.6},
			{X: 50_000, Y: 0.9}, {X: 100_000, Y: 1.0},
		},
		UnknownRevenue: 0.2,
		// Full urgency within two hours, then a gentle slope through the
		// day so that "in 3 hours" still outranks "in 20 hours".
		UrgencyCurve: Curve{
			{X: 0, Y: 1.0}, {X: 2, Y: 1.0}, {X: 24, Y: 0.9}, {X: 48, Y: 0.75},
			{X: 72, Y: 0.6}, {X: 168, Y: 0.3}, {X: 336, Y: 0.1},
		},
		NoDeadlineUrgency: 0.1,
		EffortMinutes: map[MoveKind]int{
			KindSendEmail: 15, KindCreateTask: 30, KindScheduleMeeting: 10, KindUpdateDeal: 5,
			KindReplySocial: 5, KindMergeContacts: 5, KindNote: 20,
		},
		MaxEffortMinutes: 150,
		ICP:              DefaultICP(),
		StalledDealDays:  14,
		ReplyWindow:      24 * time.Hour,
		LeadResponse:     4 * time.Hour,
		MeetingFollowUp:  24 * time.Hour,
		MentionWindow:    48 * time.Hour,
		StageSLA:         48 * time.Hour,
		DemoStages:       []string{"presentationscheduled", "demo_scheduled", "demo"},
		WonStages:        []string{"closedwon"},
		LostStages:       []string{"closedlost"},
		ContractStages:   []string{"contractsent"},
		WorkingHours:     WorkingHours{Start: WorkdayStart, End: WorkdayEnd},
		TodayLimit:       10,
		UndoWindow:       10 * time.Second,
		DailyCaps:        map[MoveKind]int{KindSendEmail: 50, KindReplySocial: 20},
		FollowUps:        DefaultFollowUps(),
		Learning:         DefaultLearning(),
		Shortcuts:        DefaultShortcuts(),
	}
}

// Validate checks every setting, naming the first bad one.
func (s *Settings) Validate() error {
	if s.NoResponseDays < 0 || s.NoResponseDays > 60 {
		return Errorf(EINVALID, "no-response days must be between 0 and 60 (got %d)", s.NoResponseDays)
	}
	if err := s.Weights.Validate(); err != nil {
		return err
	}
	if err := s.RevenueCurve.Validate("revenue"); err != nil {
		return err
	}
	if err := s.UrgencyCurve.Validate("urgency"); err != nil {
		return err
	}
	for name, v := range map[string]float64{"unknown revenue": s.UnknownRevenue, "no-deadline urgency": s.NoDeadlineUrgency} {
		if v < 0 || v > 1 {
			return Errorf(EINVALID, "%s must be between 0 and 1", name)
		}
	}
	if s.MaxEffortMinutes <= 0 {
		return Errorf(EINVALID, "max effort minutes must be positive")
	}
	for _, k := range MoveKinds {
		if m, ok := s.EffortMinutes[k]; !ok || m < 0 {
			return Errorf(EINVALID, "effort estimate for %s must be set and not negative", k)
		}
	}
	if err := s.ICP.Validate(); err != nil {
		return err
	}
	if err := s.FollowUps.Validate(); err != nil {
		return err
	}
	if err := s.Shortcuts.Validate(); err != nil {
		return err
	}
	if s.StalledDealDays < 1 {
		return Errorf(EINVALID, "stalled-deal days must be at least 1")
	}
	for name, d := range map[string]time.Duration{
		"reply window": s.ReplyWindow, "lead response": s.LeadResponse, "meeting follow-up": s.MeetingFollowUp,
		"mention window": s.MentionWindow, "stage SLA": s.StageSLA,
	} {
		if d <= 0 {
			return Errorf(EINVALID, "%s must be positive", name)
		}
	}
	if s.UndoWindow < 0 || s.UndoWindow > 5*time.Minute {
		return Errorf(EINVALID, "undo window must be between 0 and 5 minutes")
	}
	if s.TodayLimit < 1 || s.TodayLimit > 100 {
		return Errorf(EINVALID, "Today's Moves limit must be between 1 and 100")
	}
	if s.OwnerEmail != "" {
		if !ValidEmail(s.OwnerEmail) {
			return Errorf(EINVALID, "owner email %q is not an email address", s.OwnerEmail)
		}
	}
	if err := s.validateConversation(); err != nil {
		return err
	}
	if err := s.validateRetention(); err != nil {
		return err
	}
	for k, n := range s.DailyCaps {
		if !validKind(k) || n < 0 {
			return Errorf(EINVALID, "daily cap for %q is invalid", k)
		}
	}
	if err := s.validateReplyFacts(); err != nil {
		return err
	}
	if err := validateWatchTerm("product name", s.ProductName); err != nil {
		return err
	}
	if len(s.ProductKeywords) > MaxWatchTerms {
		return Errorf(EINVALID, "the watch list holds at most %d product keywords (got %d)", MaxWatchTerms, len(s.ProductKeywords))
	}
	for _, k := range s.ProductKeywords {
		if strings.TrimSpace(k) == "" {
			return Errorf(EINVALID, "a product keyword is empty")
		}
		if err := validateWatchTerm("product keyword", k); err != nil {
			return err
		}
	}
	if err := s.Learning.Validate(); err != nil {
		return err
	}
	if err := s.Notifications.Validate(); err != nil {
		return err
	}
	if err := s.Transcription.Validate(); err != nil {
		return err
	}
	return s.LanguageModel.Validate()
}

// validateWatchTerm refuses a watch-list term X's search cannot hold: too
// long, a line break or control character, or a double quote (terms are
// searched as quoted phrases).
func validateWatchTerm(what, v string) error {
	if len(v) > MaxWatchTerm {
		return Errorf(EINVALID, "%s %q is longer than %d bytes", what, truncate(v, 40), MaxWatchTerm)
	}
	for _, r := range v {
		if isControl(r) || r == '"' {
			return Errorf(EINVALID, "%s %q cannot hold quotes or control characters", what, truncate(v, 40))
		}
	}
	return nil
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if equalFold(s, v) {
			return true
		}
	}
	return false
}

// SettingsService reads and saves the founder's settings, each save in the
// audit log.
type SettingsService struct{ *core }

// Get returns the workspace's settings.
func (s *SettingsService) Get(ctx context.Context) (*Settings, error) {
	var st *Settings
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		st, err = tx.Settings()
		return err
	})
	return st, WrapError("settings", err)
}

// Save validates and stores st and re-scores every open move with
// it, in one transaction, with the change in the audit log.
func (s *SettingsService) Save(ctx context.Context, st *Settings, actor Actor) error {
	if err := st.Validate(); err != nil {
		return err
	}
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx Tx) error {
		old, err := tx.Settings()
		if err != nil {
			return err
		}
		if err := tx.PutSettings(st); err != nil {
			return err
		}
		if err := learningSaved(tx, old, st, now); err != nil {
			return err
		}
		lookup := newTxRecords(tx)
		for _, status := range []MoveStatus{StatusPending, StatusSnoozed, StatusFailed} {
			status := status
			moves, _, err := tx.FindMoves(MoveFilter{Status: &status})
			if err != nil {
				return err
			}
			for _, m := range moves {
				if err := scoreMove(m, lookup, st, now); err != nil {
					return err
				}
				if err := tx.UpdateMove(m); err != nil {
					return err
				}
			}
		}
		if lookup.err != nil {
			return lookup.err
		}
		return tx.AppendAudit(&AuditEntry{At: now, Actor: actor, Action: AuditSettings, Detail: "settings saved; open moves re-scored"})
	})
	if err != nil {
		return WrapError("save settings", err)
	}
	s.events.Publish(EventQueueChanged, QueueChanged{Reason: "settings"})
	return nil
}
