package gmail_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

// pollOne delivers m to a mailbox after a first sync and returns the one
// signal the next Poll makes of it (email.received for Dana by default).
func pollOne(tb testing.TB, m gmailtest.Message) (*env, *backend.Signal) {
	tb.Helper()
	e := newEnv(tb, gmail.Config{}, gmailtest.Options{})
	_, cur := e.poll(tb, "")
	e.clock.Advance(time.Minute)
	if m.From == "" {
		m.From = "Dana Whitfield <dana@northwind.io>"
	}
	if m.To == nil {
		m.To = []string{owner}
	}
	if m.Subject == "" {
		m.Subject = "Pricing for 40 engineers"
	}
	e.fake.ResetRecord()
	e.c.ResetQuota()
	e.fake.Deliver(m)
	sigs, _ := e.poll(tb, cur)
	if len(sigs) != 1 {
		tb.Fatalf("Poll = %v, want one signal", types(sigs))
	}
	return e, sigs[0]
}

// A Gmail reply: what Dana wrote, then Gmail's attribution and the quoted
// message, in plain text and in Gmail's HTML.
const (
	danaReply  = "Hi Casey,\n\nCould you send pricing for 40 engineers? We could sign this month.\n\nDana"
	danaQuoted = "On Tue, Dec 1, 2026 at 9:14 AM Casey Morgan <casey@pebblecache.dev> wrote:\n\n> Hi Dana,\n> Happy to help.\n"
	danaHTML   = `<div dir="ltr">Hi Casey,<div><br></div><div>Could you send pricing for 40&nbsp;engineers? We could sign this month.</div><div><br></div><div>Dana</div></div><br>` +
		`<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, Dec 1, 2026 at 9:14 AM Casey Morgan &lt;<a href="mailto:casey@pebblecache.dev">casey@pebblecache.dev</a>&gt; wrote:<br></div>` +
		`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Hi Dana,<div>Happy to help.</div></div></blockquote></div>`
)

func str(s string) *string { return &s }

func TestClient_Poll_Body(t *testing.T) {
	latin1 := []byte("Bonjour Casey,\n\nle tarif pour 40 ing\xe9nieurs, s'il vous pla\xeet ? Gr\xfc\xdfe aus K\xf6ln.")
	tests := []struct {
		name         string
		msg          gmailtest.Message
		body, quoted string // want; quoted "" = none
	}{
		{name: "PlainReplyWithQuotedHistory", msg: gmailtest.Message{Body: danaReply + "\n\n" + danaQuoted},
			body: danaReply, quoted: "On Tue, Dec 1, 2026 at 9:14 AM Casey Morgan <casey@pebblecache.dev> wrote:\n\n> Hi Dana,\n> Happy to help."},
		{name: "AlternativePrefersPlain", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "multipart/alternative",
			Parts: []gmailtest.Part{gmailtest.Text("Plain: can we talk Thursday?"), gmailtest.HTML("<p>HTML: can we talk <b>Thursday</b>?</p>")}}},
			body: "Plain: can we talk Thursday?"},
		{name: "GmailReplyAlternative", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "multipart/alternative",
			Parts: []gmailtest.Part{gmailtest.Text(danaReply + "\n\n" + danaQuoted), gmailtest.HTML(danaHTML)}}},
			body: danaReply, quoted: "On Tue, Dec 1, 2026 at 9:14 AM Casey Morgan <casey@pebblecache.dev> wrote:\n\n> Hi Dana,\n> Happy to help."},
		{name: "HTMLOnlyGmailReply", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "text/html; charset=UTF-8", Body: []byte(danaHTML)}},
			body: danaReply, quoted: "On Tue, Dec 1, 2026 at 9:14 AM Casey Morgan <casey@pebblecache.dev> wrote:\n> Hi Dana,\n> Happy to help."},
		{name: "HTMLOnlyMarkup", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "multipart/alternative", Parts: []gmailtest.Part{
			gmailtest.HTML(`<html><head><title>x</title><style>p{color:red}</style></head><body><script>alert("no")</script>` +
				`<p>Two questions &amp; a date:</p><ul><li>Price for 40 seats?</li><li>SOC&nbsp;2 report?</li></ul><p>Thursday &gt; Friday.<br>Dana</p></body></html>`)}}},
			body: "Two questions & a date:\n\n- Price for 40 seats?\n- SOC 2 report?\nThursday > Friday.\nDana"},
		{name: "MixedWithAttachments", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "multipart/mixed", Parts: []gmailtest.Part{
			{Type: "multipart/related", Parts: []gmailtest.Part{
				{Type: "multipart/alternative", Parts: []gmailtest.Part{gmailtest.Text("See the attached questionnaire."), gmailtest.HTML("<div>See the attached <i>questionnaire</i>.</div>")}},
				{Type: "image/png", Encoding: "base64", Disposition: `inline; filename="logo.png"`, Body: []byte("\x89PNG\r\n\x1a\nfake")},
			}},
			gmailtest.Attachment("questionnaire.pdf", "application/pdf", []byte("%PDF-1.7 fake")),
			// A text file attached without a file name: Gmail serves it inline.
			{Type: "text/plain; charset=UTF-8", Disposition: "attachment", Body: []byte("col1,col2\nsecret,attachment")},
			{Type: "text/csv", Encoding: "base64", Disposition: `attachment; filename="seats.csv"`, Body: []byte("seats\n40\n")},
		}}},
			body: "See the attached questionnaire."},
		{name: "MixedInlineParts", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "multipart/mixed", Parts: []gmailtest.Part{
			gmailtest.Text("First part."), {Type: "image/jpeg", Encoding: "base64", Disposition: `inline; filename="a.jpg"`, Body: []byte("jpg")}, gmailtest.Text("Second part."),
		}}},
			body: "First part.\n\nSecond part."},
		{name: "Unpadded", msg: gmailtest.Message{Unpadded: true, Body: "Forty seats, please."}, body: "Forty seats, please."},
		{name: "Base64PartUnpadded", msg: gmailtest.Message{Unpadded: true, MIME: &gmailtest.Part{Type: "text/plain; charset=utf-8", Encoding: "base64", Body: []byte("Zürich, 40 seats!")}},
			body: "Zürich, 40 seats!"},
		{name: "ISO88591", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "text/plain; charset=ISO-8859-1", Encoding: "8bit", Body: latin1}},
			body: "Bonjour Casey,\n\nle tarif pour 40 ingénieurs, s'il vous plaît ? Grüße aus Köln."},
		{name: "Windows1252QuotedPrintable", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: `text/plain; charset="windows-1252"`, Encoding: "quoted-printable",
			Body: []byte("It\x92s \x8040 per seat \x96 \x93fair\x94.")}},
			body: "It’s €40 per seat – “fair”."},
		{name: "QuotedPrintableNotDecodedTwice", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "text/plain; charset=UTF-8", Encoding: "quoted-printable",
			Body: []byte("Link: https://x.example/p?id=AB12&s=3D4 and a line long enough to need a soft line break from the quoted-printable writer, to be sure.\nCafé.")}},
			body: "Link: https://x.example/p?id=AB12&s=3D4 and a line long enough to need a soft line break from the quoted-printable writer, to be sure.\nCafé."},
		{name: "HTMLByAttachmentIDOnly", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "multipart/alternative", Parts: []gmailtest.Part{
			{Type: "text/plain; charset=UTF-8", Body: []byte("the plain part is served by reference"), ByAttachmentID: true}, gmailtest.HTML("<p>HTML stands in.</p>")}}},
			body: "HTML stands in."},
		{name: "UndecodablePartKeepsTheRest", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "multipart/mixed", Parts: []gmailtest.Part{
			gmailtest.Text("Readable part."), {Type: "text/plain; charset=UTF-8", Body: []byte("x"), WireData: str("!!not*base64~~")},
		}}},
			body: "Readable part."},
		{name: "BadBase64MidPart", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "text/plain; charset=UTF-8", Body: []byte("x"),
			WireData: str("SGVsbG8sIENhc2V5IQ" + "@@@@" + "SGVsbG8")}},
			body: "Hello, Casey!"},
		{name: "UnknownCharset", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "text/plain; charset=x-klingon", Body: []byte("Qapla'! 40 seats, café.")}},
			body: "Qapla'! 40 seats, café."},
		{name: "InvalidUTF8", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "text/plain; charset=UTF-8", Body: []byte("40 seats \xff\xfe ok")}},
			body: "40 seats \uFFFD ok"},
		{name: "StillEncodedQuotedPrintable", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "text/plain; charset=UTF-8", Encoding: "quoted-printable", Body: []byte("x"),
			WireData: str("Q2Fm=C3=A9 for 40 engineers, a line so long that the writer had to brea=\r\nk it.")}}},
		{name: "EmptyMultipart", msg: gmailtest.Message{MIME: &gmailtest.Part{Type: "multipart/mixed"}}, body: ""},
	}
	// The still-encoded case's wire data is base64url of QP text.
	for i := range tests {
		if tests[i].name == "StillEncodedQuotedPrintable" {
			tests[i].msg.MIME.WireData = str(b64url("Caf=C3=A9 for 40 engineers, a line so long that the writer had to brea=\r\nk it."))
			tests[i].body = "Café for 40 engineers, a line so long that the writer had to break it."
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, s := pollOne(t, tt.msg)
			if s.Email == nil {
				t.Fatalf("signal %s has no email", s.Type)
			}
			if s.Email.Body != tt.body {
				t.Errorf("email.body = %q, want %q", s.Email.Body, tt.body)
			}
			if s.Email.Quoted != tt.quoted {
				t.Errorf("email.quoted = %q, want %q", s.Email.Quoted, tt.quoted)
			}
			// One messages.get, whatever the shape: no attachment is fetched.
			if calls := e.c.Quota().Calls; calls["users.messages.get"] != 1 || calls["users.messages.attachments.get"] != 0 {
				t.Errorf("calls = %v, want one messages.get", calls)
			}
		})
	}
}

func b64url(s string) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b strings.Builder
	for i := 0; i < len(s); i += 3 {
		var n uint32
		k := min(3, len(s)-i)
		for j := 0; j < 3; j++ {
			n <<= 8
			if j < k {
				n |= uint32(s[i+j])
			}
		}
		for j := 0; j <= k; j++ {
			b.WriteByte(enc[(n>>(18-6*j))&63])
		}
	}
	return b.String()
}

func TestClient_Poll_BodyBounds(t *testing.T) {
	t.Run("SeveralMegabytes", func(t *testing.T) {
		para := "Forty engineers need the cache numbers before Thursday. "
		big := strings.Repeat(para, 6<<20/len(para)) // 6 MB
		_, s := pollOne(t, gmailtest.Message{Body: big})
		if n := len(s.Email.Body); n > backend.MaxText || n < backend.MaxText-len(para) || !strings.HasSuffix(s.Email.Body, "…") || !utf8.ValidString(s.Email.Body) {
			t.Errorf("email.body = %d bytes (ends %q), want cut at %d ending in …", n, s.Email.Body[max(0, n-8):], backend.MaxText)
		}
	})
	t.Run("SeveralMegabytesOfHTML", func(t *testing.T) {
		big := "<html><body>" + strings.Repeat("<div><b>Forty</b> engineers &amp; the cache</div>", 5<<20/48) + "</body></html>"
		_, s := pollOne(t, gmailtest.Message{MIME: &gmailtest.Part{Type: "text/html; charset=UTF-8", Encoding: "base64", Body: []byte(big)}})
		if n := len(s.Email.Body); n > backend.MaxText || n < backend.MaxText/2 || !strings.HasPrefix(s.Email.Body, "Forty engineers & the cache\nForty") {
			t.Errorf("email.body = %d bytes starting %q, want up to %d bytes of text", n, s.Email.Body[:min(n, 40)], backend.MaxText)
		}
	})
	t.Run("DeepNesting", func(t *testing.T) {
		// 1,000 multiparts deep, the text at the bottom; a sibling text at
		// the top is still read.
		p := gmailtest.Text("buried")
		for i := 0; i < 1000; i++ {
			p = gmailtest.Multipart("mixed", p)
		}
		root := gmailtest.Multipart("mixed", gmailtest.Text("On top."), p)
		_, s := pollOne(t, gmailtest.Message{MIME: &root})
		if s.Email.Body != "On top." {
			t.Errorf("email.body = %q, want %q (the buried part beyond the depth bound)", s.Email.Body, "On top.")
		}
	})
}

// TestClient_Poll_BodyRequests counts what a new message costs: one
// messages.get (5 units) in format=full for mail that can be a signal, in
// format=metadata for mail history labels as ours, spam or bulk, and a
// bounce's report comes with it (it used to cost a second get).
func TestClient_Poll_BodyRequests(t *testing.T) {
	e := newEnv(t, gmail.Config{}, gmailtest.Options{})
	_, cur := e.poll(t, "")
	e.clock.Advance(time.Minute)
	e.fake.ResetRecord()
	e.c.ResetQuota()
	const n = 10
	for i := 0; i < n; i++ {
		e.fake.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{owner}, Subject: fmt.Sprintf("Question %d", i),
			MIME: &gmailtest.Part{Type: "multipart/alternative", Parts: []gmailtest.Part{gmailtest.Text("Plain text."), gmailtest.HTML("<p>HTML.</p>")}}})
	}
	e.fake.Deliver(gmailtest.Message{From: "Casey Morgan <" + owner + ">", To: []string{"dana@northwind.io"}, Subject: "Ours", Labels: []string{"SENT"}, Body: "From us."})
	e.fake.Deliver(gmailtest.Message{From: "deals@vendor.example", To: []string{owner}, Subject: "Sale", Labels: []string{"INBOX", "CATEGORY_PROMOTIONS"}, Body: "50% off."})
	e.fake.Deliver(gmailtest.Message{From: "MAILER-DAEMON@mx.verdantschools.org", To: []string{owner}, Subject: "Undelivered Mail Returned to Sender",
		Body: "Final-Recipient: rfc822; mark.ellis@verdantschools.org\nAction: failed\nDiagnostic-Code: smtp; 550 5.1.1 User unknown"})
	sigs, _ := e.poll(t, cur)
	if len(sigs) != n+1 {
		t.Fatalf("Poll = %d signals (%v), want %d received and a bounce", len(sigs), types(sigs), n)
	}
	for _, s := range byType(sigs, backend.SignalEmailReceived) {
		if s.Email.Body != "Plain text." {
			t.Errorf("email.body = %q, want the plain alternative", s.Email.Body)
		}
	}
	if b := byType(sigs, backend.SignalEmailBounced); len(b) != 1 || b[0].Payload["bounced_address"] != "mark.ellis@verdantschools.org" {
		t.Errorf("bounced = %v, want mark.ellis@", b)
	}
	messages := n + 3
	q := e.c.Quota()
	if got := q.Calls["users.messages.get"]; got != int64(messages) {
		t.Errorf("messages.get = %d for %d new messages, want one each (calls %v)", got, messages, q.Calls)
	}
	// history.list 2 + 5 per message.
	if want := int64(2 + 5*messages); q.Units != want || int(q.Units) != e.fake.UnitsUsed() {
		t.Errorf("units = %d (fake %d), want %d: 5 per message", q.Units, e.fake.UnitsUsed(), want)
	}
	formats := map[string]int{}
	for _, r := range e.fake.Requests() {
		if r.Method == "users.messages.get" {
			formats[r.Query.Get("format")]++
		}
	}
	if formats["full"] != n+1 || formats["metadata"] != 2 {
		t.Errorf("formats = %v, want %d full (mail from people, the bounce) and 2 metadata (ours, promotions)", formats, n+1)
	}
	t.Logf("per new message: %.1f messages.get, %.1f units (%d messages, %v)", float64(q.Calls["users.messages.get"])/float64(messages),
		float64(q.Units-2)/float64(messages), messages, formats)
}

// TestClient_Poll_BounceReport reads the address and the reason from a
// delivery report's own parts, fetched with the message in one get.
func TestClient_Poll_BounceReport(t *testing.T) {
	report := gmailtest.Part{Type: "multipart/report; report-type=delivery-status", Parts: []gmailtest.Part{
		gmailtest.Text("This is the mail system at host mx.verdantschools.org.\n\nI'm sorry to have to inform you that your message could not be delivered."),
		{Type: "message/delivery-status", Body: []byte("Reporting-MTA: dns; mx.verdantschools.org\n\nFinal-Recipient: rfc822; mark.ellis@verdantschools.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <mark.ellis@verdantschools.org>: Recipient address rejected")},
		{Type: "message/rfc822", Body: []byte("From: casey@pebblecache.dev\r\nTo: someone.else@example.org\r\nSubject: Hi\r\n\r\nWrite to other@example.org.\r\n")},
	}}
	e, s := pollOne(t, gmailtest.Message{From: "Mail Delivery System <MAILER-DAEMON@mx.verdantschools.org>", Subject: "Undelivered Mail Returned to Sender", MIME: &report})
	if s.Type != backend.SignalEmailBounced || s.Payload["bounced_address"] != "mark.ellis@verdantschools.org" || !strings.HasPrefix(s.Payload["reason"], "550 5.1.1") {
		t.Errorf("signal = %s %v, want email.bounced for mark.ellis@ with the 550", s.Type, s.Payload)
	}
	if n := e.c.Quota().Calls["users.messages.get"]; n != 1 {
		t.Errorf("messages.get = %d, want 1: the report comes with the message", n)
	}
}
