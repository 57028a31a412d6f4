package app

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// TestSettingsDTO_Conversation: competitors and working hours go out to the
// settings screen and come back; a caller that does not know them (an
// older UI, a script) sends neither and leaves them as they were.
func TestSettingsDTO_Conversation(t *testing.T) {
	st := backend.DefaultSettings()
	st.Competitors = []string{"Stackwise"}
	st.WorkingHours = backend.WorkingHours{Start: 8*time.Hour + 30*time.Minute, End: 18 * time.Hour}
	dto := toSettingsDTO(st)
	if !reflect.DeepEqual(dto.Competitors, []string{"Stackwise"}) || dto.WorkingHours == nil || *dto.WorkingHours != (WorkingHoursDTO{510, 1080}) {
		t.Fatalf("toSettingsDTO = competitors %q, hours %+v; want [Stackwise] and 510–1080", dto.Competitors, dto.WorkingHours)
	}
	// Unset hours go out as the 9–17 they mean.
	if w := toSettingsDTO(&backend.Settings{}).WorkingHours; w == nil || *w != (WorkingHoursDTO{540, 1020}) {
		t.Errorf("unset hours = %+v, want 540–1020", w)
	}

	var older SettingsDTO
	if err := json.Unmarshal([]byte(`{"weights":{"revenue":0.4,"urgency":0.25,"effort":0.15,"strategic":0.2},"today_limit":10,"stalled_deal_days":14}`), &older); err != nil {
		t.Fatal(err)
	}
	applySettingsDTO(st, older)
	if !reflect.DeepEqual(st.Competitors, []string{"Stackwise"}) || st.WorkingHours.Start != 510*time.Minute {
		t.Errorf("a save without the fields = competitors %q, hours %v; want them kept", st.Competitors, st.WorkingHours)
	}

	in := toSettingsDTO(st)
	in.Competitors = []string{" Build Buddy ", "", "Nx Cloud"}
	in.WorkingHours = &WorkingHoursDTO{StartMinutes: 600, EndMinutes: 960}
	applySettingsDTO(st, in)
	if !reflect.DeepEqual(st.Competitors, []string{"Build Buddy", "Nx Cloud"}) || st.WorkingHours != (backend.WorkingHours{Start: 10 * time.Hour, End: 16 * time.Hour}) {
		t.Errorf("after a save = competitors %q, hours %v; want trimmed names and 10:00–16:00", st.Competitors, st.WorkingHours)
	}
	in.Competitors = []string{}
	applySettingsDTO(st, in)
	if len(st.Competitors) != 0 {
		t.Errorf("saving [] = %q, want the list cleared", st.Competitors)
	}
}
