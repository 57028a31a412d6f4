package gmail

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
	"google.golang.org/api/gmail/v1"

	"github.com/caseyos/caseyos/backend"
)

// Bounds on the work one message's body costs, whatever its sender built.
const (
	// maxBodyRead is how much text is decoded from one message, all parts
	// together: twice what a signal keeps (backend.MaxText), so that the
	// reply and its quoted history are both cut by Normalize, not here.
	maxBodyRead = 2 * backend.MaxText
	// maxMIMEDepth is how deep nested multiparts are followed; real mail
	// nests three or four deep (mixed → related → alternative → text).
	maxMIMEDepth = 16
)

// messageText is the readable text of a message payload in format=full:
// the text/plain alternative when there is one, else the text/html one
// turned into text, over every inline part of a multipart/mixed or
// related; attachments and parts Gmail serves only by attachmentId are
// skipped (fetching them would cost another request each). At most
// maxBodyRead bytes of text are decoded. A part that cannot be decoded
// gives what could be read of it; nothing here fails.
//
// Gmail has already undone the Content-Transfer-Encoding of body.data
// (its headers still name it), but not the charset.
func messageText(p *gmail.MessagePart) string {
	b := &textBudget{left: maxBodyRead}
	return strings.TrimSpace(b.part(p, 0).text)
}

// reportText is the text of a delivery report (a bounce) under the same
// bounds: its text/plain and message/delivery-status parts.
func reportText(p *gmail.MessagePart) string {
	b := &textBudget{left: maxBodyRead, reports: true}
	return strings.TrimSpace(b.part(p, 0).text)
}

type textBudget struct {
	left    int
	reports bool // read message/delivery-status parts as text
}

// partText is a part's text and whether it came from HTML (an
// alternative prefers text that did not).
type partText struct {
	text     string
	fromHTML bool
}

func (b *textBudget) part(p *gmail.MessagePart, depth int) partText {
	if p == nil || depth > maxMIMEDepth || b.left <= 0 || isAttachment(p) {
		return partText{}
	}
	mt, params := mediaType(p)
	switch {
	case mt == "multipart/alternative":
		// The richest form comes last: take the last alternative that is
		// not HTML, else the last HTML one. HTML parts are decoded only
		// when no other alternative has text.
		var fallback partText
		for i := len(p.Parts) - 1; i >= 0; i-- {
			if cmt, _ := mediaType(p.Parts[i]); cmt == "text/html" {
				continue
			}
			t := b.part(p.Parts[i], depth+1)
			if strings.TrimSpace(t.text) == "" {
				continue
			}
			if !t.fromHTML {
				return t
			}
			if fallback.text == "" {
				fallback = t
			}
		}
		if fallback.text != "" {
			return fallback
		}
		for i := len(p.Parts) - 1; i >= 0; i-- {
			if cmt, _ := mediaType(p.Parts[i]); cmt != "text/html" {
				continue
			}
			if t := b.part(p.Parts[i], depth+1); strings.TrimSpace(t.text) != "" {
				return t
			}
		}
		return partText{}
	case strings.HasPrefix(mt, "multipart/"):
		// mixed, related, signed, report …: every inline text part, in order.
		var out []string
		fromHTML := false
		for _, c := range p.Parts {
			if t := b.part(c, depth+1); strings.TrimSpace(t.text) != "" {
				out = append(out, strings.TrimSpace(t.text))
				fromHTML = fromHTML || t.fromHTML
			}
		}
		return partText{text: strings.Join(out, "\n\n"), fromHTML: fromHTML}
	case mt == "text/plain" || mt == "text/html" || b.reports && mt == "message/delivery-status":
		raw := b.data(p, mt == "text/html")
		if len(raw) == 0 {
			return partText{}
		}
		if strings.EqualFold(strings.TrimSpace(partHeader(p, "Content-Transfer-Encoding")), "quoted-printable") && stillQP(raw) {
			raw = decodeQP(raw)
		}
		s := decodeCharset(raw, params["charset"])
		if mt == "text/html" {
			s = htmlText(s)
		}
		b.left -= len(s)
		return partText{text: s, fromHTML: mt == "text/html"}
	}
	return partText{}
}

// data decodes at most the budget's worth of a part's body.data (base64url,
// padded or not; standard base64 tolerated) without copying the rest of a
// large part. HTML may read up to four times the budget: its markup is not
// text.
func (b *textBudget) data(p *gmail.MessagePart, isHTML bool) []byte {
	if p.Body == nil || p.Body.Data == "" {
		return nil // empty, or served by attachmentId only
	}
	limit := b.left
	if isHTML {
		limit *= 4
	}
	s := p.Body.Data
	if n := (limit + 2) / 3 * 4; len(s) > n {
		s = s[:n]
	}
	s = strings.TrimRight(s, "=\r\n ")
	enc := base64.RawURLEncoding
	if strings.ContainsAny(s, "+/") {
		enc = base64.RawStdEncoding
	}
	dst := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(dst, []byte(s))
	if bad, ok := err.(base64.CorruptInputError); ok {
		// Keep everything before the first bad character, its last
		// quantum included.
		good := s[:bad]
		if len(good)%4 == 1 {
			good = good[:len(good)-1]
		}
		n, _ = enc.Decode(dst, []byte(good))
	}
	return dst[:min(n, limit)]
}

// isAttachment is a part the sender attached rather than wrote: a
// Content-Disposition of attachment, or a file name (inline images too).
func isAttachment(p *gmail.MessagePart) bool {
	if p.Filename != "" {
		return true
	}
	d, params, err := mime.ParseMediaType(partHeader(p, "Content-Disposition"))
	return err == nil && (d == "attachment" || params["filename"] != "") ||
		err != nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(partHeader(p, "Content-Disposition"))), "attachment")
}

// mediaType is the part's lower-case media type and the Content-Type
// parameters; Gmail's mimeType field wins, the header fills in.
func mediaType(p *gmail.MessagePart) (string, map[string]string) {
	ct := partHeader(p, "Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		params = map[string]string{}
		// A broken header still often names its charset.
		if m := charsetParam.FindStringSubmatch(ct); m != nil {
			params["charset"] = m[1]
		}
	}
	if p.MimeType != "" {
		mt = strings.ToLower(p.MimeType)
	}
	if mt == "" {
		mt = "text/plain" // RFC 2045's default
	}
	return mt, params
}

var charsetParam = regexp.MustCompile(`(?i)charset\s*=\s*"?([A-Za-z0-9._:\-]+)`)

func partHeader(p *gmail.MessagePart, name string) string {
	for _, h := range p.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// stillQP reports whether text a part labels quoted-printable was left
// encoded: only 7-bit bytes and a soft line break or an escaped "=" or
// 8-bit byte. Gmail serves the part decoded, and decoding twice would eat
// every "=XX" in the text ("?id=AB12" in a link); some relays and tools
// do pass the encoding through.
func stillQP(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return bytes.Contains(b, []byte("=\r\n")) || bytes.Contains(b, []byte("=\n")) || bytes.Contains(b, []byte("=3D")) ||
		qpUTF8.Match(b)
}

// qpUTF8 is an escaped two-byte UTF-8 sequence ("=C3=A9"), which decoded
// text cannot contain by accident the way it can "=AB" in a URL.
var qpUTF8 = regexp.MustCompile(`=[C-F][0-9A-F]=[89AB][0-9A-F]`)

// decodeQP decodes quoted-printable, keeping what was read before an
// error.
func decodeQP(b []byte) []byte {
	out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
	if err != nil && len(out) == 0 {
		return b
	}
	return out
}

// decodeCharset turns b into UTF-8 from the charset the part names. An
// unknown or missing charset reads as UTF-8 when the bytes are UTF-8, else
// as Windows-1252 (the usual mislabel); invalid bytes become U+FFFD.
func decodeCharset(b []byte, charset string) string {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"'`))
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if utf8.Valid(b) || cs != "" {
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		cs = "windows-1252"
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		if utf8.Valid(b) {
			return string(b)
		}
		enc, _ = htmlindex.Get("windows-1252")
	}
	s, _, err := transform.Bytes(enc.NewDecoder(), b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(s), "\uFFFD")
}

// htmlText turns an HTML body into the text a reader sees: no script,
// style or head, a line break for <br> and each block, the lines of a
// <blockquote> marked "> " as a plain-text client would quote them,
// entities decoded and runs of spaces collapsed outside <pre>. It streams
// tokens, so markup nested however deep costs no recursion.
func htmlText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var out strings.Builder
	var line strings.Builder
	skip, pre, quote := 0, 0, 0
	flush := func() {
		l := strings.TrimRight(line.String(), " ")
		line.Reset()
		if quote > 0 {
			l = strings.Repeat("> ", min(quote, 8)) + strings.TrimLeft(l, " ")
			l = strings.TrimRight(l, " ")
		}
		out.WriteString(l)
		out.WriteByte('\n')
	}
	for out.Len()+line.Len() < maxBodyRead {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		name, _ := z.TagName()
		a := atom.Lookup(name)
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript:
				if tt == html.StartTagToken {
					skip++
				}
			case atom.Br:
				flush()
			case atom.Pre:
				pre++
				fallthrough
			case atom.P, atom.Div, atom.Li, atom.Tr, atom.Table, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3,
				atom.H4, atom.H5, atom.H6, atom.Hr, atom.Dt, atom.Dd:
				if line.Len() > 0 {
					flush()
				}
				if a == atom.Li {
					line.WriteString("- ")
				}
			case atom.Blockquote:
				if line.Len() > 0 {
					flush()
				}
				quote++
			case atom.Td, atom.Th:
				if line.Len() > 0 {
					line.WriteByte(' ')
				}
			}
		case html.EndTagToken:
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript:
				if skip > 0 {
					skip--
				}
			case atom.Pre:
				if pre > 0 {
					pre--
				}
				fallthrough
			case atom.P, atom.Div, atom.Li, atom.Tr, atom.Table, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3,
				atom.H4, atom.H5, atom.H6, atom.Dt, atom.Dd:
				if line.Len() > 0 {
					flush()
				}
				if a == atom.P {
					out.WriteByte('\n')
				}
			case atom.Blockquote:
				if line.Len() > 0 {
					flush()
				}
				if quote > 0 {
					quote--
				}
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text()) // entities decoded
			if pre > 0 {
				for i, l := range strings.Split(t, "\n") {
					if i > 0 {
						flush()
					}
					line.WriteString(l)
				}
				continue
			}
			t = strings.ReplaceAll(t, "\u00a0", " ")
			if f := strings.Fields(t); len(f) > 0 {
				if line.Len() > 0 && (t[0] == ' ' || t[0] == '\n' || t[0] == '\t' || t[0] == '\r') && !strings.HasSuffix(line.String(), " ") {
					line.WriteByte(' ')
				}
				line.WriteString(strings.Join(f, " "))
				if c := t[len(t)-1]; c == ' ' || c == '\n' || c == '\t' || c == '\r' {
					line.WriteByte(' ')
				}
			}
		}
	}
	if line.Len() > 0 {
		flush()
	}
	return blankRuns.ReplaceAllString(strings.TrimSpace(out.String()), "\n\n")
}

var blankRuns = regexp.MustCompile(`\n[ \t]*(\n[ \t]*){2,}`)
