package backend_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// cells is a LearnSource over a map.
type cells map[string]*backend.LearnCell

func (c cells) LearnCell(key string) *backend.LearnCell { return c[key] }

// learnInput is a send_email move for a tier-A, 51–200-employee SaaS CEO.
func learnInput(src backend.LearnSource, now time.Time) backend.ScoreInput {
	return backend.ScoreInput{
		Kind: backend.KindSendEmail, Domain: backend.DomainSales, Now: now, Learn: src,
		DueAt: now.Add(20 * time.Hour), DueLabel: "reply window",
		Contact: &backend.Contact{ID: "c1", Title: "CEO"},
		Company: &backend.Company{ID: "co1", Name: "Acme", Industry: "SaaS", Employees: 120, ExpectedARR: 30_000},
	}
}

const learnCellA = "send_email|sales|A|51-200|email"

// plainAPS is the four-component APS of s, from its components.
func plainAPS(tb testing.TB, s backend.Score) float64 {
	tb.Helper()
	aps, err := backend.APS(s.Weights, s.Revenue.Value, s.Urgency.Value, s.Effort.Value, s.Strategic.Value)
	if err != nil {
		tb.Fatal(err)
	}
	return aps
}

func scoreWith(tb testing.TB, l backend.Learning, src backend.LearnSource, now time.Time) backend.Score {
	tb.Helper()
	st := backend.DefaultSettings()
	st.Learning = l
	s, err := backend.Scorer{Settings: st}.Score(learnInput(src, now))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestScorer_Learned(t *testing.T) {
	l := backend.DefaultLearning()
	cell := func(wins, count int) cells {
		return cells{learnCellA: {Key: learnCellA, Successes: float64(wins), Failures: float64(count - wins), At: testNow, Wins: wins, Count: count}}
	}
	t.Run("Cell", func(t *testing.T) {
		if s := scoreWith(t, l, nil, testNow); s.Learned.Cell != learnCellA {
			t.Errorf("Learned.Cell = %q, want %q", s.Learned.Cell, learnCellA)
		}
	})
	t.Run("NoEvidenceIsPlainAPS", func(t *testing.T) {
		s := scoreWith(t, l, cells{}, testNow)
		if s.APS != plainAPS(t, s) || s.Learned.Points != 0 {
			t.Errorf("APS = %v (learned %v), want exactly the plain %v", s.APS, s.Learned.Points, plainAPS(t, s))
		}
		if !strings.Contains(s.Learned.Reason, "no outcomes yet") {
			t.Errorf("Reason = %q, want it to say there are no outcomes yet", s.Learned.Reason)
		}
	})
	t.Run("SignAndSize", func(t *testing.T) {
		// 9 of 14 with a prior of 30 % worth 10 outcomes: the posterior is
		// (3 + 9) / 24 = 0.5, half-way from 0.30 towards 1 by 0.2/0.7.
		s := scoreWith(t, l, cell(9, 14), testNow)
		want := 10 * (0.5 - 0.3) / 0.7
		if math.Abs(s.Learned.Points-want) > 1e-9 {
			t.Errorf("Learned.Points = %v, want %v", s.Learned.Points, want)
		}
		if s.APS != plainAPS(t, s)+s.Learned.Points {
			t.Errorf("APS = %v, want plain %v + learned %v", s.APS, plainAPS(t, s), s.Learned.Points)
		}
		bad := scoreWith(t, l, cell(1, 14), testNow)
		if bad.Learned.Points >= 0 {
			t.Errorf("1 of 14 against a 30 %% prior: Learned.Points = %v, want negative", bad.Learned.Points)
		}
	})
	t.Run("MoreEvidenceMovesMore", func(t *testing.T) {
		prev := 0.0
		for _, n := range []int{1, 3, 10, 30, 100} {
			p := scoreWith(t, l, cell(n, n), testNow).Learned.Points
			if p <= prev {
				t.Errorf("%d of %d: Learned.Points = %v, want more than %v", n, n, p, prev)
			}
			prev = p
		}
		if few := scoreWith(t, l, cell(3, 3), testNow).Learned.Points; few > 3 {
			t.Errorf("a handful (3 of 3) moved the score by %v, want a little (≤ 3)", few)
		}
	})
	t.Run("Bound", func(t *testing.T) {
		for _, c := range []cells{cell(1000, 1000), cell(0, 1000)} {
			s := scoreWith(t, l, c, testNow)
			if p := math.Abs(s.Learned.Points); p > l.MaxPoints || p < 0.95*l.MaxPoints {
				t.Errorf("%s: |Learned.Points| = %v, want near but within %v", s.Learned.Reason, p, l.MaxPoints)
			}
		}
		small := l
		small.MaxPoints = 2
		if p := scoreWith(t, small, cell(1000, 1000), testNow).Learned.Points; p > 2 {
			t.Errorf("MaxPoints 2: Learned.Points = %v", p)
		}
	})
	t.Run("Decays", func(t *testing.T) {
		c := cell(20, 20)
		p0 := scoreWith(t, l, c, testNow).Learned.Points
		p1 := scoreWith(t, l, c, testNow.Add(l.HalfLife)).Learned.Points
		p2 := scoreWith(t, l, c, testNow.Add(10*l.HalfLife)).Learned.Points
		if !(p0 > p1 && p1 > p2 && p2 > 0) {
			t.Errorf("Learned.Points now, after one and ten half-lives = %v, %v, %v; want falling towards 0", p0, p1, p2)
		}
		// After one half-life 20 successes weigh as 10 did.
		if half := scoreWith(t, l, cell(10, 10), testNow).Learned.Points; math.Abs(p1-half) > 1e-9 {
			t.Errorf("after one half-life: %v, want what 10 fresh successes give, %v", p1, half)
		}
	})
	t.Run("OffIsPlainAPS", func(t *testing.T) {
		off := l
		off.On = false
		s := scoreWith(t, off, cell(1000, 1000), testNow)
		if s.APS != plainAPS(t, s) || s.Learned.Points != 0 || s.Learned.Reason != "learned: off" {
			t.Errorf("off: APS = %v, learned %+v; want exactly the plain %v", s.APS, s.Learned, plainAPS(t, s))
		}
	})
	t.Run("Explain", func(t *testing.T) {
		s := scoreWith(t, l, cell(9, 14), testNow)
		want := "learned: emails (sales) to tier-A accounts of 51–200 employees got a positive reply or a meeting 9 of 14 times (64 %, prior 30 %; recent ones weigh more) → +2.9"
		if s.Learned.Reason != want {
			t.Errorf("Reason = %q\nwant %q", s.Learned.Reason, want)
		}
	})
}

func TestMoveVerdict(t *testing.T) {
	o := func(id uint64, typ backend.OutcomeType, h int) *backend.Outcome {
		return &backend.Outcome{ID: id, Type: typ, OccurredAt: testNow.Add(time.Duration(h) * time.Hour)}
	}
	for _, tc := range []struct {
		name string
		kind backend.MoveKind
		outs []*backend.Outcome
		ok   bool
		win  bool
	}{
		{"Nothing", backend.KindSendEmail, nil, false, false},
		{"OOOCountsForNothing", backend.KindSendEmail, []*backend.Outcome{o(1, backend.OutcomeOutOfOffice, 1)}, false, false},
		{"Positive", backend.KindSendEmail, []*backend.Outcome{o(1, backend.OutcomeReplied, 1), o(2, backend.OutcomePositiveReply, 1)}, true, true},
		{"NegativeBeatsBareReply", backend.KindSendEmail, []*backend.Outcome{o(2, backend.OutcomeNegativeReply, 1), o(3, backend.OutcomeReplied, 2)}, true, false},
		{"LateReplyBeatsNoResponse", backend.KindSendEmail, []*backend.Outcome{o(1, backend.OutcomeNoResponse, 1), o(2, backend.OutcomeReplied, 2)}, true, true},
		{"LatestStrongWins", backend.KindSendEmail, []*backend.Outcome{o(1, backend.OutcomeMeetingBooked, 1), o(2, backend.OutcomeUnsubscribed, 2)}, true, false},
		{"MeetingHeld", backend.KindScheduleMeeting, []*backend.Outcome{o(1, backend.OutcomeMeetingHeld, 1)}, true, true},
		{"NoShow", backend.KindScheduleMeeting, []*backend.Outcome{o(1, backend.OutcomeNoShow, 1)}, true, false},
		{"TaskDone", backend.KindCreateTask, []*backend.Outcome{o(1, backend.OutcomeTaskCompleted, 1)}, true, true},
		{"Engaged", backend.KindReplySocial, []*backend.Outcome{o(1, backend.OutcomeMentionEngaged, 1)}, true, true},
		{"UndoneSaysNothing", backend.KindSendEmail, []*backend.Outcome{o(1, backend.OutcomeUndone, 1)}, false, false},
		{"NotesLearnNothing", backend.KindNote, []*backend.Outcome{o(1, backend.OutcomeReplied, 1)}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := backend.MoveVerdict(tc.kind, tc.outs)
			if ok != tc.ok || v.Success != tc.win {
				t.Errorf("MoveVerdict = %+v, %v; want ok %v success %v", v, ok, tc.ok, tc.win)
			}
		})
	}
}

// countingStore counts the moves Updates write, and the open moves they
// read in bulk (a walk of a status, or of a learning cell).
type countingStore struct {
	backend.Store
	writes, read int
}

type countingTx struct {
	backend.Tx
	s *countingStore
}

func (t countingTx) UpdateMove(m *backend.Move) error { t.s.writes++; return t.Tx.UpdateMove(m) }

func (t countingTx) FindMoves(f backend.MoveFilter) ([]*backend.Move, int, error) {
	ms, n, err := t.Tx.FindMoves(f)
	t.s.read += len(ms)
	return ms, n, err
}

func (t countingTx) OpenMovesInCell(key string) ([]*backend.Move, error) {
	ms, err := t.Tx.OpenMovesInCell(key)
	t.s.read += len(ms)
	return ms, err
}

func (s *countingStore) Update(ctx context.Context, fn func(backend.Tx) error) error {
	return s.Store.Update(ctx, func(tx backend.Tx) error { return fn(countingTx{tx, s}) })
}

// learnFixture is a queue with pending reply moves in two cells (Acme,
// tier A, 51–200; Tiny, tier C, 1–10) and done email moves for Acme's
// contact that outcomes are recorded on.
type learnFixture struct {
	*queueFixture
	cs          *countingStore
	acme, tiny  *backend.Move
	done        []*backend.Move
	acmeContact string
}

func newLearnFixture(tb testing.TB, done int) *learnFixture {
	tb.Helper()
	f := newQueue(tb)
	cs := &countingStore{Store: f.db}
	f.q = backend.NewServices(cs, f.clock, nil, backend.LocalExecutor{})
	f.ingest(tb, replySignal("g1", "t1", "maya@acme.io", testNow.Add(-time.Hour)))
	small := replySignal("g2", "t2", "bo@tiny.io", testNow.Add(-time.Hour))
	small.Contact = &backend.Contact{Email: "bo@tiny.io", Name: "Bo", CompanyID: "tiny"}
	small.Company = &backend.Company{ID: "tiny", Name: "Tiny", Industry: "Agency", Employees: 4}
	f.ingest(tb, small)
	lf := &learnFixture{queueFixture: f, cs: cs}
	for _, m := range f.today(tb, nil).Moves {
		switch m.CompanyID {
		case "acme":
			lf.acme = m
		case "tiny":
			lf.tiny = m
		}
	}
	if lf.acme == nil || lf.tiny == nil {
		tb.Fatalf("moves = %v, want one for Acme and one for Tiny", titles(f.today(tb, nil).Moves))
	}
	if lf.acme.Score.Learned.Cell == lf.tiny.Score.Learned.Cell {
		tb.Fatalf("both moves in cell %q", lf.acme.Score.Learned.Cell)
	}
	err := f.db.Update(f.ctx, func(tx backend.Tx) error {
		for i := 0; i < done; i++ {
			m := &backend.Move{Kind: backend.KindSendEmail, Domain: backend.DomainSales, Title: "Earlier email", Status: backend.StatusDone,
				Subject:   backend.Subject{Type: backend.SubjectThread, ID: "old-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)},
				ContactID: lf.acme.ContactID, CompanyID: lf.acme.CompanyID, Source: backend.SourceGmail, Draft: backend.Draft{To: []string{"maya@acme.io"}},
				CreatedAt: testNow.Add(-48 * time.Hour), DoneAt: testNow.Add(-47 * time.Hour)}
			if err := tx.CreateMove(m); err != nil {
				return err
			}
			lf.done = append(lf.done, m)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return lf
}

func (f *learnFixture) record(tb testing.TB, m *backend.Move, typ backend.OutcomeType) *backend.Outcome {
	tb.Helper()
	o, err := f.q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: m.ID, Type: typ, Actor: backend.ActorCLI})
	if err != nil {
		tb.Fatalf("Record(%d, %s): %v", m.ID, typ, err)
	}
	return o
}

func (f *learnFixture) move(tb testing.TB, id uint64) *backend.Move {
	tb.Helper()
	var m *backend.Move
	err := f.db.View(f.ctx, func(tx backend.Tx) error {
		var err error
		m, err = tx.FindMove(id)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestLearning_Outcomes(t *testing.T) {
	t.Run("OnlyTheCellIsRescored", func(t *testing.T) {
		f := newLearnFixture(t, 6)
		tinyBefore := f.move(t, f.tiny.ID).Score
		f.record(t, f.done[0], backend.OutcomePositiveReply) // the first outcome indexes every open move once
		for _, m := range f.done[1:5] {
			f.cs.writes, f.cs.read = 0, 0
			f.record(t, m, backend.OutcomePositiveReply)
			if f.cs.writes != 1 || f.cs.read != 1 {
				t.Errorf("an outcome in Acme's cell read %d and wrote %d open moves, want 1 and 1 (Acme's pending move only)", f.cs.read, f.cs.writes)
			}
		}
		acme := f.move(t, f.acme.ID)
		if acme.Score.Learned.Wins != 5 || acme.Score.Learned.Count != 5 || acme.Score.Learned.Points <= 0 {
			t.Errorf("Acme's learned line = %+v, want 5 of 5 and points up", acme.Score.Learned)
		}
		if acme.Score.APS != plainAPS(t, acme.Score)+acme.Score.Learned.Points {
			t.Errorf("Acme's APS = %v, want plain + learned", acme.Score.APS)
		}
		tiny := f.move(t, f.tiny.ID)
		if tiny.Score.APS != tinyBefore.APS || tiny.Score.Learned.Points != 0 {
			t.Errorf("Tiny's score went %v → %v (learned %v), want untouched", tinyBefore.APS, tiny.Score.APS, tiny.Score.Learned.Points)
		}
		// An outcome that changes no verdict (out of office) writes nothing.
		f.cs.writes = 0
		f.record(t, f.done[5], backend.OutcomeOutOfOffice)
		if f.cs.writes != 0 {
			t.Errorf("an out-of-office outcome wrote %d moves, want 0", f.cs.writes)
		}
	})
	t.Run("LaterOutcomeReplacesVerdict", func(t *testing.T) {
		f := newLearnFixture(t, 1)
		f.record(t, f.done[0], backend.OutcomeNoResponse)
		if l := f.move(t, f.acme.ID).Score.Learned; l.Count != 1 || l.Wins != 0 || l.Points >= 0 {
			t.Fatalf("after no_response: %+v, want 0 of 1 and points down", l)
		}
		f.record(t, f.done[0], backend.OutcomePositiveReply)
		if l := f.move(t, f.acme.ID).Score.Learned; l.Count != 1 || l.Wins != 1 || l.Points <= 0 {
			t.Errorf("after a late positive reply: %+v, want 1 of 1 and points up", l)
		}
		// A correction by hand takes the positive reply back.
		list, _ := f.q.Outcomes.List(f.ctx, f.done[0].ID)
		if _, err := f.q.Outcomes.Record(f.ctx, backend.OutcomeInput{MoveID: f.done[0].ID, Type: backend.OutcomeNegativeReply, Corrects: list[1].ID}); err != nil {
			t.Fatal(err)
		}
		if l := f.move(t, f.acme.ID).Score.Learned; l.Count != 1 || l.Wins != 0 {
			t.Errorf("after correcting it to negative: %+v, want 0 of 1", l)
		}
	})
	t.Run("SwitchOffAndOn", func(t *testing.T) {
		f := newLearnFixture(t, 8)
		for _, m := range f.done {
			f.record(t, m, backend.OutcomeMeetingBooked)
		}
		on := f.move(t, f.acme.ID).Score
		if on.Learned.Points <= 0 {
			t.Fatalf("8 meetings booked: learned %+v, want points up", on.Learned)
		}
		st, _ := f.q.Settings.Get(f.ctx)
		st.Learning.On = false
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		off := f.move(t, f.acme.ID).Score
		if off.APS != plainAPS(t, off) || off.Learned.Points != 0 {
			t.Errorf("learning off: APS = %v, want exactly the plain %v", off.APS, plainAPS(t, off))
		}
		st.Learning.On = true
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		if again := f.move(t, f.acme.ID).Score; again.APS != on.APS {
			t.Errorf("learning on again: APS = %v, want %v", again.APS, on.APS)
		}
	})
	t.Run("Reset", func(t *testing.T) {
		f := newLearnFixture(t, 4)
		for _, m := range f.done[:3] {
			f.record(t, m, backend.OutcomePositiveReply)
		}
		f.clock.Advance(time.Minute)
		if err := f.q.Settings.ResetLearning(f.ctx, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		s := f.move(t, f.acme.ID).Score
		if s.Learned.Points != 0 || s.APS != plainAPS(t, s) {
			t.Errorf("after reset: APS = %v learned %+v, want the plain %v", s.APS, s.Learned, plainAPS(t, s))
		}
		if list, _ := f.q.Outcomes.List(f.ctx, f.done[0].ID); len(list) != 1 {
			t.Errorf("after reset the move has %d outcomes, want its outcome kept", len(list))
		}
		entries, _, err := f.q.Audit.Entries(f.ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || e.Action == backend.AuditLearningReset
		}
		if !found {
			t.Errorf("no %s entry in the audit log", backend.AuditLearningReset)
		}
		f.clock.Advance(time.Minute)
		f.record(t, f.done[3], backend.OutcomeNegativeReply)
		if l := f.move(t, f.acme.ID).Score.Learned; l.Count != 1 || l.Wins != 0 {
			t.Errorf("first outcome after reset: %+v, want 0 of 1 (the earlier ones forgotten)", l)
		}
		// A move whose outcome came before the reset adds nothing when it
		// gets another one: its earlier verdict was forgotten, not taken back.
		f.record(t, f.done[0], backend.OutcomeMeetingBooked)
		if l := f.move(t, f.acme.ID).Score.Learned; l.Count != 2 || l.Wins != 1 {
			t.Errorf("after a post-reset outcome on an older move: %+v, want 1 of 2", l)
		}
	})
	t.Run("DecaysAndHalfLifeRecounts", func(t *testing.T) {
		f := newLearnFixture(t, 10)
		for _, m := range f.done {
			f.record(t, m, backend.OutcomePositiveReply)
		}
		p0 := f.move(t, f.acme.ID).Score.Learned.Points
		st, _ := f.q.Settings.Get(f.ctx)
		f.clock.Advance(st.Learning.HalfLife)
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		p1 := f.move(t, f.acme.ID).Score.Learned.Points
		if !(p1 < p0 && p1 > 0) {
			t.Errorf("one half-life later: %v, want below %v and above 0", p1, p0)
		}
		st.Learning.HalfLife *= 2
		if err := f.q.Settings.Save(f.ctx, st, backend.ActorCLI); err != nil {
			t.Fatal(err)
		}
		p2 := f.move(t, f.acme.ID).Score.Learned.Points
		if !(p2 > p1 && p2 < p0) {
			t.Errorf("with the half-life doubled: %v, want between %v and %v (evidence recounted)", p2, p1, p0)
		}
	})
}

func TestLearning_Validate(t *testing.T) {
	for name, mod := range map[string]func(*backend.Learning){
		"MaxPointsNegative": func(l *backend.Learning) { l.MaxPoints = -1 },
		"MaxPointsHuge":     func(l *backend.Learning) { l.MaxPoints = 31 },
		"HalfLifeZero":      func(l *backend.Learning) { l.HalfLife = 0 },
		"PriorStrengthZero": func(l *backend.Learning) { l.PriorStrength = 0 },
		"PriorStrengthNaN":  func(l *backend.Learning) { l.PriorStrength = math.NaN() },
	} {
		t.Run(name, func(t *testing.T) {
			st := backend.DefaultSettings()
			mod(&st.Learning)
			if err := st.Validate(); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("Validate = %v, want invalid", err)
			}
		})
	}
	if err := backend.DefaultSettings().Validate(); err != nil {
		t.Errorf("default settings: %v", err)
	}
}
