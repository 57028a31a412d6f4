package dedupe

import "testing"

func TestCompanyPairs(t *testing.T) {
	recs := []CompanyRecord{
		{ID: "co-1", Name: "Acme, Inc.", Domain: "acme.com", Filled: 5},
		{ID: "import:acme.com", Name: "ACME", Domain: "https://www.acme.com/about", Local: true, Filled: 9},
		{ID: "co-2", Name: "Acme Corporation"},
		{ID: "co-3", Name: "Apex Labs", Domain: "apexlabs.io"},
		{ID: "co-4", Name: "Apex", Domain: "apex.com"},            // another company
		{ID: "co-5", Name: "Globex GmbH", Domain: "globex.de"},    //
		{ID: "co-6", Name: "Globex", Domain: "globex.com"},        // same name, another TLD
		{ID: "co-7", Name: "Initech LLC"},                         //
		{ID: "import:name:initech", Name: "Initech", Local: true}, // same name, no domains
	}
	got := map[[2]string]float64{}
	for _, p := range CompanyPairs(recs, 0.01) {
		got[[2]string{p.A.ID, p.B.ID}] = p.Score
	}
	want := []struct {
		keep, merge string
		dup         bool
	}{
		{"co-1", "import:acme.com", true}, // the CRM's record is kept
		{"co-1", "co-2", true},            // Acme Corporation: the legal form does not count
		{"co-7", "import:name:initech", true},
		{"co-5", "co-6", true}, // one name on two national domains: one account in a CRM
	}
	for _, w := range want {
		s, ok := got[[2]string{w.keep, w.merge}]
		if !ok {
			t.Errorf("pair %s ← %s not found (%v)", w.keep, w.merge, got)
			continue
		}
		if (s >= DefaultThreshold) != w.dup {
			t.Errorf("pair %s ← %s score %.3f, want duplicate %v", w.keep, w.merge, s, w.dup)
		}
	}
	for k, s := range got {
		if (k[0] == "co-3" || k[1] == "co-3" || k[0] == "co-4" || k[1] == "co-4") && s >= DefaultThreshold {
			t.Errorf("Apex Labs and Apex paired: %v %.3f", k, s)
		}
	}
}
