package dedupe

import (
	"fmt"
	"math/rand"
	"strings"
)

// The labelled set the precision/recall test and the benchmark run on: a
// seeded generator of CRM contacts where some people appear two or three
// times with the noise real CRMs have (nicknames, typos, accents dropped,
// names swapped or reduced to an initial, addresses with +tags, Gmail
// dots and googlemail.com, a personal address next to the work one, phone
// numbers written differently, a company missing or spelt with its legal
// form) and hard non-duplicates (namesakes, colleagues with one given name,
// a shared switchboard number or team inbox).

var genFirst = strings.Fields(`James John Robert Michael William David Richard Joseph Thomas Charles
Christopher Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George
Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott
Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron José Adam
Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry Gerald
Harold Sean Austin Carl Arthur Lawrence Dylan Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert
Willie Alan Juan Wayne Elijah Randy Roy Vincent Ralph Eugene Russell Bobby Mason Philip Louis
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret
Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca
Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha
Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce
Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline
Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace
Zoë François Søren Björn Łukasz Renée Chloé André Jürgen Inés Noémie Zoltán Ágnes Håkon Thérèse
Priya Rahul Wei Mei Hiroshi Yuki Oluwaseun Chidi Ahmed Fatima Mohammed Aisha Ivan Olga Dmitri Svetlana`)

var genLast = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White
Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans
Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez
Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks
Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long
Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes
Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin
Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford
Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen
Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder
Mason Dixon Muñoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren
Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant
Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott
Müller Schröder Fischer Weiß Schäfer Köhler Böhm Krüger García Núñez López Sánchez Jiménez Pérez
O'Brien O'Connor McCarthy Kowalski Nowak Wiśniewski Dvořák Novák Horváth Nagy Søndergaard Lindqvist
Åberg Öberg Johansson Andersson Nilsson Larsen Jensen Dubois Lefèvre Moreau Girard Rousseau Bonnet
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Yamamoto Tanaka Suzuki Sato
Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Xu Singh Kumar Sharma Gupta Khan Ali Ivanov Petrov Okafor`)

var genSyl = strings.Fields(`ac me no va zen tri con flu ex cel ori on hal cy on ver ta lum in bri ght sum mit
qua nt ar ca dia pi vot ke stone blu ber ry ash ford lin ear vel o cit y nex us ter ra sol ace`)

type genPerson struct {
	first, last string
	company     int
	email       string
	personal    string
	phone       string // digits, national
	uk          bool
}

type genCompany struct {
	name, domain, legal string
	format              int // 0 first.last 1 flast 2 first 3 firstl
	switchboard         string
}

// genRecord is a generated record and the person it is.
type genRecord struct {
	Record
	person int
}

// asciiFold strips accents the way a person typing without them does
// ("Müller" → "Muller", unlike Fold).
func asciiFold(s string) string {
	rep := map[rune]string{'ä': "a", 'ö': "o", 'ü': "u", 'Ä': "A", 'Ö': "O", 'Ü': "U", 'ß': "ss", 'é': "e", 'è': "e", 'ê': "e",
		'á': "a", 'à': "a", 'í': "i", 'ó': "o", 'ú': "u", 'ñ': "n", 'ç': "c", 'ø': "o", 'å': "a", 'Å': "A", 'Ø': "O",
		'ł': "l", 'Ł': "L", 'ś': "s", 'ř': "r", 'ë': "e", 'Á': "A", 'É': "E", 'ş': "s", 'ő': "o"}
	var b strings.Builder
	for _, r := range s {
		if x, ok := rep[r]; ok {
			b.WriteString(x)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mailLocal(s string) string {
	return strings.NewReplacer("'", "", " ", "").Replace(strings.ToLower(asciiFold(s)))
}

func typo(r *rand.Rand, s string) string {
	b := []rune(s)
	if len(b) < 4 {
		return s
	}
	i := 1 + r.Intn(len(b)-2) // keep the first letter, as people do
	switch r.Intn(4) {
	case 0: // substitute
		b[i] = rune("aeiouyrnst"[r.Intn(10)])
	case 1: // delete
		b = append(b[:i], b[i+1:]...)
	case 2: // insert
		b = append(b[:i], append([]rune{b[i]}, b[i:]...)...)
	case 3: // swap neighbours
		b[i], b[i-1] = b[i-1], b[i]
	}
	return string(b)
}

var genNick = map[string][]string{}

func init() {
	for _, line := range strings.Split(strings.TrimSpace(nicknameGroups), "\n") {
		w := strings.Fields(line)
		for _, n := range w[1:] {
			genNick[w[0]] = append(genNick[w[0]], n)
		}
	}
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func formatPhone(r *rand.Rand, p genPerson) string {
	d := p.phone
	if p.uk {
		switch r.Intn(3) {
		case 0:
			return "+44 " + d[:4] + " " + d[4:]
		case 1:
			return "0" + d[:4] + " " + d[4:]
		}
		return "+44" + d
	}
	switch r.Intn(5) {
	case 0:
		return fmt.Sprintf("(%s) %s-%s", d[:3], d[3:6], d[6:])
	case 1:
		return fmt.Sprintf("%s-%s-%s", d[:3], d[3:6], d[6:])
	case 2:
		return fmt.Sprintf("+1 %s %s %s", d[:3], d[3:6], d[6:])
	case 3:
		return fmt.Sprintf("1.%s.%s.%s", d[:3], d[3:6], d[6:])
	}
	return d
}

// generate returns n labelled records: people, some of them more than
// once.
func generate(seed int64, n int) []genRecord {
	r := rand.New(rand.NewSource(seed))
	companies := make([]genCompany, n/25)
	usedDomain := map[string]bool{}
	for i := range companies {
		var name string
		for {
			name = ""
			for k := 0; k < 2+r.Intn(2); k++ {
				name += genSyl[r.Intn(len(genSyl))]
			}
			if !usedDomain[name] {
				break
			}
		}
		usedDomain[name] = true
		c := genCompany{name: title(name), domain: name + []string{".com", ".io", ".co", ".de", ".ai"}[r.Intn(5)], format: r.Intn(4)}
		c.legal = c.name + []string{" Inc.", ", Inc", " LLC", " GmbH", " Ltd"}[r.Intn(5)]
		if r.Intn(10) == 0 {
			c.switchboard = fmt.Sprintf("%03d555%04d", 200+r.Intn(700), r.Intn(10000))
		}
		companies[i] = c
	}
	usedEmail := map[string]bool{} // by canonical mailbox: no two people share one
	used := func(e string) bool { return usedEmail[ParseEmail(e).Canonical] }
	use := func(e string) { usedEmail[ParseEmail(e).Canonical] = true }
	firstZipf := rand.NewZipf(r, 1.07, 5, uint64(len(genFirst)-1))
	lastZipf := rand.NewZipf(r, 1.07, 20, uint64(len(genLast)-1))
	var out []genRecord
	person := 0
	add := func(rec Record) { out = append(out, genRecord{Record: rec, person: person}) }
	for len(out) < n {
		person++
		p := genPerson{first: genFirst[firstZipf.Uint64()], last: genLast[lastZipf.Uint64()], company: r.Intn(len(companies))}
		if r.Intn(20) == 0 {
			p.company = r.Intn(10) // a few big accounts with hundreds of contacts each
		}
		co := companies[p.company]
		f, l := mailLocal(p.first), mailLocal(p.last)
		local := []string{f + "." + l, f[:1] + l, f, f + l[:1]}[co.format]
		for k := 2; used(local + "@" + co.domain); k++ {
			local = []string{f + "." + l, f[:1] + l, f, f + l[:1]}[co.format] + fmt.Sprint(k)
		}
		p.email = local + "@" + co.domain
		use(p.email)
		pl := []string{f + "." + l, f + l, f + "." + l + fmt.Sprint(r.Intn(100)), f[:1] + l + fmt.Sprint(1950+r.Intn(55))}[r.Intn(4)]
		dom := []string{"gmail.com", "gmail.com", "yahoo.com", "outlook.com"}[r.Intn(4)]
		for used(pl + "@" + dom) {
			pl += fmt.Sprint(r.Intn(10))
		}
		p.personal = pl + "@" + dom
		use(p.personal)
		if r.Intn(2) == 0 {
			p.uk = r.Intn(10) == 0
			if p.uk {
				p.phone = fmt.Sprintf("7%09d", r.Intn(1e9))
			} else {
				p.phone = fmt.Sprintf("%03d%03d%04d", 200+r.Intn(700), 200+r.Intn(700), r.Intn(10000))
			}
		}
		base := Record{ID: fmt.Sprintf("c%d", len(out)+1), Name: p.first + " " + p.last, CompanyName: co.name, CompanyDomain: co.domain}
		if r.Intn(10) < 3 {
			base.Email = p.personal
		} else {
			base.Email = p.email
		}
		if p.phone != "" {
			base.Phone = formatPhone(r, p)
		} else if co.switchboard != "" && r.Intn(2) == 0 {
			base.Phone = co.switchboard // everyone at this company gives the main line
		}
		if r.Intn(100) == 0 {
			base.Email = "info@" + co.domain // a team inbox, shared
		}
		add(base)
		copies := 0
		switch x := r.Intn(100); {
		case x < 10:
			copies = 1
		case x < 11:
			copies = 2
		}
		for k := 0; k < copies && len(out) < n; k++ {
			d := base
			d.ID = fmt.Sprintf("c%d", len(out)+1)
			d.Local = r.Intn(2) == 0
			first, last := p.first, p.last
			name := first + " " + last
			switch x := r.Intn(20); {
			case x < 3:
				if ns := genNick[strings.ToLower(asciiFold(first))]; len(ns) > 0 {
					name = title(ns[r.Intn(len(ns))]) + " " + last
				}
			case x < 5:
				name = first + " " + typo(r, last)
			case x < 6:
				name = typo(r, first) + " " + last
			case x < 8:
				name = asciiFold(name)
			case x < 9:
				name = last + " " + first
			case x < 10:
				name = last + ", " + first
			case x < 11:
				name = first[:1] + ". " + last
			case x < 12:
				name = strings.ToUpper(name)
			case x < 13:
				name = first + " " + string("ABCDEFGHJKLMNPRST"[r.Intn(17)]) + ". " + last
			case x < 14:
				name = first
			}
			d.Name = name
			switch x := r.Intn(20); {
			case x < 4: // the other address
				if d.Email == p.email {
					d.Email = p.personal
				} else {
					d.Email = p.email
				}
			case x < 6:
				d.Email = strings.ToUpper(d.Email[:1]) + d.Email[1:]
			case x < 8:
				at := strings.IndexByte(d.Email, '@')
				d.Email = d.Email[:at] + "+" + []string{"news", "crm", "work", "1"}[r.Intn(4)] + d.Email[at:]
			case x < 9:
				if strings.HasSuffix(d.Email, "@gmail.com") {
					loc := strings.TrimSuffix(d.Email, "@gmail.com")
					if len(loc) > 3 {
						loc = loc[:2] + "." + loc[2:]
					}
					d.Email = loc + "@googlemail.com"
				}
			case x < 11:
				d.Email = ""
			}
			if d.Phone != "" {
				switch r.Intn(10) {
				case 0, 1, 2:
					d.Phone = ""
				case 3, 4, 5, 6:
					if p.phone != "" && d.Phone != co.switchboard {
						d.Phone = formatPhone(r, p)
					}
				}
			}
			switch r.Intn(10) {
			case 0:
				d.CompanyName, d.CompanyDomain = "", ""
			case 1, 2:
				d.CompanyName, d.CompanyDomain = co.legal, ""
			}
			add(d)
		}
	}
	return out[:n]
}
