package backend_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/intent"
	"github.com/caseyos/caseyos/store"
)

// BenchmarkComposeReply composes one reply draft per op, for the shapes a
// reply move takes (docs/benchmarks.md, "Reply drafts").
func BenchmarkComposeReply(b *testing.B) {
	twelve := danaInput()
	twelve.Intent.Entities.Questions = nil
	for i := 0; i < backend.MaxReplyQuestions; i++ {
		topic := backend.FactTopics[i%len(backend.FactTopics)]
		twelve.Intent.Entities.Questions = append(twelve.Intent.Entities.Questions, intent.Question{Text: fmt.Sprintf("Question %d about %s and SSO?", i, topic), Topic: topic})
	}
	notNow := danaInput()
	notNow.Intent = intent.Result{Intent: intent.NotNow, Entities: intent.Entities{Until: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}}
	bare := danaInput()
	bare.Intent = intent.Result{Intent: intent.Other}
	bare.Slots = nil
	b.Run("Corpus", func(b *testing.B) {
		// Each op composes the next of the classifier corpus's 315 replies,
		// read beforehand, with the demo's facts and three slots: the mix
		// ingest sees.
		var ins []backend.ReplyInput
		for _, s := range benchEmails(b, 315, time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)) {
			e := s.Email
			ins = append(ins, backend.ReplyInput{Intent: intent.Classify(intent.Email{Subject: e.Subject, Body: e.Body, From: e.From, Received: e.ReceivedAt}),
				Email: e, Contact: s.Contact, Company: s.Company, Settings: pebblecache(), Slots: danaInput().Slots})
		}
		b.ReportAllocs()
		cpu0, i := processCPU(b), 0
		for b.Loop() {
			backend.ComposeReply(ins[i%len(ins)])
			i++
		}
		b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
	for _, bc := range []struct {
		name string
		in   backend.ReplyInput
	}{{"Dana", danaInput()}, {"TwelveQuestions", twelve}, {"NotNow", notNow}, {"NoQuestions", bare}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for b.Loop() {
				backend.ComposeReply(bc.in)
			}
			b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// benchEmails makes n inbound replies with the corpus's bodies, in threads
// of about four messages, as benchSignalsMixed's emails are.
func benchEmails(b *testing.B, n int, now time.Time) []*backend.Signal {
	b.Helper()
	var corpus []corpusEmail
	for _, f := range []string{"intent/testdata/heldout.jsonl", "intent/testdata/train.jsonl"} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			var e corpusEmail
			if json.Unmarshal(line, &e) == nil && e.Body != "" {
				corpus = append(corpus, e)
			}
		}
	}
	out := make([]*backend.Signal, 0, n)
	for i := 0; i < n; i++ {
		e := corpus[i%len(corpus)]
		at := now.Add(-time.Duration(n-i) * time.Second)
		c := i % (n/8 + 1)
		addr := fmt.Sprintf("p%d@co%d.example", c, c%(n/40+1))
		name := "Pat Example"
		if a, err := mail.ParseAddress(e.From); err == nil && a.Name != "" {
			name = a.Name
		}
		reply, quoted := intent.Split(e.Body)
		out = append(out, &backend.Signal{
			Source: backend.SourceGmail, Type: backend.SignalEmailReplied, OccurredAt: at, DedupeKey: fmt.Sprintf("em:%d", i),
			Contact: &backend.Contact{Email: addr, Name: name},
			Company: &backend.Company{ID: fmt.Sprintf("co%d", c%(n/40+1)), Name: "Company", Industry: "SaaS", Employees: 10 + c%900},
			Email: &backend.EmailMessage{ThreadID: fmt.Sprintf("t%d", i/4), MessageID: fmt.Sprintf("<m%d@co.example>", i), From: addr, FromName: name,
				Subject: e.Subject, Snippet: reply, Body: reply, Quoted: quoted, ReceivedAt: at},
		})
	}
	return out
}

// BenchmarkIngest_Emails ingests 20,000 inbound replies (one CLI batch)
// into a fresh store per op and reports µs per signal, of wall time and of
// this process's CPU time (user + system, all threads: on a shared
// machine the wall time mostly measures the neighbours). Template is
// ingest as it stands (the recommender's one-line reply); Classified also
// reads each email (intent.Classify); Composed reads it and composes its
// answering draft (ComposeReply with the demo's facts and three slots),
// inside the timed region — the work a reply move's draft adds per email
// signal. The three run one after the other on the same signals, so with
// -count they alternate.
func BenchmarkIngest_Emails(b *testing.B) {
	const n = ingestBatch
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	st := pebblecache()
	slots := danaInput().Slots
	for _, mode := range []string{"Template", "Classified", "Composed"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			var wall, cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sigs := benchEmails(b, n, now)
				db, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("em%d.db", i)), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				q := backend.NewServices(db, backend.NewManualClock(now), nil)
				b.StartTimer()
				start, cpu0 := time.Now(), processCPU(b)
				for _, s := range sigs {
					if mode == "Template" {
						break
					}
					e := s.Email
					res := intent.Classify(intent.Email{Subject: e.Subject, Body: e.Body, From: e.From, Received: e.ReceivedAt})
					if mode == "Composed" {
						backend.ComposeReply(backend.ReplyInput{Intent: res, Email: e, Contact: s.Contact, Company: s.Company, Settings: st, Slots: slots})
					}
				}
				rep, err := q.Ingest.Batch(ctx, sigs)
				if err != nil || rep.Stored != n {
					b.Fatalf("stored %d of %d: %v", rep.Stored, n, err)
				}
				wall += time.Since(start)
				cpu += processCPU(b) - cpu0
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(wall.Microseconds())/float64(b.N)/n, "µs/signal")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/n, "cpu-µs/signal")
		})
	}
}
