package intent

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Label is what an inbound reply wants.
type Label string

// The labels, one per reply.
const (
	MeetingRequest  Label = "meeting_request"
	PricingQuestion Label = "pricing_question"
	Interested      Label = "interested"
	Objection       Label = "objection"
	NotNow          Label = "not_now"
	Unsubscribe     Label = "unsubscribe"
	OutOfOffice     Label = "out_of_office"
	ChurnRisk       Label = "churn_risk"
	Referral        Label = "referral"
	Other           Label = "other"
)

// Labels lists every label, Other last.
var Labels = []Label{MeetingRequest, PricingQuestion, Interested, Objection, NotNow, Unsubscribe, OutOfOffice, ChurnRisk, Referral, Other}

// LowConfidence is the confidence below which a reading is a guess: the
// rules that fired are weak or point two ways. Callers treat a Result under
// it as "unsure" (a person, or a language model when one is connected,
// should read the email). Confidence grows with the winning score and
// shrinks with the runner-up's: (1-e^(-s1/3))·(½+½(s1-s2)/s1). On the
// held-out corpus 110 of the 111 replies at or above it are labelled
// right, and the one below it is wrong (docs/benchmarks.md).
const LowConfidence = 0.5

// Limits on what Classify reads, so any input takes bounded time.
const (
	// MaxBody is how much of the body Classify looks at before it splits
	// off quoted history: a reply is written on top.
	MaxBody = 64 << 10
	// MaxReply is how much of the reply (history and signature removed)
	// the rules and the entity extractors scan.
	MaxReply = 16 << 10
	// maxSubject caps the subject.
	maxSubject = 1 << 10
)

// Email is an inbound email to classify.
type Email struct {
	Subject string
	// Body is the plain-text body. It may still contain the quoted
	// history and the sender's signature: Classify strips both itself.
	Body string
	// From is the sender ("Ana Ruiz <ana@x.io>" or the bare address); a
	// referral never points back at it.
	From string
	// Received is when the email arrived: relative times ("tomorrow",
	// "next week", "in March") resolve against it. When it is zero,
	// nothing that needs a reference date is extracted (Times, Until).
	Received time.Time
	// Zone is the sender's time zone when known. Nil means UTC. A zone
	// named next to a time ("3pm ET", "Berlin time") wins over it.
	Zone *time.Location
}

// Result is the reading of one email.
type Result struct {
	Intent Label `json:"intent"`
	// Confidence is 0..1; under LowConfidence the reading is a guess.
	Confidence float64 `json:"confidence"`
	// Evidence holds the phrases, as written, that decided the intent,
	// strongest first.
	Evidence []string `json:"evidence"`
	Entities Entities `json:"entities"`
}

// Entities is what a reply can act on.
type Entities struct {
	// Times are the proposed days and times, resolved to absolute
	// windows in the sender's zone (see When).
	Times     []When     `json:"times,omitempty"`
	Questions []Question `json:"questions,omitempty"`
	// Seats is the team size they named ("40 engineers", "a team of 40").
	Seats   int      `json:"seats,omitempty"`
	Amounts []Amount `json:"amounts,omitempty"`
	// Until is, for not_now, when to come back ("ping me in March" → 1
	// March, "after Q1" → 1 April, "next quarter"), and for
	// out_of_office the return date; midnight in the sender's zone.
	Until time.Time `json:"until,omitzero"`
	// Referral is who a referral pointed us to.
	Referral *Person `json:"referral,omitempty"`
}

// When is a proposed window, in the sender's zone:
//   - a day alone ("Monday", "Dec 10", "tomorrow") is 09:00–17:00;
//   - a part of a day: morning 09:00–12:00, lunch 12:00–13:00,
//     afternoon 12:00–17:00, evening 17:00–20:00;
//   - a time ("tomorrow at 3pm") is Start = 15:00, End = Start+30m;
//   - a range ("2-4pm") is as written; "after 2pm" runs to 17:00 (or two
//     hours when later), "before 11" starts at 09:00;
//   - "next week" is Monday 09:00 to Friday 17:00 of next week, "early
//     next week" Monday–Tuesday, "this week" today to Friday, "the week
//     of 14 December" that week's Monday to Friday.
//
// A weekday names the next such day after the email's day: "Thursday"
// written on a Thursday is the Thursday a week later ("today" is today).
type When struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Text  string    `json:"text"`
}

// Question is a question the reply asks.
type Question struct {
	Text  string `json:"text"`
	Topic Topic  `json:"topic"`
}

// Topic is what a question is about.
type Topic = string

// The question topics.
const (
	TopicPricing     Topic = "pricing"
	TopicSecurity    Topic = "security"
	TopicCompliance  Topic = "compliance"
	TopicIntegration Topic = "integration"
	TopicSeats       Topic = "seats"
	TopicTrial       Topic = "trial"
	TopicContract    Topic = "contract"
	TopicOnboarding  Topic = "onboarding"
	TopicData        Topic = "data"
	TopicOther       Topic = "other"
)

// Amount is a sum of money named in the reply. Value is in units of the
// currency ("$40k" → 40000); Currency is an ISO 4217 code ("USD") or ""
// when the reply did not say.
type Amount struct {
	Value    float64 `json:"value"`
	Currency string  `json:"currency"`
	Text     string  `json:"text"`
}

// Person is someone the reply names.
type Person struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Classify reads one email: its intent, how sure, the phrases that decided
// it and the entities. It needs no network, is deterministic and reads at
// most MaxBody bytes of the body.
func Classify(e Email) Result {
	t := prepare(e)
	defer t.release()
	ents := extract(t)
	scores := score(t, ents)
	res := decide(scores)
	if res.Intent == Other && scores.get(Other) == nil && t.reply != "" {
		res = backoff(t, res)
	}
	res.Entities = ents
	switch res.Intent {
	case NotNow, OutOfOffice:
		res.Entities.Until = until(t, res.Intent)
		res.Entities.Times = nil
	case Unsubscribe, ChurnRisk:
		res.Entities.Times = nil
	}
	if res.Intent != Referral {
		res.Entities.Referral = nil
	}
	return res
}

// text is an email made ready for the rules.
type text struct {
	subject, reply    string  // as written (capped, valid UTF-8)
	lsubject, lreply  string  // lower case
	present, spresent present // the matchers that may match reply, subject
	rawFrom           string  // the From header, clipped; see sender
	from              *Person // rawFrom parsed, once needed
	fromBuf           Person
	scores            scoreBoard
	now               time.Time // Received in the sender's zone; zero if unknown
	loc               *time.Location
}

func prepare(e Email) *text {
	body := clip(e.Body, MaxBody)
	reply, _ := Split(body)
	reply = clip(StripSignature(dropQuoted(reply)), MaxReply)
	subject := clip(strings.TrimSpace(e.Subject), maxSubject)
	loc := e.Zone
	if loc == nil {
		loc = time.UTC
	}
	t := textPool.Get().(*text)
	t.subject, t.reply, t.lsubject, t.lreply, t.loc = subject, reply, lower(subject), lower(reply), loc
	scanInto(&t.present, t.lreply)
	scanInto(&t.spresent, t.lsubject)
	if !e.Received.IsZero() {
		t.now = e.Received.In(loc)
	}
	t.rawFrom = e.From
	return t
}

// sender is who sent the email (From parsed). Only a referral needs it,
// and only when the reply holds an address: it is parsed then, once.
func (t *text) sender() Person {
	if t.from == nil {
		t.fromBuf = parseFrom(clip(t.rawFrom, 1024))
		t.from = &t.fromBuf
	}
	return *t.from
}

// textPool keeps texts, with their scan buffers and score board, for the
// next email: classifying one then allocates little besides its result.
var textPool = sync.Pool{New: func() any { return new(text) }}

// release returns t to textPool; nothing of t may be used after it.
func (t *text) release() {
	set, hits := t.present.set, t.present.hits
	sset, shits := t.spresent.set, t.spresent.hits
	t.scores.reset()
	*t = text{scores: t.scores}
	t.present = present{set: set, hits: hits[:0]}
	t.spresent = present{set: sset, hits: shits[:0]}
	textPool.Put(t)
}

// dropQuoted removes the lines quoted with ">" that an inline answer
// keeps between its own lines: they are our words, not the sender's.
func dropQuoted(reply string) string {
	if !strings.Contains(reply, ">") {
		return reply
	}
	lines := strings.Split(reply, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), ">") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// clip cuts s to at most n bytes on a rune boundary and replaces invalid
// UTF-8, so that the rules see text.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
		for i := 0; i < utf8.UTFMax && len(s) > 0; i++ {
			r, size := utf8.DecodeLastRuneInString(s)
			if r != utf8.RuneError || size > 1 {
				break
			}
			s = s[:len(s)-1]
		}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// hit is one rule that fired.
type hit struct {
	phrase string
	weight float64
}

type labelScore struct {
	label Label
	score float64
	hits  []hit
}

func decide(scores *scoreBoard) Result {
	var buf [nLabels]*labelScore
	all := buf[:0]
	for _, l := range Labels {
		if s := scores.get(l); s != nil && s.score > 0 {
			all = append(all, s)
		}
	}
	slices.SortStableFunc(all, byScore)
	var s1, s2 float64
	if len(all) > 0 {
		s1 = all[0].score
	}
	if len(all) > 1 {
		s2 = all[1].score
	}
	if len(all) == 0 || all[0].label == Other || s1 < minScore {
		// Nothing asks for an action. The more a real intent was hinted
		// at, the less sure this is.
		res := Result{Intent: Other, Evidence: []string{}}
		var hint float64
		for _, s := range all {
			if s.label == Other {
				res.Evidence = evidence(s.hits)
			} else if s.score > hint {
				hint = s.score
			}
		}
		conf := 0.8 - 0.2*hint
		if o := scores.get(Other); o != nil && o.score > hint {
			conf = 0.6 + 0.3*(1-math.Exp(-(o.score-hint)/3))
		}
		res.Confidence = round2(math.Max(0.2, conf))
		return res
	}
	top := all[0]
	conf := (1 - math.Exp(-s1/3)) * (0.5 + 0.5*(s1-s2)/s1)
	return Result{Intent: top.label, Confidence: round2(conf), Evidence: evidence(top.hits)}
}

// backoff asks naive Bayes (bayes.go) about a reply no rule spoke for.
// Its answer stands only when it is clear (posterior ≥ bayesMin) and the
// words it rests on are in the reply; it is always reported under
// LowConfidence.
func backoff(t *text, res Result) Result {
	l, p, top := bayes(tokens(t.subject, t.reply), 6)
	if l == Other || p < bayesMin {
		return res
	}
	var ev []string
	for _, tok := range top {
		if stopWords[tok] {
			continue
		}
		if ph := phraseOf(t.reply, t.lreply, tok); ph != "" {
			ev = append(ev, ph)
		}
	}
	if len(ev) == 0 {
		return res
	}
	return Result{Intent: l, Confidence: round2(0.2 + 0.25*p), Evidence: ev}
}

// stopWords are never shown as evidence.
var stopWords = map[string]bool{"the": true, "a": true, "an": true, "can": true, "and": true, "or": true, "to": true, "of": true,
	"in": true, "on": true, "for": true, "is": true, "are": true, "we": true, "i": true, "you": true, "it": true, "this": true,
	"that": true, "be": true, "will": true, "with": true, "at": true, "our": true, "my": true, "your": true, "me": true, "us": true,
	"im": true, "was": true, "have": true, "has": true, "do": true, "so": true, "but": true, "if": true, "as": true, "just": true}

// bayesMin is the posterior the backoff needs.
const bayesMin = 0.8

// minScore is the least score a label other than Other needs to win.
const minScore = 2

func evidence(hits []hit) []string {
	var buf [16]hit
	hs := append(buf[:0], hits...)
	slices.SortStableFunc(hs, byWeight)
	out := []string{}
	var seen [5]string // the lower-cased phrases kept (at most 5)
next:
	for _, h := range hs {
		if h.phrase == "" {
			continue
		}
		k := strings.ToLower(h.phrase)
		for _, s := range seen[:len(out)] {
			if s == k {
				continue next
			}
		}
		seen[len(out)] = k
		out = append(out, h.phrase)
		if len(out) == 5 {
			break
		}
	}
	return out
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
