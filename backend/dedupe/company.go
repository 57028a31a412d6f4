package dedupe

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// CompanyRecord is a company as dedupe compares it.
type CompanyRecord struct {
	ID     string
	Name   string
	Domain string // a domain or a website
	Local  bool   // exists only in this workspace (an import)
	Filled int    // non-empty fields, for choosing the survivor
}

// CompanyPair is two companies that look like one; A is the one to keep
// (the CRM's over a local-only one, then the more complete, then the
// smaller id).
type CompanyPair struct {
	A, B     *CompanyRecord
	Score    float64
	Evidence []string
}

type preparedCompany struct {
	rec    *CompanyRecord
	key    string // CompanyKey of the name
	domain string
	label  string // the domain's name without its suffix ("acme" of acme.co.uk)
}

// domainLabel is the part of a domain a company chose: acme of
// www.acme.co.uk, acme.com and acme.io.
func domainLabel(d string) string {
	parts := strings.Split(d, ".")
	if len(parts) >= 3 && len(parts[len(parts)-1]) == 2 && len(parts[len(parts)-2]) <= 3 {
		return parts[len(parts)-3] // co.uk, com.au
	}
	if len(parts) >= 2 {
		return parts[len(parts)-2]
	}
	return d
}

// CompanyPairs returns the pairs of companies scoring at least minScore (0:
// DefaultThreshold), best first. Companies are blocked by domain, by name
// without its legal form, and by the first word of that name.
func CompanyPairs(recs []CompanyRecord, minScore float64) []CompanyPair {
	if minScore <= 0 {
		minScore = DefaultThreshold
	}
	ps := make([]preparedCompany, len(recs))
	blocks := map[string][]int{}
	for i := range recs {
		p := preparedCompany{rec: &recs[i], key: CompanyKey(recs[i].Name), domain: NormalizeDomain(recs[i].Domain)}
		if p.domain != "" {
			p.label = domainLabel(p.domain)
			blocks["d:"+p.domain] = append(blocks["d:"+p.domain], i)
			blocks["l:"+p.label] = append(blocks["l:"+p.label], i)
		}
		if p.key != "" {
			blocks["n:"+p.key] = append(blocks["n:"+p.key], i)
			blocks["l:"+strings.ReplaceAll(p.key, " ", "")] = append(blocks["l:"+strings.ReplaceAll(p.key, " ", "")], i)
			if f := strings.Fields(p.key)[0]; len(f) >= 4 {
				blocks["t:"+f[:4]] = append(blocks["t:"+f[:4]], i)
			}
		}
		ps[i] = p
	}
	seen := map[[2]int]bool{}
	var out []CompanyPair
	for _, b := range blocks {
		if len(b) > MaxBlock {
			continue
		}
		for x := 0; x < len(b); x++ {
			for y := x + 1; y < len(b); y++ {
				i, j := b[x], b[y]
				if i == j || seen[[2]int{i, j}] {
					continue
				}
				seen[[2]int{i, j}] = true
				if s, ev := compareCompanies(&ps[i], &ps[j]); s >= minScore {
					keep, merge := ps[i].rec, ps[j].rec
					if survivesCompany(merge, keep) {
						keep, merge = merge, keep
					}
					out = append(out, CompanyPair{A: keep, B: merge, Score: s, Evidence: ev})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].A.ID+"\x00"+out[i].B.ID < out[j].A.ID+"\x00"+out[j].B.ID
	})
	return out
}

// survivesCompany reports whether a should be kept over b.
func survivesCompany(a, b *CompanyRecord) bool {
	switch {
	case a.Local != b.Local:
		return !a.Local
	case a.Filled != b.Filled:
		return a.Filled > b.Filled
	}
	return a.ID < b.ID
}

// compareCompanies scores two companies as a logistic sum of evidence.
func compareCompanies(a, b *preparedCompany) (float64, []string) {
	w := -3.0
	var ev []string
	switch {
	case a.domain != "" && a.domain == b.domain:
		w += 6
		ev = append(ev, "same domain "+a.domain)
	case a.domain != "" && b.domain != "" && a.label == b.label:
		w += 1
		ev = append(ev, fmt.Sprintf("same name on another domain: %s, %s", a.domain, b.domain))
	case a.domain != "" && b.domain != "":
		w -= 4
	}
	nameless := strings.ReplaceAll(a.key, " ", "")
	switch {
	case a.key == "" || b.key == "":
	case a.key == b.key:
		w += 4.5
		ev = append(ev, fmt.Sprintf("'%s' ~ '%s'", a.rec.Name, b.rec.Name))
	case nameless == strings.ReplaceAll(b.key, " ", ""):
		w += 4
		ev = append(ev, fmt.Sprintf("'%s' ~ '%s'", a.rec.Name, b.rec.Name))
	case Levenshtein(a.key, b.key, 1) <= 1 && min(len(a.key), len(b.key)) >= 5:
		w += 2.5
		ev = append(ev, fmt.Sprintf("'%s' ~ '%s' (typo)", a.rec.Name, b.rec.Name))
	case a.domain != "" && (nameless == a.label || strings.ReplaceAll(b.key, " ", "") == b.label) && (nameless == b.label || strings.ReplaceAll(b.key, " ", "") == a.label):
		w += 2
		ev = append(ev, fmt.Sprintf("'%s' ~ '%s' (the domain's name)", a.rec.Name, b.rec.Name))
	default:
		w -= 3
	}
	return 1 / (1 + math.Exp(-w)), ev
}
