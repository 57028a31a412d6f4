package gmail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

// BenchmarkGmailIncrementalSync_1000 measures one incremental Poll that
// finds 1,000 new messages, through the real client against the fake over
// loopback HTTP, with a fresh Client each time (no memo of our threads:
// the cost after a restart). It reports Gmail quota units per message by
// the published per-method costs.
//
//	replies: every message answers a thread we started from the Gmail UI,
//	         so each needs a threads.get to learn that we took part
//	mixed:   40% replies to mail CaseyOS sent (its Message-ID says so),
//	         30% new mail from known contacts, 30% newsletters and strangers
//
// Every message is a Gmail reply (plain text and HTML alternatives, quoted
// history), fetched in format=full; the body of each signal is decoded.
func BenchmarkGmailIncrementalSync_1000(b *testing.B) {
	for _, mix := range []string{"replies", "mixed"} {
		b.Run(mix, func(b *testing.B) {
			e := newEnv(b, gmail.Config{}, gmailtest.Options{})
			const n = 1000
			type started struct{ msgID, subject string }
			var threads []started
			for i := 0; i < n; i++ {
				id := fmt.Sprintf("<CAF-ui-%d@mail.gmail.com>", i)
				if mix == "mixed" {
					id = fmt.Sprintf("<caseyos.bench%d@pebblecache.dev>", i)
				}
				subj := fmt.Sprintf("Proposal %d", i)
				e.fake.Deliver(gmailtest.Message{From: "Casey Morgan <" + owner + ">", To: []string{"dana@northwind.io"}, Subject: subj,
					MessageID: id, Labels: []string{"SENT"}, Date: t0.Add(-30 * 24 * time.Hour)})
				threads = append(threads, started{id, subj})
			}
			_, cur := e.poll(b, "")
			for i := 0; i < n; i++ {
				// A Gmail reply as Gmail writes it: plain text and HTML, each
				// with the quoted history.
				m := gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{owner},
					MIME: &gmailtest.Part{Type: "multipart/alternative", Parts: []gmailtest.Part{gmailtest.Text(danaReply + "\n\n" + danaQuoted), gmailtest.HTML(danaHTML)}}}
				kind := i % 10
				switch {
				case mix == "replies" || kind < 4:
					m.Subject, m.InReplyTo, m.References = "Re: "+threads[i].subject, threads[i].msgID, []string{threads[i].msgID}
				case kind < 7:
					m.Subject = fmt.Sprintf("Question %d", i)
				case kind < 9:
					m.From, m.Subject = "newsletter@saastr.com", "This week in SaaS"
					m.Headers = map[string]string{"List-Unsubscribe": "<https://saastr.com/u>"}
				default:
					m.From, m.Subject = "stranger@example.org", "Hello"
				}
				e.fake.Deliver(m)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var units int64
			var sigs int
			for i := 0; i < b.N; i++ {
				c, err := gmail.New(context.Background(), gmail.Config{HTTPClient: testClient, BaseURL: e.fake.URL + "/", Clock: e.clock, Directory: crm})
				if err != nil {
					b.Fatal(err)
				}
				got, _, err := c.Poll(context.Background(), cur)
				if err != nil {
					b.Fatal(err)
				}
				sigs = len(got)
				units = c.Quota().Units
			}
			b.StopTimer()
			want := map[string]int{"replies": n, "mixed": 700}[mix]
			if sigs != want {
				b.Fatalf("signals = %d, want %d", sigs, want)
			}
			b.ReportMetric(float64(units)/n, "units/msg")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/n, "µs/msg")
		})
	}
}
