package backend

import (
	"regexp"
	"strconv"
	"time"
)

// Reasons are stored once but read for days, so a moment inside a reason is
// stored as a token and rendered relative to when it is shown: "{ago:UNIX}"
// reads "3 hours ago", "{at:UNIX}" reads "today 17:30" or "Fri 17:30", and
// "{day:UNIX}" reads "Mon Nov 24", and "{for:UNIX}" reads how long since,
// "30 days".

// AgoToken marks t in a reason, to be read as time elapsed.
func AgoToken(t time.Time) string { return "{ago:" + strconv.FormatInt(t.Unix(), 10) + "}" }

// AtToken marks t in a reason, to be read as a day and clock time.
func AtToken(t time.Time) string { return "{at:" + strconv.FormatInt(t.Unix(), 10) + "}" }

// DueToken marks a deadline in a reason, to be read as "in 3 hours" or
// "passed 2 days ago".
func DueToken(t time.Time) string { return "{due:" + strconv.FormatInt(t.Unix(), 10) + "}" }

// ForToken marks t in a reason, to be read as the time since it: "30 days".
func ForToken(t time.Time) string { return "{for:" + strconv.FormatInt(t.Unix(), 10) + "}" }

// DayToken marks t in a reason, to be read as a date.
func DayToken(t time.Time) string { return "{day:" + strconv.FormatInt(t.Unix(), 10) + "}" }

var reasonToken = regexp.MustCompile(`\{(ago|at|day|due|for):(-?\d+)\}`)

// RenderReason replaces the time tokens in s, relative to now, in loc.
func RenderReason(s string, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	return reasonToken.ReplaceAllStringFunc(s, func(tok string) string {
		m := reasonToken.FindStringSubmatch(tok)
		sec, _ := strconv.ParseInt(m[2], 10, 64)
		t := time.Unix(sec, 0).In(loc)
		switch m[1] {
		case "for":
			return humanDuration(max(now.Sub(t), 0))
		case "due":
			if d := t.Sub(now); d > 0 {
				return "in " + humanDuration(d)
			}
			return "passed " + humanDuration(now.Sub(t)) + " ago"
		case "ago":
			d := now.Sub(t)
			switch {
			case d < time.Minute && d > -time.Minute:
				return "just now"
			case d < 0:
				return "in " + humanDuration(-d)
			}
			return humanDuration(d) + " ago"
		case "at":
			n := now.In(loc)
			y1, m1, d1 := n.Date()
			y2, m2, d2 := t.Date()
			day := t.Format("Mon Jan 2")
			switch {
			case y1 == y2 && m1 == m2 && d1 == d2:
				day = "today"
			case n.AddDate(0, 0, 1).Format("2006-01-02") == t.Format("2006-01-02"):
				day = "tomorrow"
			case n.AddDate(0, 0, -1).Format("2006-01-02") == t.Format("2006-01-02"):
				day = "yesterday"
			case t.Sub(n) > 0 && t.Sub(n) < 6*24*time.Hour:
				day = t.Format("Mon")
			}
			return day + " " + t.Format("15:04")
		}
		return t.Format("Mon Jan 2")
	})
}

// RenderReasons renders every reason in rs.
func RenderReasons(rs []string, now time.Time, loc *time.Location) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = RenderReason(r, now, loc)
	}
	return out
}
