package backend

import (
	"strings"
	"time"
)

// WorkingHours is a working day, Monday to Friday, as offsets from
// midnight in the owner's zone: 9h and 17h is 9:00–17:00.
type WorkingHours struct {
	Start time.Duration
	End   time.Duration
}

// IsZero reports whether no working hours are set.
func (w WorkingHours) IsZero() bool { return w == WorkingHours{} }

// Workday returns the owner's working hours: WorkingHours, or 9:00–17:00
// when it is unset (a file from before the setting, or a hand-built
// Settings).
func (s *Settings) Workday() WorkingHours {
	if s == nil || s.WorkingHours.IsZero() {
		return WorkingHours{Start: WorkdayStart, End: WorkdayEnd}
	}
	return s.WorkingHours
}

// Bounds on the lists a person types into Settings.
const (
	maxCompetitors    = 50
	maxCompetitorName = 60
)

func (s *Settings) validateConversation() error {
	if w := s.WorkingHours; !w.IsZero() {
		switch {
		case w.Start < 0 || w.End > 24*time.Hour || w.Start >= w.End:
			return Errorf(EINVALID, "working hours must start before they end, within the day (got %s–%s)", clockOf(w.Start), clockOf(w.End))
		case w.Start%slotStep != 0 || w.End%slotStep != 0:
			return Errorf(EINVALID, "working hours must start and end on a quarter hour (got %s–%s)", clockOf(w.Start), clockOf(w.End))
		case w.End-w.Start < defaultMeeting:
			return Errorf(EINVALID, "working hours must be at least 30 minutes long")
		}
	}
	if len(s.Competitors) > maxCompetitors {
		return Errorf(EINVALID, "at most %d competitors can be watched (got %d)", maxCompetitors, len(s.Competitors))
	}
	seen := map[string]bool{}
	for _, c := range s.Competitors {
		name := strings.TrimSpace(c)
		switch {
		case name == "":
			return Errorf(EINVALID, "a competitor needs a name")
		case len([]rune(name)) > maxCompetitorName:
			return Errorf(EINVALID, "competitor name %q is longer than %d characters", truncate(name, 20), maxCompetitorName)
		case !strings.ContainsFunc(name, isWordRune):
			return Errorf(EINVALID, "competitor name %q has no letters or digits", name)
		case seen[strings.ToLower(name)]:
			return Errorf(EINVALID, "competitor %q is listed twice", name)
		}
		seen[strings.ToLower(name)] = true
	}
	for _, st := range s.ContractStages {
		if strings.TrimSpace(st) == "" {
			return Errorf(EINVALID, "a contract stage needs a name")
		}
	}
	return nil
}

// clockOf renders an offset from midnight as 15:04.
func clockOf(d time.Duration) string {
	return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(d).Format("15:04")
}
