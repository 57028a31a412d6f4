package gmail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"google.golang.org/api/gmail/v1"

	"github.com/caseyos/caseyos/backend"
)

// Send sends m. With a ThreadID it goes out as a reply Gmail keeps in the
// thread: In-Reply-To and References name the message answered (read from
// the thread when the caller did not say), and the subject is the thread's
// with "Re: ". The message carries m.MessageID (or a new one), which
// FindSent can look for if the caller does not learn whether Send worked.
// A server error is returned as unavailable and never retried here: the
// mail may have left.
func (c *Client) Send(ctx context.Context, m backend.OutgoingEmail) (backend.SentEmail, error) {
	const op = "gmail.Send"
	raw, err := c.compose(ctx, &m)
	if err != nil {
		return backend.SentEmail{}, backend.WrapError(op, err)
	}
	var r *gmail.Message
	err = c.api.Do(ctx, "users.messages.send", false, func() (err error) {
		r, err = c.svc.Users.Messages.Send("me", &gmail.Message{Raw: raw, ThreadId: m.ThreadID}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return backend.SentEmail{}, err
	}
	return backend.SentEmail{ID: r.Id, ThreadID: r.ThreadId}, nil
}

// CreateDraft saves m as a draft, threaded like Send.
func (c *Client) CreateDraft(ctx context.Context, m backend.OutgoingEmail) (backend.SentEmail, error) {
	const op = "gmail.CreateDraft"
	raw, err := c.compose(ctx, &m)
	if err != nil {
		return backend.SentEmail{}, backend.WrapError(op, err)
	}
	var d *gmail.Draft
	err = c.api.Do(ctx, "users.drafts.create", false, func() (err error) {
		d, err = c.svc.Users.Drafts.Create("me", &gmail.Draft{Message: &gmail.Message{Raw: raw, ThreadId: m.ThreadID}}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return backend.SentEmail{}, err
	}
	out := backend.SentEmail{DraftID: d.Id}
	if d.Message != nil {
		out.ID, out.ThreadID = d.Message.Id, d.Message.ThreadId
	}
	return out, nil
}

// DeleteDraft deletes a draft. A draft that is already gone counts as
// deleted, so an undo can be retried.
func (c *Client) DeleteDraft(ctx context.Context, draftID string) error {
	if draftID == "" {
		return backend.Errorf(backend.EINVALID, "which draft to delete?")
	}
	err := c.api.Do(ctx, "users.drafts.delete", true, func() error {
		return c.svc.Users.Drafts.Delete("me", draftID).Context(ctx).Do()
	})
	if backend.ErrorCode(err) == backend.ENOTFOUND {
		return nil
	}
	return err
}

// FindSent looks in sent mail for the message carrying messageID (with or
// without angle brackets).
func (c *Client) FindSent(ctx context.Context, messageID string) (backend.SentEmail, bool, error) {
	id := strings.Trim(strings.TrimSpace(messageID), "<>")
	if id == "" || strings.ContainsAny(id, " \t\r\n\"") {
		return backend.SentEmail{}, false, backend.Errorf(backend.EINVALID, "message id %q cannot be searched for", messageID)
	}
	var r *gmail.ListMessagesResponse
	err := c.api.Do(ctx, "users.messages.list", true, func() (err error) {
		r, err = c.svc.Users.Messages.List("me").Q("in:sent rfc822msgid:" + id).MaxResults(1).Context(ctx).Do()
		return err
	})
	if err != nil {
		return backend.SentEmail{}, false, err
	}
	if len(r.Messages) == 0 {
		return backend.SentEmail{}, false, nil
	}
	return backend.SentEmail{ID: r.Messages[0].Id, ThreadID: r.Messages[0].ThreadId}, true, nil
}

// compose fills in threading and our Message-ID, and renders m as
// base64url RFC 5322.
func (c *Client) compose(ctx context.Context, m *backend.OutgoingEmail) (string, error) {
	if len(m.To)+len(m.Cc) == 0 {
		return "", backend.Errorf(backend.EINVALID, "an email needs a recipient")
	}
	for _, a := range append(append([]string{}, m.To...), m.Cc...) {
		if _, err := mail.ParseAddress(a); err != nil {
			return "", backend.Errorf(backend.EINVALID, "%q is not an email address", a)
		}
	}
	owner, err := c.Address(ctx)
	if err != nil {
		return "", err
	}
	if m.ThreadID != "" && m.InReplyTo == "" {
		if err := c.replyHeaders(ctx, m); err != nil {
			return "", err
		}
	}
	if m.InReplyTo != "" {
		m.InReplyTo = bracket(m.InReplyTo)
		refs := make([]string, 0, len(m.References)+1)
		for _, r := range m.References {
			refs = append(refs, bracket(r))
		}
		if len(refs) == 0 || refs[len(refs)-1] != m.InReplyTo {
			refs = append(refs, m.InReplyTo)
		}
		m.References = refs
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(m.Subject)), "re:") {
			m.Subject = "Re: " + strings.TrimSpace(m.Subject)
		}
	}
	if m.MessageID == "" {
		m.MessageID = NewMessageID(owner)
	}
	m.MessageID = bracket(m.MessageID)
	raw := render(*m, (&mail.Address{Name: c.cfg.FromName, Address: owner}).String(), c.cfg.Clock.Now())
	return base64.URLEncoding.EncodeToString(raw), nil
}

// replyHeaders answers the last message in the thread that is not a draft.
func (c *Client) replyHeaders(ctx context.Context, m *backend.OutgoingEmail) error {
	var t *gmail.Thread
	err := c.api.Do(ctx, "users.threads.get", true, func() (err error) {
		t, err = c.svc.Users.Threads.Get("me", m.ThreadID).Format("metadata").MetadataHeaders("Message-ID", "References", "Subject").Context(ctx).Do()
		return err
	})
	if err != nil {
		return err
	}
	for i := len(t.Messages) - 1; i >= 0; i-- {
		g := toMsg(t.Messages[i], false)
		if g.has("DRAFT") || g.header("Message-ID") == "" {
			continue
		}
		m.InReplyTo = g.header("Message-ID")
		m.References = append(strings.Fields(g.header("References")), m.InReplyTo)
		if strings.TrimSpace(m.Subject) == "" {
			m.Subject = decodeHeader(g.header("Subject"))
		}
		return nil
	}
	return nil
}

// NewMessageID makes a Message-ID in the owner's domain, marked as made by
// CaseyOS so a reply to it is known to be in a thread we took part in.
func NewMessageID(owner string) string {
	domain := "caseyos.local"
	if _, d, ok := strings.Cut(owner, "@"); ok && d != "" {
		domain = d
	}
	b := make([]byte, 12)
	rand.Read(b)
	return "<caseyos." + hex.EncodeToString(b) + "@" + domain + ">"
}

func ourMessageID(id, owner string) bool {
	id = strings.Trim(id, "<>,")
	_, d, _ := strings.Cut(owner, "@")
	return strings.HasPrefix(id, "caseyos.") && d != "" && strings.HasSuffix(strings.ToLower(id), "@"+strings.ToLower(d))
}

func bracket(id string) string {
	id = strings.TrimSpace(id)
	if !strings.HasPrefix(id, "<") {
		id = "<" + id
	}
	if !strings.HasSuffix(id, ">") {
		id += ">"
	}
	return id
}

// clean drops CR and LF so a value cannot add headers.
func clean(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

func render(m backend.OutgoingEmail, from string, now time.Time) []byte {
	var b bytes.Buffer
	h := func(k, v string) {
		if v = strings.TrimSpace(clean(v)); v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	h("From", from)
	h("To", addressList(m.To))
	h("Cc", addressList(m.Cc))
	h("Subject", mime.QEncoding.Encode("utf-8", clean(m.Subject)))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", m.MessageID)
	h("In-Reply-To", m.InReplyTo)
	h("References", strings.Join(m.References, " "))
	h("MIME-Version", "1.0")
	h("Content-Type", `text/plain; charset="UTF-8"`)
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

func addressList(as []string) string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		if p, err := mail.ParseAddress(a); err == nil {
			out = append(out, p.String())
		}
	}
	return strings.Join(out, ", ")
}

func decodeHeader(v string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// parseFrom returns the lower-cased address and the display name.
func parseFrom(v string) (addr, name string) {
	a, err := mail.ParseAddress(decodeHeader(v))
	if err != nil {
		if m := emailRe.FindString(v); m != "" {
			return strings.ToLower(m), ""
		}
		return "", ""
	}
	return strings.ToLower(a.Address), a.Name
}

func addresses(v string) []string {
	l, err := mail.ParseAddressList(decodeHeader(v))
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(l))
	for _, a := range l {
		out = append(out, strings.ToLower(a.Address))
	}
	return out
}

// bodyText is the decoded text of the first text/plain part.
func bodyText(p *gmail.MessagePart) string {
	if p == nil {
		return ""
	}
	if strings.HasPrefix(p.MimeType, "text/plain") || strings.HasPrefix(p.MimeType, "message/delivery-status") {
		if p.Body != nil && p.Body.Data != "" {
			if b, err := base64.URLEncoding.DecodeString(p.Body.Data); err == nil {
				return string(b)
			}
			if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(p.Body.Data, "=")); err == nil {
				return string(b)
			}
		}
	}
	var out []string
	for _, c := range p.Parts {
		if t := bodyText(c); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n")
}
