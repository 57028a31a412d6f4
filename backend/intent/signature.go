package intent

import (
	"regexp"
	"strings"
)

var (
	// A closing on its own line: "Best,", "Thanks!", "Kind regards".
	closing = regexp.MustCompile(`(?i)^(best|best regards|best wishes|kind regards|warm regards|regards|many thanks|thanks|thank you|thanks again|thanks so much|thx|cheers|cordially|sincerely|yours|yours sincerely|all the best|talk soon|speak soon|br|mit freundlichen grüßen|viele grüße|beste grüße|gruß|grüße|cordialement|bien à vous|saludos|un saluto|cordiali saluti|atenciosamente|met vriendelijke groet)[\s,.!]*(-\s*\S.*)?$`)
	// Lines only a signature has: a phone number, an address alone, a
	// title line with separators, a mobile client's footer.
	sigLine  = regexp.MustCompile(`(?i)(^\+?[\d\s().-]{7,}$|^(tel|phone|mobile|cell|m|t|p|fax|e|email|web|www)[.:]\s|\S@\S+\.\S+$|\s\|\s|^https?://\S+$|^www\.\S+$|^sent from my |^get outlook for |^envoyé de mon |^von meinem .* gesendet)`)
	sentFrom = regexp.MustCompile(`(?i)^(sent from my |sent via |get outlook for |envoyé de mon |von meinem |enviado desde mi )`)
)

// mobileFooter says whether a line is a mail app's footer ("Sent from my
// iPhone").
func mobileFooter(l string) bool {
	l = strings.TrimSpace(l)
	if l == "" {
		return false
	}
	switch l[0] {
	case 'S', 's', 'G', 'g', 'E', 'e', 'V', 'v':
		return sentFrom.MatchString(l)
	}
	return false
}

// StripSignature removes the sender's sign-off and signature from a reply
// (the text Split returns): everything from a "-- " separator, a mobile
// footer ("Sent from my iPhone"), or a closing line ("Best,", "Kind
// regards") in the last lines; else a trailing block of name, title and
// contact lines. What is left is trimmed. A reply that would be empty
// without it keeps its text.
func StripSignature(reply string) string {
	reply = strings.ReplaceAll(reply, "\r\n", "\n")
	lines := strings.Split(reply, "\n")
	cut := len(lines)
	// The "-- " separator, or a mobile footer, anywhere.
	for i, l := range lines {
		t := strings.TrimRight(l, " \t")
		if t == "--" || l == "-- " || t == "—" || len(t) < 80 && mobileFooter(t) {
			cut = i
			break
		}
	}
	// A closing in the last lines, followed only by short lines.
	start := max(0, cut-10)
	for i := start; i < cut; i++ {
		t := strings.TrimSpace(lines[i])
		if i == 0 || len(t) > 60 || !closing.MatchString(t) {
			continue
		}
		short := true
		for _, l := range lines[i+1 : cut] {
			if len(strings.TrimSpace(l)) > 60 {
				short = false
				break
			}
		}
		if short {
			cut = i
			break
		}
	}
	// A trailing block of contact lines, and the name and title lines
	// above them up to a blank line.
	contact := false
	for cut > 1 {
		t := strings.TrimSpace(lines[cut-1])
		if t == "" || sigLine.MatchString(t) {
			contact = contact || t != ""
			cut--
			continue
		}
		break
	}
	if contact {
		i := cut
		for i > 1 && cut-i < 3 {
			t := strings.TrimSpace(lines[i-1])
			if t == "" || len(t) > 50 || strings.ContainsAny(t[len(t)-1:], ".?!") {
				break
			}
			i--
		}
		if i < cut && i > 0 && strings.TrimSpace(lines[i-1]) == "" {
			cut = i
		}
	}
	if cut > 1 && isNameLine(strings.TrimSpace(lines[cut-1])) && strings.TrimSpace(lines[cut-2]) == "" {
		cut--
	}
	out := strings.TrimSpace(firstLines(reply, lines, cut))
	if out == "" {
		return strings.TrimSpace(reply)
	}
	return out
}

// isNameLine says whether a line is a sender's name: one to four words,
// each capitalized (or an initial), nothing else.
func isNameLine(s string) bool {
	s = strings.TrimLeft(s, "-–— ")
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 4 || len(s) > 40 {
		return false
	}
	for _, w := range f {
		r := []rune(w)
		if !(r[0] >= 'A' && r[0] <= 'Z' || r[0] > 127) {
			return false
		}
		if strings.ContainsAny(w, "?!:;@0123456789,") || strings.HasSuffix(w, ".") && len(r) > 2 {
			return false
		}
	}
	return true
}
