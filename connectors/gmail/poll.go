package gmail

import (
	"context"
	"fmt"
	"html"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/gmail/v1"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/intent"
)

// The cursor is "<historyId>:<unix seconds of the sync>". The time bounds
// the resync after Gmail has forgotten the history id: only mail since the
// last sync (within LookBack) is fetched again.
type cursor struct {
	history uint64
	at      time.Time
}

func parseCursor(s string) (cursor, bool) {
	h, at, _ := strings.Cut(s, ":")
	id, err := strconv.ParseUint(h, 10, 64)
	if err != nil || id == 0 {
		return cursor{}, false
	}
	c := cursor{history: id}
	if n, err := strconv.ParseInt(at, 10, 64); err == nil {
		c.at = time.Unix(n, 0)
	}
	return c, true
}

func (c cursor) String() string {
	if c.at.IsZero() {
		return strconv.FormatUint(c.history, 10)
	}
	return fmt.Sprintf("%d:%d", c.history, c.at.Unix())
}

// Poll returns the signals in mail that arrived since cursor and the next
// cursor. An empty cursor starts from the mailbox's current history id with
// a LookBack of recent mail; a history id Gmail no longer has (404) gets a
// bounded resync of the mail since the last sync. Signals are keyed by the
// Gmail message id, so a resync or a replay yields the same keys.
func (c *Client) Poll(ctx context.Context, cur string) ([]*backend.Signal, string, error) {
	now := c.cfg.Clock.Now()
	c.mu.Lock()
	c.more = false
	c.mu.Unlock()
	pos, ok := parseCursor(cur)
	if !ok {
		return c.resync(ctx, now, now.Add(-c.cfg.LookBack))
	}
	ids, labels, next, more, err := c.history(ctx, pos.history)
	if backend.ErrorCode(err) == backend.ENOTFOUND {
		since := now.Add(-c.cfg.LookBack)
		if !pos.at.IsZero() && pos.at.Add(-time.Hour).After(since) {
			since = pos.at.Add(-time.Hour) // an hour of overlap covers clock skew and late delivery
		}
		return c.resync(ctx, now, since)
	}
	if err != nil {
		return nil, "", err
	}
	sigs, err := c.signals(ctx, ids, labels)
	if err != nil {
		return nil, "", err
	}
	c.mu.Lock()
	c.more = more
	c.mu.Unlock()
	return sigs, cursor{history: next, at: now}.String(), nil
}

// resync lists mail since since (at most MaxResync messages) and starts
// the history from the profile's current id, read first so that nothing
// arriving during the listing is missed; mail seen by both is one signal.
func (c *Client) resync(ctx context.Context, now, since time.Time) ([]*backend.Signal, string, error) {
	p, err := c.profile(ctx)
	if err != nil {
		return nil, "", err
	}
	q := fmt.Sprintf("after:%d", since.Unix())
	var ids []string
	seen := map[string]bool{}
	page := ""
	for len(ids) < c.cfg.MaxResync {
		var r *gmail.ListMessagesResponse
		err := c.api.Do(ctx, "users.messages.list", true, func() (err error) {
			call := c.svc.Users.Messages.List("me").Q(q).MaxResults(int64(min(500, c.cfg.MaxResync))).Context(ctx)
			if page != "" {
				call.PageToken(page)
			}
			r, err = call.Do()
			return err
		})
		if err != nil {
			return nil, "", err
		}
		for _, m := range r.Messages {
			if !seen[m.Id] && len(ids) < c.cfg.MaxResync {
				seen[m.Id] = true
				ids = append(ids, m.Id)
			}
		}
		if page = r.NextPageToken; page == "" {
			break
		}
	}
	// Oldest first, as history would have delivered them.
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	sigs, err := c.signals(ctx, ids, nil)
	if err != nil {
		return nil, "", err
	}
	return sigs, cursor{history: p.HistoryId, at: now}.String(), nil
}

// history lists the messages added since start, oldest first, at most
// MaxPerPoll of them, with the labels history gives each; next is where
// the following Poll starts.
func (c *Client) history(ctx context.Context, start uint64) (ids []string, labels map[string][]string, next uint64, more bool, err error) {
	seen := map[string]bool{}
	labels = map[string][]string{}
	page := ""
	next = start
	for {
		var r *gmail.ListHistoryResponse
		err := c.api.Do(ctx, "users.history.list", true, func() (err error) {
			call := c.svc.Users.History.List("me").StartHistoryId(start).HistoryTypes("messageAdded").MaxResults(500).Context(ctx)
			if page != "" {
				call.PageToken(page)
			}
			r, err = call.Do()
			return err
		})
		if err != nil {
			return nil, nil, 0, false, err
		}
		for _, h := range r.History {
			if len(ids) >= c.cfg.MaxPerPoll {
				// Stop at a record boundary: the next Poll starts after the
				// last record taken whole.
				return ids, labels, next, true, nil
			}
			for _, a := range h.MessagesAdded {
				if a.Message != nil && !seen[a.Message.Id] {
					seen[a.Message.Id] = true
					ids = append(ids, a.Message.Id)
					labels[a.Message.Id] = a.Message.LabelIds
				}
			}
			next = h.Id
		}
		if page = r.NextPageToken; page == "" {
			if r.HistoryId > next {
				next = r.HistoryId
			}
			return ids, labels, next, false, nil
		}
	}
}

// The headers classification needs, for the messages fetched in metadata
// format (see headersOnly).
var metaHeaders = []string{"From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References", "Date",
	"Auto-Submitted", "X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "Precedence",
	"X-Failed-Recipients", "Content-Type", "List-Unsubscribe", "List-Id", "Return-Path"}

// msg is the part of a Gmail message classification reads.
type msg struct {
	id, threadID string
	labels       []string
	date         time.Time
	snippet      string
	h            map[string]string // canonical header name → value
	full         bool              // fetched in format=full: text and report are all there is
	text         string            // the readable body, for mail that can be a signal
	report       string            // a delivery report's text, for bounces
}

func (m *msg) header(k string) string { return m.h[strings.ToLower(k)] }

func (m *msg) has(label string) bool {
	for _, l := range m.labels {
		if l == label {
			return true
		}
	}
	return false
}

// toMsg reads what classification needs from a fetched message. From a
// format=full one it also decodes the body, but only of mail that can be
// a signal: not our own, drafts, spam, chats or bulk mail.
func toMsg(g *gmail.Message, full bool) *msg {
	m := &msg{id: g.Id, threadID: g.ThreadId, labels: g.LabelIds, snippet: html.UnescapeString(g.Snippet),
		date: time.UnixMilli(g.InternalDate), h: map[string]string{}, full: full}
	if g.Payload != nil {
		for _, h := range g.Payload.Headers {
			k := strings.ToLower(h.Name)
			if _, dup := m.h[k]; !dup {
				m.h[k] = h.Value
			}
		}
	}
	if !full || m.has("SENT") || m.has("DRAFT") || m.has("SPAM") || m.has("CHAT") {
		return m
	}
	if from, _ := parseFrom(m.header("From")); isBounce(m, from) {
		m.report = reportText(g.Payload)
	} else if !isBulk(m) {
		m.text = messageText(g.Payload)
	}
	return m
}

// headersOnly reports whether a message's labels, as history gave them,
// show it can be no signal with a body (our own mail, a draft, spam, a
// chat, bulk mail): format=metadata serves it at the same 5 units without
// the body's bytes. Mail listed without labels is fetched in full.
func headersOnly(labels []string) bool {
	for _, l := range labels {
		switch l {
		case "SENT", "DRAFT", "SPAM", "CHAT", "CATEGORY_PROMOTIONS", "CATEGORY_SOCIAL", "CATEGORY_FORUMS":
			return true
		}
	}
	return false
}

// fetch gets messages by id, a few at a time, in order, each with one
// messages.get (5 units): format=full, which carries the body, unless
// labels (from history) show that the headers are all it needs; messages
// deleted since they were listed are skipped.
//
// The first failure stops the rest: after a rate limit the limiter holds
// every request (until midnight for a daily one), and the Poll fails
// anyway, so the fetches still queued must not wait for it.
func (c *Client) fetch(ctx context.Context, ids []string, labels map[string][]string) ([]*msg, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]*msg, len(ids))
	sem := make(chan struct{}, c.cfg.Concurrency)
	var wg sync.WaitGroup
	var failOnce sync.Once
	var failed error
	for i, id := range ids {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			var g *gmail.Message
			full := !headersOnly(labels[id])
			err := c.api.Do(ctx, "users.messages.get", true, func() (err error) {
				call := c.svc.Users.Messages.Get("me", id).Context(ctx)
				if full {
					call.Format("full")
				} else {
					call.Format("metadata").MetadataHeaders(metaHeaders...)
				}
				g, err = call.Do()
				return err
			})
			if err != nil {
				if backend.ErrorCode(err) != backend.ENOTFOUND {
					failOnce.Do(func() { failed = err; cancel() })
				}
				return
			}
			out[i] = toMsg(g, full)
		}()
	}
	wg.Wait()
	if failed != nil {
		return nil, failed
	}
	if err := ctx.Err(); err != nil {
		return nil, c.api.MapError("gmail.users.messages.get", err, nil)
	}
	var ms []*msg
	for _, m := range out {
		if m != nil {
			ms = append(ms, m)
		}
	}
	return ms, nil
}

// signals fetches ids and classifies them; labels are history's, if any.
func (c *Client) signals(ctx context.Context, ids []string, labels map[string][]string) ([]*backend.Signal, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	owner, err := c.Address(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := c.fetch(ctx, ids, labels)
	if err != nil {
		return nil, err
	}
	// Mail we sent marks its thread as one we take part in.
	for _, m := range ms {
		if c.fromUs(m, owner) {
			c.mu.Lock()
			c.ours[m.threadID] = true
			c.mu.Unlock()
		}
	}
	var out []*backend.Signal
	seen := map[string]bool{}
	for _, m := range ms {
		if seen[m.id] || c.fromUs(m, owner) || m.has("DRAFT") || m.has("SPAM") || m.has("CHAT") {
			continue
		}
		seen[m.id] = true
		s, err := c.classify(ctx, m, owner)
		if err != nil {
			return nil, err
		}
		if s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}

func (c *Client) fromUs(m *msg, owner string) bool {
	if m.has("SENT") {
		return true
	}
	a, err := mail.ParseAddress(m.header("From"))
	return err == nil && strings.EqualFold(a.Address, owner)
}

// classify returns the signal a message from someone else is, or nil.
func (c *Client) classify(ctx context.Context, m *msg, owner string) (*backend.Signal, error) {
	from, name := parseFrom(m.header("From"))
	if isBounce(m, from) {
		return c.bounce(ctx, m)
	}
	if from == "" {
		return nil, nil
	}
	if isAutoReply(m) {
		s := c.signal(backend.SignalEmailOutOfOffice, m, from, name)
		if back, ok := returnDate(m.snippet, m.date); ok {
			s.Payload = map[string]string{"returns_at": back.Format(time.RFC3339)}
		}
		return s, nil
	}
	if isBulk(m) {
		return nil, nil
	}
	if isUnsubscribe(m) {
		return c.signal(backend.SignalEmailUnsubscribed, m, from, name), nil
	}
	if isReply(m) {
		ok, err := c.tookPart(ctx, m, owner)
		if err != nil {
			return nil, err
		}
		if ok {
			return c.signal(backend.SignalEmailReplied, m, from, name), nil
		}
	}
	if c.known(from) {
		return c.signal(backend.SignalEmailReceived, m, from, name), nil
	}
	return nil, nil
}

func (c *Client) known(addr string) bool {
	_, ok := c.lookup(addr)
	return ok
}

func (c *Client) signal(t backend.SignalType, m *msg, from, name string) *backend.Signal {
	s := &backend.Signal{
		Source: backend.SourceGmail, Type: t, OccurredAt: m.date, DedupeKey: "gmail:" + m.id, ThreadID: m.threadID,
		Email: &backend.EmailMessage{ThreadID: m.threadID, MessageID: m.header("Message-ID"), From: from, FromName: name,
			To: addresses(m.header("To")), Subject: decodeHeader(m.header("Subject")), Snippet: m.snippet, ReceivedAt: m.date,
			InReplyTo: strings.TrimSpace(m.header("In-Reply-To")), References: strings.Fields(m.header("References"))},
	}
	s.Email.Body, s.Email.Quoted = intent.Split(m.text)
	c.attach(s, from, name)
	return s
}

// attach refers the signal to the CRM's records for addr, or carries a
// snapshot of a new contact keyed by the address.
func (c *Client) attach(s *backend.Signal, addr, name string) {
	if mt, ok := c.lookup(addr); ok {
		s.ContactID, s.CompanyID, s.DealID = mt.ContactID, mt.CompanyID, mt.DealID
		return
	}
	s.Contact = &backend.Contact{Email: addr, Name: name}
}

// tookPart reports whether we wrote in m's thread: a reference to a
// Message-ID CaseyOS made answers at once, else the thread is read (10
// units) and remembered.
func (c *Client) tookPart(ctx context.Context, m *msg, owner string) (bool, error) {
	c.mu.Lock()
	ours := c.ours[m.threadID]
	c.mu.Unlock()
	if ours {
		return true, nil
	}
	for _, id := range strings.Fields(m.header("In-Reply-To") + " " + m.header("References")) {
		if ourMessageID(id, owner) {
			c.remember(m.threadID)
			return true, nil
		}
	}
	var t *gmail.Thread
	err := c.api.Do(ctx, "users.threads.get", true, func() (err error) {
		t, err = c.svc.Users.Threads.Get("me", m.threadID).Format("minimal").Fields("id", "messages(id,labelIds)").Context(ctx).Do()
		return err
	})
	if backend.ErrorCode(err) == backend.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, tm := range t.Messages {
		for _, l := range tm.LabelIds {
			if l == "SENT" {
				c.remember(m.threadID)
				return true, nil
			}
		}
	}
	return false, nil
}

func (c *Client) remember(thread string) {
	c.mu.Lock()
	if len(c.ours) > 50000 {
		c.ours = map[string]bool{} // bound the memo; it refills from threads.get
	}
	c.ours[thread] = true
	c.mu.Unlock()
}

func isReply(m *msg) bool {
	return m.header("In-Reply-To") != "" || m.header("References") != "" ||
		strings.HasPrefix(strings.ToLower(strings.TrimSpace(m.header("Subject"))), "re:")
}

// isBulk is mailing-list and marketing mail: never a sales signal.
func isBulk(m *msg) bool {
	p := strings.ToLower(m.header("Precedence"))
	return p == "bulk" || p == "list" || p == "junk" || m.header("List-Id") != "" || m.header("List-Unsubscribe") != "" ||
		m.has("CATEGORY_PROMOTIONS") || m.has("CATEGORY_SOCIAL") || m.has("CATEGORY_FORUMS")
}

// unsubscribeAsk is a person asking, at the start of their mail, to be left
// alone. Only the snippet (the start of the text) and the subject are read,
// so a quoted footer further down does not count.
var unsubscribeAsk = regexp.MustCompile(`(?i)(^\s*(re:\s*)?unsubscribe\s*$|\bunsubscribe me\b|\bplease unsubscribe\b|\b(remove|take) me (off|from) (your|this|the) (mailing )?(list|emails?)\b|\bstop (emailing|contacting|sending) me\b|\b(do not|don'?t) (email|contact) me\b|\bopt me out\b)`)

// isUnsubscribe recognizes a reply asking not to be emailed again.
func isUnsubscribe(m *msg) bool {
	return unsubscribeAsk.MatchString(decodeHeader(m.header("Subject"))) || unsubscribeAsk.MatchString(m.snippet)
}

var autoReplySubject = regexp.MustCompile(`(?i)^\s*(automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|out of (the )?office|ooo\b|abwesenheitsnotiz|réponse automatique|respuesta automática|away from (the )?office|on vacation|i am out of the office|i'm out of the office)`)

// isAutoReply recognizes out-of-office and other automatic replies by
// their headers (RFC 3834 Auto-Submitted, Microsoft's and others'
// X-Autoreply family) or their subject.
func isAutoReply(m *msg) bool {
	if v := strings.ToLower(strings.TrimSpace(m.header("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	if m.header("X-Autoreply") != "" || m.header("X-Autorespond") != "" || strings.EqualFold(m.header("Precedence"), "auto_reply") {
		return true
	}
	if strings.Contains(strings.ToLower(m.header("X-Auto-Response-Suppress")), "oof") && autoReplySubject.MatchString(m.header("Subject")) {
		return true
	}
	return autoReplySubject.MatchString(decodeHeader(m.header("Subject")))
}

var bounceSubject = regexp.MustCompile(`(?i)(delivery status notification \((failure|delay)\)|undeliverable:|undelivered mail returned to sender|mail delivery (failed|failure|subsystem)|returned mail:|delivery (has )?failed|failure notice|message not delivered|could not be delivered)`)

// isBounce recognizes delivery-failure reports: from a mailer daemon, a
// delivery-status report, an X-Failed-Recipients header, or the subjects
// the big providers use.
func isBounce(m *msg, from string) bool {
	local, _, _ := strings.Cut(from, "@")
	if local == "mailer-daemon" || local == "postmaster" || m.header("X-Failed-Recipients") != "" {
		return true
	}
	ct := strings.ToLower(m.header("Content-Type"))
	if strings.Contains(ct, "multipart/report") && strings.Contains(ct, "delivery-status") {
		return true
	}
	return strings.EqualFold(m.header("Return-Path"), "<>") && bounceSubject.MatchString(m.header("Subject"))
}

var (
	emailRe      = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	smtpStatusRe = regexp.MustCompile(`\b[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b[^\r\n]*`)
	finalRcptRe  = regexp.MustCompile(`(?i)(final|original)-recipient:\s*rfc822;\s*<?([^>\s]+)>?`)
)

// bounce builds email.bounced for the address that failed: from
// X-Failed-Recipients, else from the report's body (fetched with the
// message, or one more get if only its headers were).
func (c *Client) bounce(ctx context.Context, m *msg) (*backend.Signal, error) {
	addr := strings.TrimSpace(strings.Split(m.header("X-Failed-Recipients"), ",")[0])
	reason := smtpStatusRe.FindString(m.snippet)
	if addr == "" || reason == "" {
		body := m.report
		if !m.full {
			var g *gmail.Message
			err := c.api.Do(ctx, "users.messages.get", true, func() (err error) {
				g, err = c.svc.Users.Messages.Get("me", m.id).Format("full").Context(ctx).Do()
				return err
			})
			if err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
				return nil, err
			}
			if g != nil {
				body = bodyText(g.Payload)
			}
		}
		if addr == "" {
			if mm := finalRcptRe.FindStringSubmatch(body); mm != nil {
				addr = mm[2]
			} else {
				owner, _ := c.Address(ctx)
				for _, a := range emailRe.FindAllString(body, -1) {
					if l, _, _ := strings.Cut(strings.ToLower(a), "@"); !strings.EqualFold(a, owner) && l != "mailer-daemon" && l != "postmaster" {
						addr = a
						break
					}
				}
			}
		}
		if reason == "" {
			reason = smtpStatusRe.FindString(body)
		}
	}
	addr = strings.ToLower(strings.Trim(addr, "<>"))
	if !backend.ValidEmail(addr) {
		return nil, nil // a report we cannot attribute is no signal
	}
	s := &backend.Signal{Source: backend.SourceGmail, Type: backend.SignalEmailBounced, OccurredAt: m.date,
		DedupeKey: "gmail:" + m.id, ThreadID: m.threadID,
		Payload: map[string]string{"bounced_address": addr}}
	if reason != "" {
		s.Payload["reason"] = strings.TrimSpace(reason)
	}
	c.attach(s, addr, "")
	if s.ContactID == "" {
		s.ContactID = addr
	}
	return s, nil
}

var months = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		months[strings.ToLower(m.String())] = m
		months[strings.ToLower(m.String()[:3])] = m
	}
}

var (
	backDayMonth = regexp.MustCompile(`(?i)\b(?:back|return(?:ing)?|until|till|through)\b[^.]{0,30}?\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\b(?:,?\s+(\d{4}))?`)
	backMonthDay = regexp.MustCompile(`(?i)\b(?:back|return(?:ing)?|until|till|through)\b[^.]{0,30}?\b([A-Za-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?`)
	backISO      = regexp.MustCompile(`(?i)\b(?:back|return(?:ing)?|until|till|through)\b[^.]{0,30}?\b(\d{4})-(\d{2})-(\d{2})\b`)
)

// returnDate finds "back on 4 December" style dates in an auto-reply; a
// date without a year is the next one after the reply.
func returnDate(text string, sent time.Time) (time.Time, bool) {
	mk := func(y, mo, d string, month time.Month) (time.Time, bool) {
		day, err := strconv.Atoi(d)
		if err != nil || day < 1 || day > 31 {
			return time.Time{}, false
		}
		year := sent.Year()
		if y != "" {
			year, _ = strconv.Atoi(y)
		}
		t := time.Date(year, month, day, 9, 0, 0, 0, sent.Location())
		if y == "" && t.Before(sent.Add(-24*time.Hour)) {
			t = t.AddDate(1, 0, 0)
		}
		return t, true
	}
	if m := backISO.FindStringSubmatch(text); m != nil {
		mo, _ := strconv.Atoi(m[2])
		if mo >= 1 && mo <= 12 {
			return mk(m[1], "", m[3], time.Month(mo))
		}
	}
	if m := backDayMonth.FindStringSubmatch(text); m != nil {
		if mo, ok := months[strings.ToLower(m[2])]; ok {
			return mk(m[3], "", m[1], mo)
		}
	}
	if m := backMonthDay.FindStringSubmatch(text); m != nil {
		if mo, ok := months[strings.ToLower(m[1])]; ok {
			return mk(m[3], "", m[2], mo)
		}
	}
	return time.Time{}, false
}
