package dedupe

import (
	"strings"
	"testing"
	"time"
)

func TestCompare_Noise(t *testing.T) {
	acme := func(name, email, phone string) *Record {
		return &Record{Name: name, Email: email, Phone: phone, CompanyName: "Acme", CompanyDomain: "acme.com"}
	}
	tests := []struct {
		name     string
		a, b     *Record
		dup      bool
		evidence string // a piece of the evidence, when dup
	}{
		{"Nickname", acme("Robert Miller", "rmiller@acme.com", ""), acme("Bob Miller", "bob.miller@gmail.com", ""), true, "(nickname)"},
		{"NicknameBill", acme("William Chen", "", "+1 415 555 0100"), &Record{Name: "Bill Chen", Phone: "(415) 555-0100"}, true, "same phone +14155550100"},
		{"NicknameLiz", acme("Elizabeth Warren", "liz@acme.com", ""), acme("Liz Warren", "", ""), true, "(nickname)"},
		{"Diacritics", acme("José García", "jose@acme.com", ""), acme("Jose Garcia", "", ""), true, "same company domain acme.com"},
		{"Transliteration", acme("Jürgen Müller", "", "+49 30 1234567"), &Record{Name: "Juergen Mueller", Phone: "0049 (0)30 123 4567"}, true, "same name"},
		{"TransliterationUmlautDropped", acme("Jürgen Müller", "jm@acme.com", ""), acme("Jurgen Muller", "", ""), true, "jurgen muller"},
		{"Swapped", acme("John Smith", "john.smith@acme.com", ""), acme("Smith, John", "", ""), true, "same name"},
		{"SwappedNoComma", acme("Anna Kowalski", "anna@acme.com", ""), acme("Kowalski Anna", "", ""), true, "first and last swapped"},
		{"Initial", acme("Jonathan Taylor", "jonathan@acme.com", ""), acme("J. Taylor", "", ""), true, "(initial)"},
		{"TypoJaroWinkler", &Record{Name: "John Smith", Phone: "555-201-3344"}, &Record{Name: "Jon Smyth", Phone: "+1 (555) 201 3344"}, true, "jon smyth"},
		{"TypoTransposed", acme("Catherine Jenkins", "cj@acme.com", ""), acme("Catherine Jeknins", "", ""), true, "(typo)"},
		{"PlusAddressing", &Record{Name: "Dana Scully", Email: "dana+crm@fbi.gov"}, &Record{Name: "D. Scully", Email: "Dana@FBI.gov"}, true, "same mailbox"},
		{"GmailDots", &Record{Name: "Fox Mulder", Email: "fox.mulder@gmail.com"}, &Record{Name: "Fox Mulder", Email: "foxmulder@googlemail.com"}, true, "same mailbox"},
		{"SameEmailNoName", &Record{Email: "kim@acme.com"}, &Record{Name: "Kim Lee", Email: "kim@acme.com"}, true, "same email kim@acme.com"},
		{"WorkAndPersonalSameLocal", &Record{Name: "Priya Patel", Email: "priya.patel@acme.com"}, &Record{Name: "Priya Patel", Email: "priya.patel@gmail.com"}, true, "same address name"},
		{"AddressSpellsOutName", &Record{Name: "Priya Raman", Email: "priya@finchpay.com", CompanyName: "Finch Payments", CompanyDomain: "finchpay.com"},
			&Record{Name: "Priya R.", Email: "priya.raman@gmail.com"}, true, "priya.raman@gmail.com spells out 'priya raman'"},
		{"MiddleInitial", acme("Steven Robinson", "srobinson@acme.com", ""), acme("Steven M. Robinson", "", ""), true, "steven m robinson"},

		// Not duplicates.
		{"SameFirstNameSameCompany", acme("John Smith", "john.smith@acme.com", ""), acme("John Stone", "john.stone@acme.com", ""), false, ""},
		{"SameFirstNameSameCompanyNoEmail", acme("John Smith", "", ""), acme("John Stone", "", ""), false, ""},
		{"SameFirstNameSharedPhone", acme("John Smith", "", "+1 415 555 0100"), acme("John Stone", "", "415-555-0100"), false, ""},
		{"SameFirstNameTeamInbox", acme("John Smith", "info@acme.com", ""), acme("John Stone", "info@acme.com", ""), false, ""},
		{"Namesakes", &Record{Name: "James Brown", Email: "james.brown@globex.com", CompanyName: "Globex"}, &Record{Name: "James Brown", Email: "jbrown@initech.com", CompanyName: "Initech"}, false, ""},
		{"NamesakeNoOtherEvidence", &Record{Name: "Maria Garcia"}, &Record{Name: "Maria Garcia"}, false, ""},
		{"ColleaguesSameFamily", acme("Anna Kowalski", "anna@acme.com", ""), acme("Piotr Kowalski", "piotr@acme.com", ""), false, ""},
		{"DifferentInitials", acme("J. Smith", "", ""), acme("K. Smith", "", ""), false, ""},
		{"NumberedPlaceholders", acme("Test User 1", "", "+1 415 555 0100"), acme("Test User 2", "", "+1 415 555 0100"), false, ""},
		{"DigitsInNames", acme("First12050 Last12050", "", "+1 415 225 2050"), acme("First2050 Last2050", "", "+1 415 225 2050"), false, ""},
		{"NumberedNamesake", acme("John Smith", "john.smith@acme.com", ""), acme("John Smith", "john.smith2@acme.com", ""), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range [][2]*Record{{tt.a, tt.b}, {tt.b, tt.a}} {
				m := Compare(order[0], order[1], Options{})
				got := !m.Veto && m.Score >= DefaultThreshold
				if got != tt.dup {
					t.Fatalf("Compare(%q, %q) = %.3f (veto %v, evidence %q), want duplicate %v", order[0].Name, order[1].Name, m.Score, m.Veto, m.Evidence, tt.dup)
				}
				if tt.dup && !strings.Contains(strings.Join(m.Evidence, "; "), tt.evidence) {
					t.Errorf("Compare(%q, %q) evidence = %q, want it to say %q", order[0].Name, order[1].Name, m.Evidence, tt.evidence)
				}
				if m.Score < 0 || m.Score > 1 {
					t.Errorf("Compare score %v outside 0..1", m.Score)
				}
			}
		})
	}
}

// TestIndex_NeverProposesColleagues files many people called John at one
// company, with a switchboard number and the team inbox, and expects no
// pair of them proposed, from Pairs or from Match.
func TestIndex_NeverProposesColleagues(t *testing.T) {
	ix := NewIndex(Options{})
	lasts := []string{"Smith", "Stone", "Walker", "Baker", "Chen", "Novak", "Stein"}
	for i, l := range lasts {
		ix.Put(Record{ID: string(rune('a' + i)), Name: "John " + l, Email: "info@acme.com", Phone: "+1 415 555 0100", CompanyName: "Acme", CompanyDomain: "acme.com"})
	}
	for _, p := range ix.Pairs(0.01) {
		if p.Score >= DefaultThreshold {
			t.Errorf("Pairs proposed %q and %q (%.3f, %q)", p.A.Name, p.B.Name, p.Score, p.Evidence)
		}
	}
	if got := ix.Match("a", 0); len(got) != 0 {
		t.Errorf("Match(John Smith) = %d pairs, want none: %+v", len(got), got[0])
	}
}

func TestIndex_MatchIncremental(t *testing.T) {
	ix := NewIndex(Options{Country: "GB"})
	ix.Put(Record{ID: "h1", Name: "Robert Miller", Phone: "07700 900123", CompanyName: "Acme Ltd"})
	ix.Put(Record{ID: "h2", Name: "Alice Jones", Email: "alice@acme.co.uk"})
	ix.Put(Record{ID: "i1", Name: "Bob Miller", Phone: "+44 7700 900123", Local: true, Filled: 9})
	got := ix.Match("i1", 0)
	if len(got) != 1 {
		t.Fatalf("Match(i1) = %d pairs, want 1", len(got))
	}
	// The CRM's record survives a merge with a local-only one, however
	// complete the local one is.
	if got[0].A.ID != "h1" || got[0].B.ID != "i1" {
		t.Errorf("Match(i1) = keep %s merge %s, want keep h1 merge i1", got[0].A.ID, got[0].B.ID)
	}
	// A changed record is compared as it is now.
	ix.Put(Record{ID: "i1", Name: "Carla Miller", Phone: "+44 7700 900123", Local: true})
	if got := ix.Match("i1", 0); len(got) != 0 {
		t.Errorf("Match(i1) after a rename = %+v, want none", got)
	}
	ix.Remove("h1")
	if ix.Len() != 2 || ix.Record("h1") != nil {
		t.Errorf("after Remove(h1): Len %d, Record %v", ix.Len(), ix.Record("h1"))
	}
}

func TestSurvivor(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b Record
		keep string
	}{
		{"CRMOverLocal", Record{ID: "local", Local: true, Filled: 9}, Record{ID: "crm", Filled: 2}, "crm"},
		{"MostComplete", Record{ID: "a", Filled: 3}, Record{ID: "b", Filled: 5}, "b"},
		{"MostRecentActivity", Record{ID: "a", Filled: 3, LastActivity: now}, Record{ID: "b", Filled: 3, LastActivity: now.Add(-time.Hour)}, "a"},
		{"SmallerID", Record{ID: "b"}, Record{ID: "a"}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range [][2]*Record{{&tt.a, &tt.b}, {&tt.b, &tt.a}} {
				if keep, _ := Survivor(order[0], order[1]); keep.ID != tt.keep {
					t.Errorf("Survivor(%s, %s) = %s, want %s", order[0].ID, order[1].ID, keep.ID, tt.keep)
				}
			}
		})
	}
}

func TestPhone(t *testing.T) {
	tests := []struct{ in, country, want string }{
		{"(415) 555-0100", "", "+14155550100"},
		{"415.555.0100 x12", "US", "+14155550100"},
		{"1-415-555-0100", "US", "+14155550100"},
		{"+1 415 555 0100 ext. 7", "", "+14155550100"},
		{"0044 20 7946 0958", "US", "+442079460958"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"07700 900123", "GB", "+447700900123"},
		{"+49 (0)30 1234567", "", "+49301234567"}, // the trunk 0 written in brackets
		{"030 1234567", "DE", "+49301234567"},
		{"555-0100", "US", ""},
		{"call me", "", ""},
		{"", "", ""},
		{"+1234", "", ""},
	}
	for _, tt := range tests {
		if got := Phone(tt.in, tt.country); got != tt.want {
			t.Errorf("Phone(%q, %q) = %q, want %q", tt.in, tt.country, got, tt.want)
		}
	}
}

func TestParseEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Dana.Scully+work@Gmail.com", "danascully@gmail.com"},
		{"d.scully@googlemail.com", "dscully@gmail.com"},
		{"dana.scully+x@fbi.gov", "dana.scully@fbi.gov"},
		{"someone@hotmail.com", "someone@outlook.com"},
		{"not an email", ""},
		{"@x.com", ""},
		{"+tag@x.com", ""},
	}
	for _, tt := range tests {
		if got := ParseEmail(tt.in).Canonical; got != tt.want {
			t.Errorf("ParseEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseName(t *testing.T) {
	tests := []struct{ in, first, last string }{
		{"Dr. José García-Márquez Jr.", "jose", "garciamarquez"},
		{"Smith, John", "john", "smith"},
		{"Smith, Jr.", "smith", ""},
		{"O'Brien", "obrien", ""},
		{"ZOË  Müller", "zoe", "mueller"},
		{"J.Smith", "j", "smith"},
		{"\xff\xfeBad", "bad", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if n := ParseName(tt.in); n.First != tt.first || n.Last != tt.last {
			t.Errorf("ParseName(%q) = %q %q, want %q %q", tt.in, n.First, n.Last, tt.first, tt.last)
		}
	}
}

func TestJaroWinklerAndLevenshtein(t *testing.T) {
	if got := JaroWinkler("martha", "marhta"); got < 0.96 || got > 0.962 {
		t.Errorf("JaroWinkler(martha, marhta) = %v, want 0.961", got)
	}
	if got := JaroWinkler("dwayne", "duane"); got < 0.83 || got > 0.85 {
		t.Errorf("JaroWinkler(dwayne, duane) = %v, want 0.84", got)
	}
	for _, tt := range []struct {
		a, b string
		want int
	}{{"kitten", "sitting", 3}, {"smith", "smiht", 1}, {"", "abc", 3}, {"same", "same", 0}} {
		if got := Levenshtein(tt.a, tt.b, 5); got != tt.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := Levenshtein("abcdefgh", "hgfedcba", 2); got != 3 {
		t.Errorf("Levenshtein over the limit = %d, want limit+1 = 3", got)
	}
}
