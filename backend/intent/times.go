package intent

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dates and times: the proposed windows of a meeting request (times) and
// the date a not_now or an out-of-office reply names (until). Everything
// resolves against the email's Received time in the sender's zone, by
// calendar arithmetic (time.Date), so a window keeps its wall-clock hours
// across a DST change.

const monthNames = `janvier|januar|january|jan|février|februar|february|feb|märz|march|mars|mar|avril|april|apr|mai|may|juin|juni|june|jun|juillet|juli|july|jul|août|august|aug|septembre|september|sept|sep|octobre|oktober|october|oct|novembre|november|nov|décembre|dezember|december|dec`

var months = map[string]time.Month{
	"jan": 1, "january": 1, "januar": 1, "janvier": 1,
	"feb": 2, "february": 2, "februar": 2, "février": 2,
	"mar": 3, "march": 3, "märz": 3, "mars": 3,
	"apr": 4, "april": 4, "avril": 4,
	"may": 5, "mai": 5,
	"jun": 6, "june": 6, "juni": 6, "juin": 6,
	"jul": 7, "july": 7, "juli": 7, "juillet": 7,
	"aug": 8, "august": 8, "août": 8,
	"sep": 9, "sept": 9, "september": 9, "septembre": 9,
	"oct": 10, "october": 10, "oktober": 10, "octobre": 10,
	"nov": 11, "november": 11, "novembre": 11,
	"dec": 12, "december": 12, "dezember": 12, "décembre": 12,
}

const weekdayNames = `monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|saturday|sunday`

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tues": time.Tuesday, "tue": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thurs": time.Thursday, "thur": time.Thursday, "thu": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sunday": time.Sunday,
}

var (
	// "Dec 10", "December 14th, 2026", "Monday, December 14" (the
	// weekday is matched on its own).
	dateMonthDay = regexp.MustCompile(`\b(` + monthNames + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?`)
	// "10 December", "4 January 2027", "the 5th of March".
	dateDayMonth = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(` + monthNames + `)\b\.?(?:\s+(\d{4})\b)?`)
	// "04.01.2027", "28.12." (day first).
	dateDotted = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?`)
	// "15/12", "12/15/2026".
	dateSlashed = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b`)
	dateISO     = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	// A day relative to the email, or a weekday.
	dayWord = regexp.MustCompile(`\b(?:(day after tomorrow)|(today|tonight|this afternoon|this morning|this evening)|(tomorrow|tmrw|tmr)|((?:early |later |end of |the end of |the |)(?:this|next|coming|following) week)|(?:(this|next|coming) )?(` + weekdayNames + `)s?)\b`)
	weekOf  = regexp.MustCompile(`\b(?:the )?week of\s+$`)
	theNth  = regexp.MustCompile(`\b(?:(` + weekdayNames + `),?\s+)?(?:on )?the (\d{1,2})(?:st|nd|rd|th)\b`)
	// What ties a weekday to next week, and the words of a list of days.
	nextWeekAfter = regexp.MustCompile(`^,?\s+(?:of\s+)?(?:the\s+)?(?:next|following|coming) week\b`)
	listJoin      = regexp.MustCompile(`^\s*(?:,|or|and|/|&|or maybe|and/or)\s*$`)
	// A deadline, not a proposal: "by Friday", "our trial ends Friday".
	deadline = regexp.MustCompile(`\b(by|until|till|since|last|ends?|ending|ended|before|due|through|thru|from|to|on leave|back|return|returning)\s+(?:on\s+)?$`)

	meetingWords = regexp.MustCompile(`\b(call|meet|meeting|chat|talk|free|available|demo|zoom|sync|slot|time)\b`)

	clauseEnd = regexp.MustCompile(`[!?;\n]+|\.(?:\s|$)`)

	timeRange  = regexp.MustCompile(`\b(?:between\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*(?:-|–|to|until|and)\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h\b|uhr)?`)
	timeAfter  = regexp.MustCompile(`\b(?:any ?time |anytime |)(after|from|past)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?`)
	timeBefore = regexp.MustCompile(`\b(before|until|till|by)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?`)
	timeExact  = regexp.MustCompile(`(?:\b(?:at|@|around|~)\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h\b|uhr)?|\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b|\b(noon|midday)\b)`)
	dayPart    = regexp.MustCompile(`\b(morning|afternoon|evening|lunch ?time|lunch|eod|end of (?:the )?day)s?\b`)

	zoneAbbrev = regexp.MustCompile(`\b(ET|EST|EDT|PT|PST|PDT|CT|CST|CDT|MT|MST|MDT|CET|CEST|GMT|UTC|BST|IST|JST|AEST|AEDT|SGT)\b`)
	zoneWord   = regexp.MustCompile(`(?i)\b(eastern|pacific|central|mountain|berlin|paris|london|new york|tokyo|singapore|sydney|madrid|rome|amsterdam|stockholm|zurich|vienna|warsaw|lisbon|dublin|india|uk|beijing|china|shanghai|hong kong|seoul|dubai|moscow|istanbul|helsinki|oslo|copenhagen|brussels|prague|budapest|bangalore|mumbai|delhi|jakarta|manila|auckland|melbourne|toronto|chicago|denver|los angeles|seattle|san francisco|sao paulo|são paulo|buenos aires|mexico city|bogota|lima|santiago|cairo|lagos|nairobi|johannesburg|tel aviv)(?: standard| daylight)? time\b|\b(eastern|pacific)\b`)
)

// Guards: whether a reply can name a day at all.
var (
	dayGuards   = []*matcher{guard(dateMonthDay), guard(dateDayMonth), guard(dayWord)}
	untilGuards = []*matcher{guard(untilMonth), guard(untilRelative)}
)

func anyMay(p present, ms []*matcher) bool {
	for _, m := range ms {
		if p.may(m) {
			return true
		}
	}
	return false
}

var zones = map[string]string{
	"et": "America/New_York", "est": "America/New_York", "edt": "America/New_York", "eastern": "America/New_York", "new york": "America/New_York",
	"pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pacific": "America/Los_Angeles",
	"ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago", "central": "America/Chicago",
	"mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver", "mountain": "America/Denver",
	"cet": "Europe/Berlin", "cest": "Europe/Berlin", "berlin": "Europe/Berlin", "paris": "Europe/Paris", "madrid": "Europe/Madrid",
	"rome": "Europe/Rome", "amsterdam": "Europe/Amsterdam", "stockholm": "Europe/Stockholm", "zurich": "Europe/Zurich",
	"vienna": "Europe/Vienna", "warsaw": "Europe/Warsaw", "lisbon": "Europe/Lisbon", "dublin": "Europe/Dublin",
	"gmt": "UTC", "utc": "UTC", "bst": "Europe/London", "london": "Europe/London", "uk": "Europe/London",
	"ist": "Asia/Kolkata", "india": "Asia/Kolkata", "jst": "Asia/Tokyo", "tokyo": "Asia/Tokyo", "sgt": "Asia/Singapore",
	"singapore": "Asia/Singapore", "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "sydney": "Australia/Sydney",
	"beijing": "Asia/Shanghai", "china": "Asia/Shanghai", "shanghai": "Asia/Shanghai", "hong kong": "Asia/Hong_Kong",
	"seoul": "Asia/Seoul", "dubai": "Asia/Dubai", "moscow": "Europe/Moscow", "istanbul": "Europe/Istanbul",
	"helsinki": "Europe/Helsinki", "oslo": "Europe/Oslo", "copenhagen": "Europe/Copenhagen", "brussels": "Europe/Brussels",
	"prague": "Europe/Prague", "budapest": "Europe/Budapest", "bangalore": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
	"delhi": "Asia/Kolkata", "jakarta": "Asia/Jakarta", "manila": "Asia/Manila", "auckland": "Pacific/Auckland",
	"melbourne": "Australia/Melbourne", "toronto": "America/Toronto", "chicago": "America/Chicago", "denver": "America/Denver",
	"los angeles": "America/Los_Angeles", "seattle": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
	"sao paulo": "America/Sao_Paulo", "são paulo": "America/Sao_Paulo", "buenos aires": "America/Argentina/Buenos_Aires",
	"mexico city": "America/Mexico_City", "bogota": "America/Bogota", "lima": "America/Lima", "santiago": "America/Santiago",
	"cairo": "Africa/Cairo", "lagos": "Africa/Lagos", "nairobi": "Africa/Nairobi", "johannesburg": "Africa/Johannesburg",
	"tel aviv": "Asia/Jerusalem",
}

// span is a match inside a clause.
type span struct{ start, end int }

func (s span) gap(o span) int {
	switch {
	case o.start >= s.end:
		return o.start - s.end
	case s.start >= o.end:
		return s.start - o.end
	}
	return 0
}

// dayRef is a day (or a week) a clause names.
type dayRef struct {
	span
	date time.Time // midnight of the day (the Monday for a week)
	week int       // 0 a day; else how many weekdays from date (5 a week, 2 "early")
	// today: "today" said without a time, which is as often "these days"
	// ("we're 55 engineers today") as a proposal.
	today bool
}

// timeRef is a time of day a clause names, in minutes after midnight.
type timeRef struct {
	span
	from, to int // to < 0: from + 30 minutes
}

// times returns the windows the reply proposes, at most ten. Days and
// times are found in the lower-cased reply; a time belongs to the nearest
// day of its clause (a sentence, or a line).
func times(t *text) []When {
	if !anyMay(t.present, dayGuards) {
		return nil
	}
	lower, reply := t.lreply, t.reply
	days := findDays(lower, t.now, t.present)
	if len(days) == 0 {
		return nil
	}
	ends := clauseEnd.FindAllStringIndex(lower, -1)
	clauseOf := func(pos int) int {
		return sort.Search(len(ends), func(i int) bool { return ends[i][0] >= pos })
	}
	tms := findTimes(lower)
	assigned := make(map[int][]timeRef)
	for _, tm := range tms {
		c := clauseOf(tm.start)
		best, bestGap := -1, 1<<30
		for i, d := range days {
			if clauseOf(d.start) != c {
				continue
			}
			if g := d.gap(tm.span); g < bestGap {
				best, bestGap = i, g
			}
		}
		if best >= 0 && bestGap <= 40 {
			assigned[best] = append(assigned[best], tm)
		}
	}
	var out []When
	zoneOf := map[int]*time.Location{}
	for i, d := range days {
		c := clauseOf(d.start)
		loc, ok := zoneOf[c]
		if !ok {
			from, to := 0, len(reply)
			if c > 0 {
				from = ends[c-1][1]
			}
			if c < len(ends) {
				to = ends[c][0]
			}
			loc = t.loc
			if z := zoneIn(reply[from:to]); z != nil {
				loc = z
			}
			zoneOf[c] = loc
		}
		y, mo, dd := d.date.Date()
		day := func(off, minutes int) time.Time {
			return time.Date(y, mo, dd+off, 0, minutes, 0, 0, loc)
		}
		textOf := func(s span) string {
			return strings.TrimSpace(reply[min(d.start, s.start):max(d.end, s.end)])
		}
		switch {
		case d.week > 0:
			out = append(out, When{Start: day(0, 9*60), End: day(d.week-1, 17*60), Text: textOf(d.span)})
		case len(assigned[i]) == 0:
			if d.today && !meetingWords.MatchString(lower[max(0, d.start-60):min(len(lower), d.end+60)]) {
				continue
			}
			out = append(out, When{Start: day(0, 9*60), End: day(0, 17*60), Text: textOf(d.span)})
		default:
			for _, tm := range assigned[i] {
				to := tm.to
				if to < 0 {
					to = tm.from + 30
				}
				out = append(out, When{Start: day(0, tm.from), End: day(0, to), Text: textOf(tm.span)})
			}
		}
		if len(out) >= 10 {
			return out[:10]
		}
	}
	return out
}

func zoneIn(clause string) *time.Location {
	name := ""
	if !strings.Contains(clause, "T") && !strings.Contains(clause, "time") && !strings.Contains(clause, "ern") && !strings.Contains(clause, "acific") {
		return nil
	}
	if m := zoneAbbrev.FindStringSubmatch(clause); m != nil {
		name = strings.ToLower(m[1])
	} else if m := zoneWord.FindStringSubmatch(clause); m != nil {
		name = strings.ToLower(m[1] + m[2])
	}
	if name == "" {
		return nil
	}
	return loadZone(zones[name])
}

// loaded caches time.LoadLocation, which reads the zoneinfo database on
// every call: IANA name → *time.Location (nil: not found).
var loaded sync.Map

func loadZone(name string) *time.Location {
	if l, ok := loaded.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	loaded.Store(name, l)
	return l
}

// findDays returns the days and weeks a lower-cased text names, in order.
func findDays(clause string, now time.Time, p present) []dayRef {
	var out []dayRef
	taken := func(s span) bool {
		for _, d := range out {
			if s.start < d.end && d.start < s.end {
				return true
			}
		}
		return false
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	// Explicit dates first: "Dec 10", "14 December".
	digits := strings.ContainsAny(clause, "0123456789")
	for i, re := range []*regexp.Regexp{dateMonthDay, dateDayMonth} {
		if !digits || !p.may(dayGuards[i]) {
			continue
		}
		for _, m := range p.findAll(dayGuards[i], clause, 10) {
			s := span{m[0], m[1]}
			if taken(s) {
				continue
			}
			d, ok := explicitDate(clause, m, re == dateDayMonth, today)
			if !ok {
				continue
			}
			ref := dayRef{span: s, date: d}
			if weekOf.MatchString(clause[max(0, m[0]-20):m[0]]) {
				i := strings.LastIndex(strings.ToLower(clause[:m[0]]), "week")
				if j := strings.LastIndex(strings.ToLower(clause[:i]), "the "); j >= 0 && j >= i-4 {
					i = j
				}
				ref.start = i
				ref.date = monday(d)
				ref.week = 5
			} else if deadline.MatchString(clause[max(0, m[0]-24):m[0]]) {
				continue
			}
			out = append(out, ref)
		}
	}
	// "Wednesday the 16th", "on the 16th": that day of this month, or of
	// the next when it has passed.
	if digits {
		for _, m := range theNth.FindAllStringSubmatchIndex(clause, 6) {
			s := span{m[0], m[1]}
			if taken(s) {
				continue
			}
			d, _ := strconv.Atoi(clause[m[4]:m[5]])
			t := time.Date(today.Year(), today.Month(), d, 0, 0, 0, 0, today.Location())
			if t.Before(today) {
				t = time.Date(today.Year(), today.Month()+1, d, 0, 0, 0, 0, today.Location())
			}
			if d < 1 || d > 31 || t.Day() != d {
				continue
			}
			out = append(out, dayRef{span: s, date: t})
		}
	}
	if !p.may(dayGuards[2]) {
		m := out
		sort.SliceStable(m, func(i, j int) bool { return m[i].start < m[j].start })
		return m
	}
	lastMod, lastEnd := "", 0
	for _, m := range p.findAll(dayGuards[2], clause, 10) {
		s := span{m[0], m[1]}
		// "Tuesday, 8 December": the date says it.
		if taken(s) || taken(span{s.start, s.end + 3}) {
			continue
		}
		g := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return strings.ToLower(clause[m[2*i]:m[2*i+1]])
		}
		ref := dayRef{span: s}
		if g(4) == "" && deadline.MatchString(clause[max(0, m[0]-24):m[0]]) {
			continue
		}
		switch {
		case g(1) != "":
			ref.date = today.AddDate(0, 0, 2)
		case g(2) != "":
			ref.date, ref.today = today, g(2) == "today"
		case g(3) != "":
			ref.date = today.AddDate(0, 0, 1)
		case g(4) != "":
			w := g(4)
			mon := monday(today)
			switch {
			case strings.Contains(w, "this"):
				ref.date, ref.week = today, int(time.Friday-today.Weekday())+1
				if today.Weekday() == time.Saturday || today.Weekday() == time.Sunday {
					ref.date, ref.week = mon.AddDate(0, 0, 7), 5
				}
				if strings.HasPrefix(w, "end of") || strings.HasPrefix(w, "the end of") || strings.HasPrefix(w, "later") {
					ref.date, ref.week = mon.AddDate(0, 0, 3), 2
				}
			default: // next, coming, following
				ref.date, ref.week = mon.AddDate(0, 0, 7), 5
				if strings.HasPrefix(w, "early") {
					ref.week = 2
				} else if strings.HasPrefix(w, "end of") || strings.HasPrefix(w, "the end of") || strings.HasPrefix(w, "later") {
					ref.date, ref.week = mon.AddDate(0, 0, 10), 2
				}
			}
			if ref.week <= 0 {
				continue
			}
		default:
			wd := weekdays[g(6)]
			mod := g(5)
			// "Tuesday next week", "Tuesday of next week".
			if w := nextWeekAfter.FindStringIndex(clause[m[1]:]); w != nil {
				mod, ref.end = "next", m[1]+w[1]
			}
			// "next Tuesday or Wednesday": the list shares its "next".
			if mod == "" && lastMod == "next" && listJoin.MatchString(clause[lastEnd:m[0]]) {
				mod = "next"
			}
			lastMod, lastEnd = mod, ref.end
			ref.date = nextWeekday(today, wd, mod)
		}
		out = append(out, ref)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// nextWeekday resolves a weekday: plain or "coming" is the first such day
// after today (a week on when today is that day), "this" may be today,
// "next" is that day in next week.
func nextWeekday(today time.Time, wd time.Weekday, mod string) time.Time {
	switch mod {
	case "next":
		return monday(today).AddDate(0, 0, 7+(int(wd)+6)%7)
	case "this":
		return today.AddDate(0, 0, (int(wd)-int(today.Weekday())+7)%7)
	}
	d := (int(wd) - int(today.Weekday()) + 7) % 7
	if d == 0 {
		d = 7
	}
	return today.AddDate(0, 0, d)
}

// monday returns the Monday of d's week (weeks start on Monday).
func monday(d time.Time) time.Time {
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// explicitDate reads a dateMonthDay or dateDayMonth match; a date without
// a year is the next one on or after today.
func explicitDate(s string, m []int, dayFirst bool, today time.Time) (time.Time, bool) {
	g := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return strings.ToLower(s[m[2*i]:m[2*i+1]])
	}
	if rest := s[m[1]:]; strings.HasPrefix(rest, ":") || len(rest) > 1 && rest[0] == '.' && rest[1] >= '0' && rest[1] <= '9' {
		return time.Time{}, false // "December 14:00" is a time
	}
	mon, day := g(1), g(2)
	if dayFirst {
		mon, day = g(2), g(1)
	}
	return makeDate(today, months[mon], day, g(3))
}

func makeDate(today time.Time, mon time.Month, day, year string) (time.Time, bool) {
	d, err := strconv.Atoi(day)
	if err != nil || mon == 0 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	y := today.Year()
	if year != "" {
		y, _ = strconv.Atoi(year)
		if y < 100 {
			y += 2000
		}
	}
	t := time.Date(y, mon, d, 0, 0, 0, 0, today.Location())
	if t.Day() != d {
		return time.Time{}, false // 31 February
	}
	if year == "" && t.Before(today) {
		t = t.AddDate(1, 0, 0)
	}
	return t, true
}

// findTimes returns the times of day a lower-cased text names.
func findTimes(clause string) []timeRef {
	var out []timeRef
	if !strings.ContainsAny(clause, "0123456789") && !strings.Contains(clause, "noon") && !strings.Contains(clause, "midday") {
		return dayParts(clause, out)
	}
	taken := func(s span) bool {
		for _, x := range out {
			if s.start < x.end && x.start < s.end {
				return true
			}
		}
		return false
	}
	for _, m := range timeRange.FindAllStringSubmatchIndex(clause, 6) {
		g := subs(clause, m)
		if g[3] == "" && g[6] == "" && g[2] == "" && g[5] == "" && !strings.HasPrefix(g[0], "between") {
			continue // "2-3 weeks"
		}
		h1, ok1 := hour(g[1], g[2], g[3], g[6])
		h2, ok2 := hour(g[4], g[5], g[6], "")
		if !ok1 || !ok2 {
			continue
		}
		if h1 >= h2 && g[3] == "" && h1 >= 12*60 {
			h1 -= 12 * 60 // "11-1pm"
		}
		if h2 <= h1 {
			continue
		}
		out = append(out, timeRef{span{m[0], m[1]}, h1, h2})
	}
	for _, m := range timeAfter.FindAllStringSubmatchIndex(clause, 4) {
		s := span{m[0], m[1]}
		g := subs(clause, m)
		if taken(s) || followedByDate(clause, m[1]) {
			continue
		}
		h, ok := hour(g[2], g[3], g[4], "")
		if !ok {
			continue
		}
		end := 17 * 60
		if h >= end-60 {
			end = h + 120
		}
		out = append(out, timeRef{s, h, min(end, 24*60-1)})
	}
	for _, m := range timeBefore.FindAllStringSubmatchIndex(clause, 4) {
		s := span{m[0], m[1]}
		g := subs(clause, m)
		if taken(s) || followedByDate(clause, m[1]) {
			continue
		}
		h, ok := hour(g[2], g[3], g[4], "")
		if !ok || h <= 9*60 {
			continue
		}
		out = append(out, timeRef{s, 9 * 60, h})
	}
	for _, m := range timeExact.FindAllStringSubmatchIndex(clause, 6) {
		s := span{m[0], m[1]}
		g := subs(clause, m)
		if taken(s) || followedByDate(clause, m[1]) {
			continue
		}
		var h int
		var ok bool
		switch {
		case g[1] != "":
			h, ok = hour(g[1], g[2], g[3], "")
		case g[4] != "":
			h, ok = hour(g[4], g[5], g[6], "")
		case g[7] != "":
			h, ok = hour(g[7], g[8], "", "")
		default:
			h, ok = 12*60, true
		}
		if ok {
			out = append(out, timeRef{s, h, -1})
		}
	}
	return dayParts(clause, out)
}

// dayParts adds "morning", "afternoon" … to times found so far.
func dayParts(clause string, out []timeRef) []timeRef {
	for _, m := range dayPart.FindAllStringSubmatchIndex(clause, 4) {
		s := span{m[0], m[1]}
		if slices.ContainsFunc(out, func(x timeRef) bool { return s.start < x.end && x.start < s.end }) {
			continue
		}
		p := strings.ToLower(clause[m[2]:m[3]])
		var from, to int
		switch {
		case p == "morning":
			from, to = 9*60, 12*60
		case p == "afternoon":
			from, to = 12*60, 17*60
		case p == "evening":
			from, to = 17*60, 20*60
		case strings.HasPrefix(p, "lunch"):
			from, to = 12*60, 13*60
		default: // end of day
			from, to = 16*60, 17*60+30
		}
		out = append(out, timeRef{s, from, to})
	}
	return out
}

func followedByDate(s string, end int) bool {
	rest := s[end:]
	return strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, ".") && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9' ||
		strings.HasPrefix(strings.TrimLeft(rest, " "), "%")
}

func subs(s string, m []int) []string {
	out := make([]string, len(m)/2)
	for i := range out {
		if m[2*i] >= 0 {
			out[i] = strings.ToLower(s[m[2*i]:m[2*i+1]])
		}
	}
	return out
}

// hour reads "3" "pm" → 15:00 in minutes. Without am/pm (nor its
// partner's, for a range), 1–7 are afternoon hours: business hours.
func hour(h, min, ampm, partner string) (int, bool) {
	n, err := strconv.Atoi(h)
	if err != nil || n > 24 {
		return 0, false
	}
	mm := 0
	if min != "" {
		mm, _ = strconv.Atoi(min)
		if mm > 59 {
			return 0, false
		}
	}
	if ampm == "" {
		ampm = partner
	}
	switch strings.ReplaceAll(ampm, ".", "") {
	case "pm":
		if n > 12 {
			return 0, false
		}
		if n < 12 {
			n += 12
		}
	case "am":
		if n > 12 {
			return 0, false
		}
		if n == 12 {
			n = 0
		}
	default:
		if n >= 1 && n <= 7 && min == "" {
			n += 12
		}
	}
	if n >= 24 {
		return 0, false
	}
	return n*60 + mm, true
}

// ---- until ----

var (
	untilMonth    = regexp.MustCompile(`\b(in|until|till|after|by|around|from|next|early|mid|mid-|late|end of|the end of|beginning of|start of|back in|return in)\s+(early |mid-?|late |the end of |end of |the beginning of |)(` + monthNames + `)\b`)
	untilQuarter  = regexp.MustCompile(`\b(in|during|after|end of|the end of|until|by|before|start of|early|beginning of|past)?\s*q([1-4])\b`)
	untilRelative = regexp.MustCompile(`\b(next quarter|next year|early next year|next month|next week|after the holidays|after new year|after the new year|the new year|end of (?:the |this )?(?:year|month|week)|in (a few|a couple of|a couple|two|three|four|six|\d{1,2}) (days|weeks|months)|(?:in |by |until |over |after |during )(?:the )?(spring|summer|fall|autumn|winter))\b`)
	contactVerb   = regexp.MustCompile(`\b(ping|reach out|contact|circle back|reconnect|write|follow up|revisit|touch base|check back|check in|get back|talk|try again|come back|email|return|back|hear from)\b`)
)

type dateHit struct {
	pos  int
	date time.Time
}

// until returns, for a not_now reply, the date it asks us to come back
// (the one named where it says to contact them; else the first), and for
// an out-of-office reply the return date (the latest one named).
func until(t *text, l Label) time.Time {
	if t.now.IsZero() {
		return time.Time{}
	}
	hits := dateHits(t.lreply, t.now, t.present)
	if len(hits) == 0 {
		return time.Time{}
	}
	if l == OutOfOffice {
		best := hits[0]
		for _, h := range hits {
			if h.date.After(best.date) {
				best = h
			}
		}
		return best.date
	}
	for _, h := range hits {
		start := strings.LastIndexAny(t.lreply[:h.pos], ".!?\n") + 1
		end := len(t.lreply)
		if i := strings.IndexAny(t.lreply[h.pos:], ".!?\n"); i >= 0 {
			end = h.pos + i
		}
		if contactVerb.MatchString(t.lreply[start:end]) {
			return h.date
		}
	}
	return hits[0].date
}

// dateHits returns every date the lower-cased reply names, with where it
// is.
func dateHits(reply string, now time.Time, p present) []dateHit {
	digits := strings.ContainsAny(reply, "0123456789")
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	var out []dateHit
	var spans []span
	taken := func(s span) bool {
		for _, x := range spans {
			if s.start < x.end && x.start < s.end {
				return true
			}
		}
		return false
	}
	addHit := func(s span, d time.Time) {
		spans = append(spans, s)
		out = append(out, dateHit{s.start, d})
	}
	for i, re := range []*regexp.Regexp{dateMonthDay, dateDayMonth} {
		if !digits || !p.may(dayGuards[i]) {
			continue
		}
		for _, m := range p.findAll(dayGuards[i], reply, 8) {
			if d, ok := explicitDate(reply, m, re == dateDayMonth, today); ok && !taken(span{m[0], m[1]}) {
				addHit(span{m[0], m[1]}, d)
			}
		}
	}
	if !digits {
		goto words
	}
	for _, m := range dateISO.FindAllStringSubmatchIndex(reply, 4) {
		g := subs(reply, m)
		mo, _ := strconv.Atoi(g[2])
		if mo >= 1 && mo <= 12 && !taken(span{m[0], m[1]}) {
			if d, ok := makeDate(today, time.Month(mo), g[3], g[1]); ok {
				addHit(span{m[0], m[1]}, d)
			}
		}
	}
	for _, re := range []*regexp.Regexp{dateDotted, dateSlashed} {
		for _, m := range re.FindAllStringSubmatchIndex(reply, 4) {
			g := subs(reply, m)
			a, _ := strconv.Atoi(g[1])
			b, _ := strconv.Atoi(g[2])
			day, mo := a, b
			if re == dateSlashed && b > 12 && a <= 12 {
				day, mo = b, a // 12/15: month first
			}
			if mo < 1 || mo > 12 || taken(span{m[0], m[1]}) {
				continue
			}
			if d, ok := makeDate(today, time.Month(mo), strconv.Itoa(day), g[3]); ok {
				addHit(span{m[0], m[1]}, d)
			}
		}
	}
words:
	var untilMonthHits [][]int
	if p.may(untilGuards[0]) {
		untilMonthHits = p.findAll(untilGuards[0], reply, 6)
	}
	for _, m := range untilMonthHits {
		s := span{m[0], m[1]}
		if taken(s) {
			continue
		}
		if rest := strings.TrimLeft(reply[m[1]:], " ."); rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			continue // "in March 3" is a date, matched above
		}
		g := subs(reply, m)
		mon := months[g[3]]
		if g[3] == "may" && g[1] != "in" && g[1] != "until" && g[1] != "after" && g[1] != "by" {
			continue
		}
		d := time.Date(today.Year(), mon, 1, 0, 0, 0, 0, today.Location())
		mod := g[1] + " " + g[2]
		switch {
		case strings.Contains(mod, "after") || strings.Contains(mod, "end of"):
			d = d.AddDate(0, 1, 0)
		case strings.Contains(mod, "mid"):
			d = d.AddDate(0, 0, 14)
		case strings.Contains(mod, "late"):
			d = d.AddDate(0, 0, 19)
		}
		for !d.After(today) {
			d = d.AddDate(1, 0, 0)
		}
		addHit(s, d)
	}
	var untilQuarterHits [][]int
	if !(!strings.Contains(reply, "q") || !digits) {
		untilQuarterHits = untilQuarter.FindAllStringSubmatchIndex(reply, 4)
	}
	for _, m := range untilQuarterHits {
		s := span{m[0], m[1]}
		if taken(s) {
			continue
		}
		g := subs(reply, m)
		q, _ := strconv.Atoi(g[2])
		switch g[1] {
		case "after", "end of", "the end of", "past":
			q++
		}
		d := time.Date(today.Year(), time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, today.Location())
		for !d.After(today) {
			d = d.AddDate(1, 0, 0)
		}
		addHit(s, d)
	}
	var untilRelativeHits [][]int
	if p.may(untilGuards[1]) {
		untilRelativeHits = p.findAll(untilGuards[1], reply, 6)
	}
	for _, m := range untilRelativeHits {
		s := span{m[0], m[1]}
		if taken(s) {
			continue
		}
		g := subs(reply, m)
		w := g[1]
		var d time.Time
		nextYear := time.Date(today.Year()+1, 1, 1, 0, 0, 0, 0, today.Location())
		switch {
		case w == "next quarter":
			q := (int(today.Month()) - 1) / 3
			d = time.Date(today.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, today.Location()).AddDate(0, 3, 0)
		case strings.Contains(w, "year") || strings.Contains(w, "holidays"):
			d = nextYear
		case w == "next month" || strings.HasSuffix(w, "month"):
			d = time.Date(today.Year(), today.Month()+1, 1, 0, 0, 0, 0, today.Location())
		case w == "next week" || strings.HasSuffix(w, "week"):
			d = monday(today).AddDate(0, 0, 7)
		case g[2] != "":
			n := map[string]int{"a few": 3, "a couple of": 2, "a couple": 2, "two": 2, "three": 3, "four": 4, "six": 6}[g[2]]
			if n == 0 {
				n, _ = strconv.Atoi(g[2])
			}
			switch g[3] {
			case "days":
				d = today.AddDate(0, 0, n)
			case "weeks":
				d = today.AddDate(0, 0, 7*n)
			default:
				d = today.AddDate(0, n, 0)
			}
		case g[4] != "":
			mon := map[string]time.Month{"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}[g[4]]
			d = time.Date(today.Year(), mon, 1, 0, 0, 0, 0, today.Location())
			for !d.After(today) {
				d = d.AddDate(1, 0, 0)
			}
		default:
			continue
		}
		addHit(s, d)
	}
	var dayWordHits [][]int
	if p.may(dayGuards[2]) {
		dayWordHits = p.findAll(dayGuards[2], reply, 6)
	}
	for _, m := range dayWordHits {
		s := span{m[0], m[1]}
		if taken(s) || m[12] < 0 {
			continue
		}
		g := subs(reply, m)
		addHit(s, nextWeekday(today, weekdays[g[6]], g[5]))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}
