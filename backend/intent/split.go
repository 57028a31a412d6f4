// Package intent reads an inbound email the way a founder would: what the
// sender wants (a meeting, a price, to stop hearing from us), how sure that
// reading is and which words decided it, and the things a reply can act on
// (the times they proposed, the questions they asked, seats and amounts).
// It runs offline, with no model to download, and imports only the
// standard library.
package intent

import (
	"regexp"
	"strings"
)

// Split separates what the sender wrote from the earlier messages the email
// quotes: the attribution line ("On Mon, 2 Dec 2026, Ana wrote:"), an
// Outlook header block ("-----Original Message-----", "From: … Sent: …"),
// and lines quoted with ">". The reply keeps the sender's signature; see
// StripSignature. Both parts are trimmed.
func Split(body string) (reply, quoted string) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	lines := strings.Split(body, "\n")
	cut := len(lines)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if quoteStart(t, lines, i) {
			cut = i
			break
		}
	}
	reply = strings.TrimSpace(firstLines(body, lines, cut))
	if cut < len(lines) {
		quoted = strings.TrimSpace(body[len(firstLines(body, lines, cut))+min(cut, 1):])
	}
	return reply, quoted
}

// firstLines is strings.Join(lines[:n], "\n") for lines =
// strings.Split(s, "\n"), without copying: the prefix of s that holds them.
func firstLines(s string, lines []string, n int) string {
	if n == 0 {
		return ""
	}
	off := n - 1
	for _, l := range lines[:n] {
		off += len(l)
	}
	return s[:off]
}

var (
	// "On Tue, Dec 1, 2026 at 9:14 AM Ana <ana@x.io> wrote:", also when a
	// mail client wrapped it over two lines, and the common translations.
	attribution = regexp.MustCompile(`(?i)^(on|am|le|el|il|op)\s.{0,200}\s(wrote|schrieb|a écrit|escribió|ha scritto|schreef)(\s.{0,200})?:$`)
	outlookSep  = regexp.MustCompile(`(?i)^-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|message d'origine)\s*-{2,}$`)
	headerFrom  = regexp.MustCompile(`(?i)^\*?(from|von|de)\s*:\*?\s+\S`)
	headerNext  = regexp.MustCompile(`(?i)^\*?(sent|date|gesendet|envoyé|to|subject)\s*:`)
)

func quoteStart(t string, lines []string, i int) bool {
	switch {
	case t == "":
		return false
	case strings.HasPrefix(t, ">"):
		// A quoted block, unless the reply itself goes on after it
		// (inline answers): then only a block that runs to the end is
		// history.
		for _, l := range lines[i:] {
			if s := strings.TrimSpace(l); s != "" && !strings.HasPrefix(s, ">") {
				return false
			}
		}
		return true
	case attribution.MatchString(t):
		return true
	case i+1 < len(lines) && attribution.MatchString(t+" "+strings.TrimSpace(lines[i+1])) && strings.HasPrefix(strings.ToLower(t), "on "):
		return true
	case outlookSep.MatchString(t), t == "________________________________":
		return true
	case headerFrom.MatchString(t) && i+1 < len(lines) && headerNext.MatchString(strings.TrimSpace(lines[i+1])):
		return true
	}
	return false
}
