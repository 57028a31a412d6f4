package intent_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend/intent"
)

// example is one labelled email of a corpus (testdata/*.jsonl).
type example struct {
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	From       string    `json:"from"`
	ReceivedAt time.Time `json:"received_at"`
	Intent     string    `json:"intent"`
	// Expect holds optional entity expectations: seats, amounts (values),
	// times (at least that many windows), until (a date), referral (the
	// address).
	Expect *struct {
		Seats    int       `json:"seats"`
		Amounts  []float64 `json:"amounts"`
		Times    int       `json:"times"`
		Until    string    `json:"until"`
		Referral string    `json:"referral"`
	} `json:"expect"`
}

func (x example) email() intent.Email {
	return intent.Email{Subject: x.Subject, Body: x.Body, From: x.From, Received: x.ReceivedAt}
}

func loadCorpus(tb testing.TB, path string) []example {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var x example
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			tb.Fatalf("%s:%d: %v", path, n, err)
		}
		out = append(out, x)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// metrics is what a corpus measures.
type metrics struct {
	n, correct int
	confusion  map[intent.Label]map[intent.Label]int // [want][got]
	misses     []string
	// Calibration: replies at or above LowConfidence and their accuracy.
	confident, confidentRight int
}

func measure(xs []example) metrics {
	m := metrics{confusion: map[intent.Label]map[intent.Label]int{}}
	for _, l := range intent.Labels {
		m.confusion[l] = map[intent.Label]int{}
	}
	for _, x := range xs {
		res := intent.Classify(x.email())
		want := intent.Label(x.Intent)
		m.n++
		m.confusion[want][res.Intent]++
		if res.Confidence >= intent.LowConfidence {
			m.confident++
		}
		if res.Intent == want {
			m.correct++
			if res.Confidence >= intent.LowConfidence {
				m.confidentRight++
			}
			continue
		}
		body := strings.ReplaceAll(x.Body, "\n", " ⏎ ")
		m.misses = append(m.misses, fmt.Sprintf("want %s got %s (%.2f, %q): %s | %.120s", want, res.Intent, res.Confidence, res.Evidence, x.Subject, body))
	}
	return m
}

func (m metrics) accuracy() float64 { return float64(m.correct) / float64(m.n) }

// prf returns a label's precision, recall and F1.
func (m metrics) prf(l intent.Label) (p, r, f float64) {
	tp := m.confusion[l][l]
	var predicted, actual int
	for _, w := range intent.Labels {
		predicted += m.confusion[w][l]
		actual += m.confusion[l][w]
	}
	if predicted > 0 {
		p = float64(tp) / float64(predicted)
	}
	if actual > 0 {
		r = float64(tp) / float64(actual)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

func (m metrics) macroF1() float64 {
	var sum float64
	for _, l := range intent.Labels {
		_, _, f := m.prf(l)
		sum += f
	}
	return sum / float64(len(intent.Labels))
}

var short = map[intent.Label]string{
	intent.MeetingRequest: "meet", intent.PricingQuestion: "price", intent.Interested: "intr", intent.Objection: "objc",
	intent.NotNow: "later", intent.Unsubscribe: "unsub", intent.OutOfOffice: "ooo", intent.ChurnRisk: "churn",
	intent.Referral: "refer", intent.Other: "other",
}

// report prints the confusion matrix (rows: labelled, columns: classified)
// and each label's precision, recall and F1.
func (m metrics) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "accuracy %.3f (%d/%d), macro-F1 %.3f; confidence ≥ %.2f on %d replies, %.3f of them right\n",
		m.accuracy(), m.correct, m.n, m.macroF1(), intent.LowConfidence, m.confident, float64(m.confidentRight)/float64(max(1, m.confident)))
	fmt.Fprintf(&b, "%-8s", "")
	for _, l := range intent.Labels {
		fmt.Fprintf(&b, "%6s", short[l])
	}
	fmt.Fprintf(&b, "  |  %5s %5s %5s\n", "P", "R", "F1")
	for _, w := range intent.Labels {
		fmt.Fprintf(&b, "%-8s", short[w])
		for _, g := range intent.Labels {
			fmt.Fprintf(&b, "%6d", m.confusion[w][g])
		}
		p, r, f := m.prf(w)
		fmt.Fprintf(&b, "  |  %5.2f %5.2f %5.2f\n", p, r, f)
	}
	return b.String()
}

// TestClassify_HeldOut measures the classifier on the held-out corpus,
// which was committed before the classifier existed and is never tuned
// on (docs/benchmarks.md, "Reply intent").
func TestClassify_HeldOut(t *testing.T) {
	xs := loadCorpus(t, "testdata/heldout.jsonl")
	m := measure(xs)
	t.Logf("held-out (%d emails):\n%s", len(xs), m.report())
	for _, s := range m.misses {
		t.Log("miss: " + s)
	}
	if a := m.accuracy(); a < 0.90 {
		t.Errorf("held-out accuracy = %.3f, want ≥ 0.90", a)
	}
	if f := m.macroF1(); f < 0.85 {
		t.Errorf("held-out macro-F1 = %.3f, want ≥ 0.85", f)
	}
}

// TestClassify_Train measures the corpus the rules were tuned on.
func TestClassify_Train(t *testing.T) {
	xs := loadCorpus(t, "testdata/train.jsonl")
	m := measure(xs)
	t.Logf("train (%d emails):\n%s", len(xs), m.report())
	for _, s := range m.misses {
		t.Log("miss: " + s)
	}
	if a := m.accuracy(); a < 0.90 {
		t.Errorf("train accuracy = %.3f, want ≥ 0.90", a)
	}
	if f := m.macroF1(); f < 0.85 {
		t.Errorf("train macro-F1 = %.3f, want ≥ 0.85", f)
	}
}

// TestClassify_CorpusShape pins what the corpora must hold.
func TestClassify_CorpusShape(t *testing.T) {
	for _, c := range []struct {
		path            string
		total, perLabel int
	}{{"testdata/heldout.jsonl", 110, 9}, {"testdata/train.jsonl", 200, 9}} {
		xs := loadCorpus(t, c.path)
		n := map[intent.Label]int{}
		for _, x := range xs {
			n[intent.Label(x.Intent)]++
		}
		if len(xs) < c.total {
			t.Errorf("%s: %d emails, want ≥ %d", c.path, len(xs), c.total)
		}
		for _, l := range intent.Labels {
			if n[l] < c.perLabel {
				t.Errorf("%s: %d %s, want ≥ %d", c.path, n[l], l, c.perLabel)
			}
		}
		if len(n) != len(intent.Labels) {
			t.Errorf("%s: labels %v, want only %v", c.path, n, intent.Labels)
		}
	}
}
