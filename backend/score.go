package backend

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Component is one of the four APS inputs with the reason behind its value.
type Component struct {
	Value  float64
	Reason string
}

// Score is the Action Priority Score of a move with its breakdown.
type Score struct {
	APS       float64 // 0..100
	Revenue   Component
	Urgency   Component
	Effort    Component
	Strategic Component
	Weights   Weights
	// Learned is the fifth line: what outcomes in the move's cell add or
	// take (learn.go). APS includes Learned.Points.
	Learned    Learned
	ComputedAt time.Time
	// RescoreAt is when, as time passes, urgency will have moved by
	// RescoreStep; zero when it no longer changes (no deadline, or passed).
	// Refresh re-scores a move then, and not every time it runs.
	RescoreAt time.Time
}

// RescoreStep is how far urgency may drift before a move is re-scored:
// 0.02 moves APS by half a point at the default urgency weight.
const RescoreStep = 0.02

// Reasons returns the components' reasons, most heavily weighted first.
func (s Score) Reasons() []string {
	var out []string
	for _, c := range []Component{s.Revenue, s.Urgency, s.Strategic, s.Effort} {
		if c.Reason != "" {
			out = append(out, c.Reason)
		}
	}
	return out
}

// APS combines four components in [0, 1] with weights that sum to 1:
// 100 × (wR·revenue + wU·urgency + wE·(1 − effort) + wS·strategic).
func APS(w Weights, revenue, urgency, effort, strategic float64) (float64, error) {
	if err := w.Validate(); err != nil {
		return 0, err
	}
	for _, v := range []float64{revenue, urgency, effort, strategic} {
		if v < 0 || v > 1 || math.IsNaN(v) {
			return 0, Errorf(EINVALID, "APS components must be between 0 and 1 (got %.3g)", v)
		}
	}
	return 100 * (w.Revenue*revenue + w.Urgency*urgency + w.Effort*(1-effort) + w.Strategic*strategic), nil
}

// ScoreInput is the data a move is scored from.
type ScoreInput struct {
	Kind     MoveKind
	DueAt    time.Time // zero = no deadline
	DueLabel string    // what the deadline is: "demo", "reply window", "meeting"
	// QuietSince, when set, is the last activity of the stalled deal the
	// move nudges: urgency then comes from the silence, not from DueAt.
	QuietSince time.Time
	Deal       *Deal
	Company    *Company
	Contact    *Contact
	Now        time.Time
	// Domain and Learn place the move in its learning cell and read the
	// cell's evidence; a nil Learn is no evidence.
	Domain Domain
	Learn  LearnSource
}

// Scorer computes APS from data with the founder's settings.
type Scorer struct {
	Settings *Settings
}

// Score computes the four components and the APS for in.
func (sc Scorer) Score(in ScoreInput) (Score, error) {
	st := sc.Settings
	s := Score{Weights: st.Weights, ComputedAt: in.Now}
	s.Revenue = sc.revenue(in)
	s.Urgency = sc.urgency(in)
	s.Effort = sc.effort(in.Kind)
	s.Strategic = sc.strategic(in)
	aps, err := APS(st.Weights, s.Revenue.Value, s.Urgency.Value, s.Effort.Value, s.Strategic.Value)
	if err != nil {
		return Score{}, err
	}
	s.APS = aps
	seg := SegmentOf(in.Kind, in.Contact, in.Company, s.Strategic.Value)
	s.Learned = learnedTerm(st.Learning, in.Kind, in.Domain, seg, in.Learn, aps, in.Now)
	if s.Learned.Points != 0 {
		s.APS = aps + s.Learned.Points
	}
	s.RescoreAt = sc.rescoreAt(in.DueAt, in.Now, s.Urgency.Value)
	if !in.QuietSince.IsZero() {
		s.RescoreAt = silenceRescoreAt(silenceCurve(st), in.QuietSince, in.Now, s.Urgency.Value)
	}
	return s, nil
}

// rescoreAt finds when the urgency curve, walked from the hours left now
// towards the deadline, first differs from u0 by RescoreStep.
func (sc Scorer) rescoreAt(due, now time.Time, u0 float64) time.Time {
	if due.IsZero() || !due.After(now) {
		return time.Time{}
	}
	c := sc.Settings.UrgencyCurve
	h0 := due.Sub(now).Hours()
	var knots []float64
	for i := len(c) - 1; i >= 0; i-- {
		if c[i].X < h0 && c[i].X > 0 {
			knots = append(knots, c[i].X)
		}
	}
	knots = append(knots, 0)
	prevH, prevU := h0, u0
	for _, x := range knots {
		ux := c.At(x)
		if d := ux - u0; math.Abs(d) >= RescoreStep {
			target := u0 + math.Copysign(RescoreStep, d)
			h := prevH + (target-prevU)*(x-prevH)/(ux-prevU)
			return due.Add(-time.Duration(h * float64(time.Hour)))
		}
		prevH, prevU = x, ux
	}
	return time.Time{}
}

func (sc Scorer) revenue(in ScoreInput) Component {
	st := sc.Settings
	switch {
	case in.Deal != nil && in.Deal.Amount > 0:
		return Component{st.RevenueCurve.At(in.Deal.Amount), money(in.Deal.Amount) + " ARR deal"}
	case in.Company != nil && in.Company.ExpectedARR > 0:
		name := in.Company.Name
		if name == "" {
			name = in.Company.ID
		}
		return Component{st.RevenueCurve.At(in.Company.ExpectedARR), money(in.Company.ExpectedARR) + " expected ARR at " + name}
	case in.Deal != nil:
		return Component{st.UnknownRevenue, "deal has no amount yet"}
	}
	return Component{st.UnknownRevenue, "no deal or expected ARR on record"}
}

func (sc Scorer) urgency(in ScoreInput) Component {
	st := sc.Settings
	if !in.QuietSince.IsZero() {
		// The reason holds a token: "quiet for 30 days", later "… 40 days".
		quiet := max(in.Now.Sub(in.QuietSince), 0)
		return Component{silenceCurve(st).At(quiet.Hours()), "quiet for " + ForToken(in.QuietSince)}
	}
	if in.DueAt.IsZero() {
		return Component{st.NoDeadlineUrgency, "no deadline"}
	}
	label := in.DueLabel
	if label == "" {
		label = "due"
	}
	// The reason holds a token so it reads right whenever it is shown:
	// "reply window closes in 3 hours", later "… passed 2 hours ago".
	reason := label + " " + DueToken(in.DueAt)
	d := in.DueAt.Sub(in.Now)
	if d <= 0 {
		return Component{st.UrgencyCurve.At(0), reason}
	}
	return Component{st.UrgencyCurve.At(d.Hours()), reason}
}

func (sc Scorer) effort(kind MoveKind) Component {
	st := sc.Settings
	min := st.EffortMinutes[kind]
	v := clamp01(float64(min) / float64(st.MaxEffortMinutes))
	reason := fmt.Sprintf("about %d min", min)
	if min <= 15 {
		reason = fmt.Sprintf("quick win: about %d min", min)
	}
	return Component{v, reason}
}

func (sc Scorer) strategic(in ScoreInput) Component {
	v, reasons := sc.Settings.ICP.Fit(in.Contact, in.Company)
	// One sentence: "ICP fit: SaaS company, 240 employees; poor fit: agency".
	var fits, rest []string
	for _, r := range reasons {
		if f, ok := strings.CutPrefix(r, "ICP: "); ok {
			fits = append(fits, f)
		} else {
			rest = append(rest, r)
		}
	}
	if len(fits) > 0 {
		rest = append([]string{"ICP fit: " + strings.Join(fits, ", ")}, rest...)
	}
	return Component{v, strings.Join(rest, "; ")}
}

// money renders dollars the way a founder says them: $50k, $1.2M, $800.
func money(v float64) string {
	switch {
	case v >= 1_000_000:
		return trimZero(fmt.Sprintf("$%.1fM", v/1_000_000))
	case v >= 1_000:
		return trimZero(fmt.Sprintf("$%.1fk", v/1_000))
	}
	return fmt.Sprintf("$%.0f", v)
}

func trimZero(s string) string {
	// "$50.0k" → "$50k"
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '.' && s[i+1] == '0' {
			return s[:i] + s[i+2:]
		}
	}
	return s
}

// humanDuration renders d coarsely: "45 minutes", "20 hours", "3 days".
func humanDuration(d time.Duration) string {
	switch {
	case d < 2*time.Minute:
		return "1 minute"
	case d < 90*time.Minute:
		return fmt.Sprintf("%d minutes", int(math.Round(d.Minutes())))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(math.Round(d.Hours())))
	}
	return fmt.Sprintf("%d days", int(math.Round(d.Hours()/24)))
}

// scoreMove (re)computes a move's score and reasons from the stored records.
func scoreMove(m *Move, lookup RecordLookup, st *Settings, now time.Time) error {
	contact := lookup.Contact(m.ContactID)
	company := lookup.Company(m.CompanyID)
	if company == nil && contact != nil {
		company = lookup.Company(contact.CompanyID)
	}
	deal := lookup.Deal(m.DealID)
	in := ScoreInput{Kind: m.Kind, DueAt: m.DueAt, DueLabel: m.DueLabel, Deal: deal, Company: company, Contact: contact, Now: now, Domain: m.Domain}
	if src, ok := lookup.(LearnSource); ok {
		in.Learn = src
	}
	if m.StallNudge && deal != nil {
		in.QuietSince = deal.LastActivityAt
	}
	s, err := Scorer{Settings: st}.Score(in)
	if err != nil {
		return err
	}
	m.Score = s
	m.Reasons = append(append([]string{}, m.Why...), s.Reasons()...)
	return nil
}

// txRecords reads CRM records inside a transaction and caches them for
// the transaction's life; the store validates what it writes at flush. A batch touches the same contacts, companies and
// deals many times; reading each once and writing each once, at flush, is
// what keeps ingest fast. Reads see the pending writes. A missing record
// reads as nil; any other failure is kept in err and fails the transaction.
type txRecords struct {
	tx        Tx
	contacts  map[string]*Contact
	companies map[string]*Company
	deals     map[string]*Deal
	cells     map[string]*LearnCell // learning cells (learn_update.go); nil until read
	dirty     map[string]bool       // "contact:id", "company:id", "deal:id"
	order     []string              // dirty keys in first-write order, for a deterministic flush
	err       error
}

func newTxRecords(tx Tx) *txRecords {
	return &txRecords{tx: tx, contacts: map[string]*Contact{}, companies: map[string]*Company{}, deals: map[string]*Deal{}, dirty: map[string]bool{}}
}

// cached looks id up in cache, else loads it with find; nil means missing.
func cached[T any](r *txRecords, cache map[string]*T, id string, find func(string) (*T, error)) *T {
	if id == "" {
		return nil
	}
	if v, ok := cache[id]; ok {
		return v
	}
	v, err := find(id)
	if err != nil {
		if ErrorCode(err) != ENOTFOUND && r.err == nil {
			r.err = err
		}
		v = nil
	}
	cache[id] = v
	return v
}

// Contact returns the stored contact, or nil.
func (r *txRecords) Contact(id string) *Contact { return cached(r, r.contacts, id, r.tx.FindContact) }

// Company returns the stored company, or nil.
func (r *txRecords) Company(id string) *Company { return cached(r, r.companies, id, r.tx.FindCompany) }

// Deal returns the stored deal, or nil.
func (r *txRecords) Deal(id string) *Deal { return cached(r, r.deals, id, r.tx.FindDeal) }

func (r *txRecords) markDirty(key string) {
	if !r.dirty[key] {
		r.dirty[key] = true
		r.order = append(r.order, key)
	}
}

func (r *txRecords) putContact(c *Contact) {
	r.contacts[c.ID] = c
	r.markDirty("contact:" + c.ID)
}

func (r *txRecords) putCompany(c *Company) {
	r.companies[c.ID] = c
	r.markDirty("company:" + c.ID)
}

func (r *txRecords) putDeal(d *Deal) {
	r.deals[d.ID] = d
	r.markDirty("deal:" + d.ID)
}

// flush writes every changed record once.
func (r *txRecords) flush() error {
	if r.err != nil {
		return r.err
	}
	for _, key := range r.order {
		kind, id, _ := strings.Cut(key, ":")
		var err error
		switch kind {
		case "contact":
			err = r.tx.PutContact(r.contacts[id])
		case "company":
			err = r.tx.PutCompany(r.companies[id])
		case "deal":
			err = r.tx.PutDeal(r.deals[id])
		}
		if err != nil {
			return err
		}
	}
	r.dirty, r.order = map[string]bool{}, nil
	return nil
}
