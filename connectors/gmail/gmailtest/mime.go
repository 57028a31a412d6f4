package gmailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"strings"
)

// Part is one MIME part of a message built by hand (Message.MIME), for the
// shapes real mail comes in: multipart/alternative with plain text and
// HTML, HTML alone, mixed with attachments, Latin-1, quoted-printable,
// base64. The fake renders the tree to RFC 5322, stores that, and parses
// it back the way Gmail does for format=full: each part's body.data is its
// content with the transfer encoding undone but in its own charset, and
// parts with a file name are served by attachmentId only.
type Part struct {
	// Type is the Content-Type with its parameters ("text/plain;
	// charset=ISO-8859-1"); "" = text/plain; charset=UTF-8. A multipart
	// type gets its boundary added.
	Type string
	// Encoding is the Content-Transfer-Encoding the body is written in:
	// base64, quoted-printable, 7bit, 8bit; "" = none said (8bit).
	Encoding string
	// Disposition is the Content-Disposition (`attachment;
	// filename="q.pdf"`, `inline`); "" = none.
	Disposition string
	// Body is a leaf's content in its own charset, before the transfer
	// encoding.
	Body []byte
	// Parts are a multipart's children.
	Parts []Part

	// How Gmail serves this part in format=full, where it varies:
	// ByAttachmentID serves body.attachmentId and size with no data, as
	// Gmail does for a file and for some large parts (a part with a file
	// name always is).
	ByAttachmentID bool
	// WireData, when not nil, is served as body.data verbatim: a server
	// sending what is not base64url.
	WireData *string
}

// Text is a text/plain part in UTF-8.
func Text(s string) Part { return Part{Type: "text/plain; charset=UTF-8", Body: []byte(s)} }

// HTML is a text/html part in UTF-8.
func HTML(s string) Part { return Part{Type: "text/html; charset=UTF-8", Body: []byte(s)} }

// Multipart is a multipart/<sub> part ("alternative", "mixed", "related").
func Multipart(sub string, parts ...Part) Part {
	return Part{Type: "multipart/" + sub, Parts: parts}
}

// Attachment is a file attached to a message.
func Attachment(name, ctype string, data []byte) Part {
	return Part{Type: ctype + `; name="` + name + `"`, Encoding: "base64",
		Disposition: `attachment; filename="` + name + `"`, Body: data}
}

// render writes p's headers and body; depth makes nested boundaries
// differ.
func (p Part) render(b *bytes.Buffer, depth int) {
	ct := p.Type
	if ct == "" {
		ct = "text/plain; charset=UTF-8"
	}
	boundary := ""
	if strings.HasPrefix(strings.ToLower(ct), "multipart/") {
		boundary = fmt.Sprintf("=_gmailtest_%d_%s", depth, randomHex(6))
		ct += `; boundary="` + boundary + `"`
	}
	fmt.Fprintf(b, "Content-Type: %s\r\n", ct)
	if p.Encoding != "" {
		fmt.Fprintf(b, "Content-Transfer-Encoding: %s\r\n", p.Encoding)
	}
	if p.Disposition != "" {
		fmt.Fprintf(b, "Content-Disposition: %s\r\n", p.Disposition)
	}
	b.WriteString("\r\n")
	if boundary != "" {
		if len(p.Parts) == 0 {
			b.WriteString("This is a multi-part message in MIME format.\r\n")
		}
		for _, c := range p.Parts {
			fmt.Fprintf(b, "--%s\r\n", boundary)
			c.render(b, depth+1)
			b.WriteString("\r\n")
		}
		fmt.Fprintf(b, "--%s--\r\n", boundary)
		return
	}
	switch strings.ToLower(p.Encoding) {
	case "base64":
		enc := base64.StdEncoding.EncodeToString(p.Body)
		for len(enc) > 76 {
			b.WriteString(enc[:76])
			b.WriteString("\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc)
	case "quoted-printable":
		w := quotedprintable.NewWriter(b)
		w.Write(p.Body)
		w.Close()
	default:
		b.Write(p.Body)
	}
}

// wire copies how each part is served from the tree it was built from to
// the parsed one; the two have the same shape.
func (p Part) wire(to *part) {
	to.byID = p.ByAttachmentID
	to.wireData = p.WireData
	for i := range p.Parts {
		if i < len(to.parts) {
			p.Parts[i].wire(to.parts[i])
		}
	}
}
