package dedupe

import "strings"

// countryCodes are the calling codes of the default countries Phone
// understands, with the trunk prefix dialled before a national number and
// how many digits a national number has (without the trunk prefix).
var countryCodes = map[string]struct {
	code     string
	trunk    string
	min, max int
}{
	"US": {"1", "1", 10, 10}, "CA": {"1", "1", 10, 10},
	"GB": {"44", "0", 9, 10}, "DE": {"49", "0", 6, 11}, "FR": {"33", "0", 9, 9},
	"ES": {"34", "", 9, 9}, "IT": {"39", "", 6, 11}, "NL": {"31", "0", 9, 9},
	"AU": {"61", "0", 9, 9}, "IE": {"353", "0", 7, 9}, "IN": {"91", "0", 10, 10},
	"SE": {"46", "0", 7, 9}, "CH": {"41", "0", 9, 9}, "AT": {"43", "0", 4, 13},
	"BR": {"55", "0", 10, 11}, "MX": {"52", "", 10, 10}, "JP": {"81", "0", 9, 10},
}

// Phone returns the number in E.164 (+15551234567), reading a number
// without a country code as one of country (an ISO 3166 code: US, GB, DE…;
// "" is US). Spaces, dots, dashes, brackets and an extension ("x12",
// "ext. 12") are ignored; "00" before a number is the international prefix.
// A string that is not a phone number returns "".
func Phone(s, country string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Replace(s, "(0)", "", 1) // +49 (0)30: the trunk prefix, not dialled from abroad
	for _, ext := range []string{"ext", "x", "#", ";"} {
		if i := strings.LastIndex(s, ext); i > 0 {
			s = s[:i]
		}
	}
	var d strings.Builder
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d.WriteByte(c)
		case c == '+' && d.Len() == 0:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t':
		default:
			return "" // letters: not a number
		}
	}
	digits := d.String()
	if !plus && strings.HasPrefix(digits, "00") {
		plus, digits = true, digits[2:]
	}
	if plus {
		if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
			return ""
		}
		return "+" + digits
	}
	cc, ok := countryCodes[strings.ToUpper(country)]
	if !ok {
		cc = countryCodes["US"]
	}
	if cc.trunk != "" && strings.HasPrefix(digits, cc.trunk) && len(digits)-len(cc.trunk) >= cc.min && len(digits)-len(cc.trunk) <= cc.max {
		digits = digits[len(cc.trunk):]
	} else if cc.trunk == "" && strings.HasPrefix(digits, cc.code) && len(digits)-len(cc.code) >= cc.min && len(digits)-len(cc.code) <= cc.max {
		digits = digits[len(cc.code):]
	}
	if len(digits) < cc.min || len(digits) > cc.max {
		return ""
	}
	return "+" + cc.code + digits
}
