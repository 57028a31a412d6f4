package backend

import (
	"regexp"
	"strconv"
	"time"
)

// Reasons are stored once but read for days, so a moment inside a reason is
// stored as a token and rendered relative to when it is shown: "{ago:UNIX}"
// reads "3 hours ago", "{at:UNIX}" reads "today 17:30" or "Fri 17:30", and
// "{day:UNIX}" reads "Tue 24 Nov", and "{for:UNIX}" reads how long since,
// "30 days". They read in the owner's zone (see When).

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
			// Inside a sentence, without a zone: see When.
			return whenDay(t, now, loc) + " " + t.Format("15:04")
		}
		return DayStamp(t, now, loc)
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
