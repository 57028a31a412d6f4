package intent

// nLabels is how many labels there are (len(Labels)).
const nLabels = 10

// labelIndex is l's place in Labels; -1 for a label that is not one.
func labelIndex(l Label) int {
	switch l {
	case MeetingRequest:
		return 0
	case PricingQuestion:
		return 1
	case Interested:
		return 2
	case Objection:
		return 3
	case NotNow:
		return 4
	case Unsubscribe:
		return 5
	case OutOfOffice:
		return 6
	case ChurnRisk:
		return 7
	case Referral:
		return 8
	case Other:
		return 9
	}
	return -1
}

// scoreBoard is the score of each label for one email: what a
// map[Label]*labelScore would hold, in place, so that scoring an email
// allocates nothing once the board has been used (boards are reused with
// their text, see textPool).
type scoreBoard struct {
	by  [nLabels]labelScore
	set [nLabels]bool
	// buf backs the first hits of each label.
	buf [nLabels][4]hit
}

func (b *scoreBoard) reset() {
	for i := range b.by {
		b.by[i] = labelScore{}
		b.set[i] = false
		clear(b.buf[i][:])
	}
}

// get is l's score, nil when no rule for it fired.
func (b *scoreBoard) get(l Label) *labelScore {
	if i := labelIndex(l); i >= 0 && b.set[i] {
		return &b.by[i]
	}
	return nil
}

func (b *scoreBoard) add(l Label, w float64, phrase string) {
	i := labelIndex(l)
	s := &b.by[i]
	if !b.set[i] {
		b.set[i] = true
		*s = labelScore{label: l, hits: b.buf[i][:0]}
	}
	s.score += w
	s.hits = append(s.hits, hit{phrase: phrase, weight: w})
}

// byScore orders scores highest first (stable: ties keep their order).
func byScore(a, b *labelScore) int {
	switch {
	case a.score > b.score:
		return -1
	case a.score < b.score:
		return 1
	}
	return 0
}

// byWeight orders hits heaviest first.
func byWeight(a, b hit) int {
	switch {
	case a.weight > b.weight:
		return -1
	case a.weight < b.weight:
		return 1
	}
	return 0
}
