package gmailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Message is a message to put in the mailbox.
type Message struct {
	ID         string // "" = assigned
	ThreadID   string // "" = threaded by headers and subject, as Gmail does
	From       string // "Name <addr>" or "addr"
	To, Cc     []string
	Subject    string
	Body       string // text/plain
	MessageID  string // RFC 5322 Message-ID with angle brackets; "" = generated
	InReplyTo  string
	References []string
	Date       time.Time         // zero = the fake's now
	Headers    map[string]string // extra headers (Auto-Submitted, X-Failed-Recipients …)
	Labels     []string          // nil = INBOX, UNREAD
	// MIME, when set, is the message's body as a MIME tree, instead of
	// Body as UTF-8 plain text.
	MIME *Part
	// Unpadded serves every body.data of the message without its "="
	// padding: base64url as some Google front ends and clients write it.
	Unpadded bool
}

// raw renders m as RFC 5322.
func (m Message) raw() []byte {
	var b bytes.Buffer
	h := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	h("From", m.From)
	h("To", strings.Join(m.To, ", "))
	h("Cc", strings.Join(m.Cc, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", m.Date.Format(time.RFC1123Z))
	h("Message-ID", m.MessageID)
	h("In-Reply-To", m.InReplyTo)
	h("References", strings.Join(m.References, " "))
	for k, v := range m.Headers {
		h(k, v)
	}
	if m.MIME != nil {
		h("MIME-Version", "1.0")
		m.MIME.render(&b, 0)
		return b.Bytes()
	}
	if m.Headers["Content-Type"] == "" {
		h("MIME-Version", "1.0")
		h("Content-Type", `text/plain; charset="UTF-8"`)
		h("Content-Transfer-Encoding", "quoted-printable")
	}
	b.WriteString("\r\n")
	if m.Headers["Content-Type"] == "" {
		qp := quotedprintable.NewWriter(&b)
		qp.Write([]byte(m.Body))
		qp.Close()
	} else {
		b.WriteString(m.Body)
	}
	return b.Bytes()
}

type header struct{ Name, Value string }

// part is a parsed MIME part.
type part struct {
	mimeType, filename string
	headers            []header
	body               []byte // decoded
	parts              []*part
	byID               bool    // served by attachmentId only
	wireData           *string // served as body.data verbatim
}

// stored is one message in the mailbox.
type stored struct {
	id, threadID string
	labels       []string
	raw          []byte
	root         *part
	internal     time.Time
	historyID    uint64
	messageID    string // RFC Message-ID header
	subject      string
	from, to     string
	text         string // decoded text of the first text/plain part
	unpadded     bool   // body.data without "=" padding
}

// parseRaw reads an RFC 5322 message the way Gmail does for its payload.
func parseRaw(raw []byte) (*part, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return parsePart(orderedHeaders(raw), msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

// orderedHeaders keeps the header order (net/mail's map loses it); folded
// lines are unfolded.
func orderedHeaders(raw []byte) []header {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = bytes.Index(raw, []byte("\n\n"))
	}
	if end < 0 {
		end = len(raw)
	}
	var out []header
	for _, line := range strings.Split(strings.ReplaceAll(string(raw[:end]), "\r\n", "\n"), "\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		out = append(out, header{Name: k, Value: strings.TrimSpace(v)})
	}
	return out
}

func parsePart(hs []header, ctype, cte string, body io.Reader) (*part, error) {
	if ctype == "" {
		ctype = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	p := &part{mimeType: mt, headers: hs}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			np, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			var phs []header
			for k, vs := range np.Header {
				for _, v := range vs {
					phs = append(phs, header{k, v})
				}
			}
			child, err := parsePart(phs, np.Header.Get("Content-Type"), np.Header.Get("Content-Transfer-Encoding"), np)
			if err != nil {
				return nil, err
			}
			child.filename = np.FileName()
			p.parts = append(p.parts, child)
		}
		return p, nil
	}
	var r io.Reader = body
	switch strings.ToLower(cte) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &newlineStripper{body})
	}
	p.body, err = io.ReadAll(r)
	return p, err
}

type newlineStripper struct{ r io.Reader }

func (n *newlineStripper) Read(b []byte) (int, error) {
	c, err := n.r.Read(b)
	j := 0
	for i := 0; i < c; i++ {
		if b[i] != '\r' && b[i] != '\n' {
			b[j] = b[i]
			j++
		}
	}
	return j, err
}

func (p *part) header(name string) string {
	for _, h := range p.headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// firstText is the text the snippet starts from: the first text/plain
// part, else the first HTML one's text, never an attachment's.
func (p *part) firstText() string {
	if t := p.find("text/plain"); t != nil {
		return string(t.body)
	}
	if t := p.find("text/html"); t != nil {
		return html.UnescapeString(tags.ReplaceAllString(string(t.body), " "))
	}
	return ""
}

func (p *part) find(mimeType string) *part {
	if p.mimeType == mimeType && p.filename == "" && len(p.body) > 0 {
		return p
	}
	for _, c := range p.parts {
		if t := c.find(mimeType); t != nil {
			return t
		}
	}
	return nil
}

var tags = regexp.MustCompile(`(?s)<(script|style|head)\b.*?</(script|style|head)>|<[^>]*>`)

// snippet is the start of the text, whitespace collapsed and HTML-escaped,
// as Gmail returns it ("I&#39;m away").
func snippet(text string) string {
	if len(text) > 4096 {
		text = text[:4096]
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return html.EscapeString(s)
}

func decodeHeader(v string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// normSubject drops reply and forward prefixes, for thread matching.
func normSubject(s string) string {
	s = strings.TrimSpace(decodeHeader(s))
	for {
		l := strings.ToLower(s)
		cut := false
		for _, p := range []string{"re:", "fwd:", "fw:", "aw:", "sv:"} {
			if strings.HasPrefix(l, p) {
				s = strings.TrimSpace(s[len(p):])
				cut = true
				break
			}
		}
		if !cut {
			return strings.ToLower(s)
		}
	}
}

// msgIDs splits a References or In-Reply-To value into ids with brackets.
func msgIDs(v string) []string {
	var out []string
	for _, f := range strings.Fields(v) {
		f = strings.Trim(f, ",")
		if f == "" {
			continue
		}
		if !strings.HasPrefix(f, "<") {
			f = "<" + f + ">"
		}
		out = append(out, f)
	}
	return out
}

// JSON shapes of the Gmail API, written by hand (not with the client's own
// types) so the fake checks the wire format the client expects: int64
// fields are strings.

type jsonHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type jsonBody struct {
	AttachmentID string `json:"attachmentId,omitempty"`
	Size         int    `json:"size"`
	Data         string `json:"data,omitempty"`
}

type jsonPart struct {
	PartID   string       `json:"partId"`
	MimeType string       `json:"mimeType"`
	Filename string       `json:"filename"`
	Headers  []jsonHeader `json:"headers,omitempty"`
	Body     *jsonBody    `json:"body,omitempty"`
	Parts    []*jsonPart  `json:"parts,omitempty"`
}

type jsonMessage struct {
	ID           string    `json:"id"`
	ThreadID     string    `json:"threadId"`
	LabelIDs     []string  `json:"labelIds,omitempty"`
	Snippet      string    `json:"snippet,omitempty"`
	HistoryID    string    `json:"historyId,omitempty"`
	InternalDate string    `json:"internalDate,omitempty"`
	SizeEstimate int       `json:"sizeEstimate,omitempty"`
	Payload      *jsonPart `json:"payload,omitempty"`
	Raw          string    `json:"raw,omitempty"`
}

func (p *part) json(msgID, id string, withBody bool, only map[string]bool, unpadded bool) *jsonPart {
	jp := &jsonPart{PartID: id, MimeType: p.mimeType, Filename: p.filename}
	for _, h := range p.headers {
		if only == nil || only[strings.ToLower(h.Name)] {
			jp.Headers = append(jp.Headers, jsonHeader{h.Name, h.Value})
		}
	}
	if !withBody {
		return jp
	}
	jp.Body = &jsonBody{Size: len(p.body)}
	switch {
	case p.filename != "" || p.byID:
		// Files (and some large parts) come by attachmentId, fetched with
		// users.messages.attachments.get.
		jp.Body.AttachmentID = attachmentID(msgID, id)
	case p.wireData != nil:
		jp.Body.Data = *p.wireData
	case len(p.body) > 0 && unpadded:
		jp.Body.Data = base64.RawURLEncoding.EncodeToString(p.body)
	case len(p.body) > 0:
		jp.Body.Data = base64.URLEncoding.EncodeToString(p.body)
	}
	for i, c := range p.parts {
		cid := fmt.Sprint(i)
		if id != "" {
			cid = id + "." + cid
		}
		jp.Parts = append(jp.Parts, c.json(msgID, cid, true, nil, unpadded))
	}
	return jp
}

// render returns m in the given format (minimal, full, raw, metadata).
func (m *stored) render(format string, metadataHeaders []string) *jsonMessage {
	j := &jsonMessage{ID: m.id, ThreadID: m.threadID, LabelIDs: append([]string(nil), m.labels...),
		Snippet: snippet(m.text), HistoryID: fmt.Sprint(m.historyID),
		InternalDate: fmt.Sprint(m.internal.UnixMilli()), SizeEstimate: len(m.raw)}
	switch format {
	case "minimal":
	case "raw":
		j.Raw = base64.URLEncoding.EncodeToString(m.raw)
	case "metadata":
		var only map[string]bool
		if len(metadataHeaders) > 0 {
			only = map[string]bool{}
			for _, h := range metadataHeaders {
				only[strings.ToLower(h)] = true
			}
		}
		j.Payload = m.root.json(m.id, "", false, only, false)
	default:
		j.Payload = m.root.json(m.id, "", true, nil, m.unpadded)
	}
	return j
}

func hasLabel(labels []string, l string) bool {
	for _, x := range labels {
		if x == l {
			return true
		}
	}
	return false
}

// attachmentID is an opaque id for a part served by reference, as long
// and as URL-safe as Gmail's.
func attachmentID(msgID, partID string) string {
	return "ANGjdJ" + base64.RawURLEncoding.EncodeToString([]byte("att:"+msgID+":"+partID))
}

// partByAttachmentID finds the part an attachment id names.
func (m *stored) partByAttachmentID(aid string) *part {
	var walk func(p *part, id string) *part
	walk = func(p *part, id string) *part {
		if attachmentID(m.id, id) == aid {
			return p
		}
		for i, c := range p.parts {
			cid := fmt.Sprint(i)
			if id != "" {
				cid = id + "." + cid
			}
			if f := walk(c, cid); f != nil {
				return f
			}
		}
		return nil
	}
	return walk(m.root, "")
}

// decodeRaw accepts base64url with or without padding, and standard base64.
func decodeRaw(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
