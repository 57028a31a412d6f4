package hubspottest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Contact is a contact to seed. Timezone is an IANA name; the fake stores
// it the way HubSpot's hs_timezone does ("america_slash_new_york").
type Contact struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
	JobTitle  string
	Lifecycle string
	Timezone  string
	CompanyID string
	CreatedAt time.Time
	UpdatedAt time.Time // default CreatedAt
	Props     map[string]string
}

// Company is a company to seed. ExpectedARR lands in the custom property
// caseyos_expected_arr; TargetAccount in hs_is_target_account.
type Company struct {
	ID            string
	Name          string
	Domain        string
	Industry      string
	Employees     int
	Country       string
	ExpectedARR   float64
	TargetAccount bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Props         map[string]string
}

// StageChange is a deal entering a stage.
type StageChange struct {
	Stage string
	At    time.Time
}

// Deal is a deal to seed. Stages is its stage history, oldest first; the
// last entry is its current stage. DemoAt lands in caseyos_demo_at,
// LastActivityAt in notes_last_updated.
type Deal struct {
	ID             string
	Name           string
	Amount         float64
	Currency       string
	Pipeline       string
	CloseDate      time.Time
	CompanyID      string
	ContactIDs     []string
	Stages         []StageChange
	LastActivityAt time.Time
	DemoAt         time.Time
	LostReason     string
	UpdatedAt      time.Time // default: the last stage change
	Props          map[string]string
}

// Form is a HubSpot form with its submissions.
type Form struct {
	ID          string // the form guid
	Name        string
	CreatedAt   time.Time
	Submissions []Submission
}

// Seed is a portal's content.
type Seed struct {
	Pipelines []Pipeline // replace the default pipeline when set
	Companies []Company
	Contacts  []Contact
	Deals     []Deal
	Forms     []Form
}

// HubSpotTimezone renders an IANA name as hs_timezone stores it.
func HubSpotTimezone(iana string) string {
	return strings.ToLower(strings.ReplaceAll(iana, "/", "_slash_"))
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func or(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// Seed adds records to the portal, keeping the ids given. It panics on an
// inconsistent seed (an unknown company or contact id): seeds are test
// fixtures.
func (s *Server) Seed(seed Seed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if len(seed.Pipelines) > 0 {
		s.pipelines = nil
		for _, p := range seed.Pipelines {
			s.pipelines = append(s.pipelines, &pipeline{ID: p.ID, Label: p.Label, Stages: p.Stages})
		}
	}
	for _, c := range seed.Companies {
		props := map[string]string{"name": c.Name, "domain": c.Domain, "industry": c.Industry, "country": c.Country}
		if c.Employees > 0 {
			props["numberofemployees"] = strconv.Itoa(c.Employees)
		}
		if c.ExpectedARR > 0 {
			props["caseyos_expected_arr"] = num(c.ExpectedARR)
			s.custom["companies"]["caseyos_expected_arr"] = true
		}
		if c.TargetAccount {
			props["hs_is_target_account"] = "true"
		}
		for k, v := range c.Props {
			props[k] = v
		}
		created := or(c.CreatedAt, now)
		o := s.insert("companies", c.ID, props, created)
		s.touch(o, or(c.UpdatedAt, created))
	}
	for _, c := range seed.Contacts {
		props := map[string]string{"email": c.Email, "firstname": c.FirstName, "lastname": c.LastName,
			"jobtitle": c.JobTitle, "lifecyclestage": c.Lifecycle}
		if c.Timezone != "" {
			props["hs_timezone"] = HubSpotTimezone(c.Timezone)
		}
		if c.CompanyID != "" {
			props["associatedcompanyid"] = c.CompanyID
		}
		for k, v := range c.Props {
			props[k] = v
		}
		created := or(c.CreatedAt, now)
		o := s.insert("contacts", c.ID, props, created)
		if c.CompanyID != "" {
			co := s.mustFind("companies", c.CompanyID)
			associate(o, co, AssocContactToComp, AssocCompToContact)
		}
		s.touch(o, or(c.UpdatedAt, created))
	}
	for _, d := range seed.Deals {
		if len(d.Stages) == 0 {
			panic(fmt.Sprintf("hubspottest: deal %s needs at least one stage", d.ID))
		}
		props := map[string]string{"dealname": d.Name, "pipeline": nonEmpty(d.Pipeline, "default"),
			"deal_currency_code": d.Currency, "closed_lost_reason": d.LostReason}
		if d.Amount > 0 {
			props["amount"] = num(d.Amount)
		}
		if !d.CloseDate.IsZero() {
			props["closedate"] = isoMillis(d.CloseDate)
		}
		if !d.LastActivityAt.IsZero() {
			props["notes_last_updated"] = isoMillis(d.LastActivityAt)
		}
		if !d.DemoAt.IsZero() {
			props["caseyos_demo_at"] = isoMillis(d.DemoAt)
			s.custom["deals"]["caseyos_demo_at"] = true
		}
		for k, v := range d.Props {
			props[k] = v
		}
		first := d.Stages[0]
		props["dealstage"] = first.Stage
		o := s.insert("deals", d.ID, props, first.At)
		for _, st := range d.Stages[1:] {
			s.put(o, map[string]string{"dealstage": st.Stage}, st.At, "CRM_UI")
		}
		if d.CompanyID != "" {
			associate(o, s.mustFind("companies", d.CompanyID), AssocDealToCompany, AssocCompanyToDeal)
		}
		for _, cid := range d.ContactIDs {
			associate(o, s.mustFind("contacts", cid), AssocDealToContact, AssocContactToDeal)
		}
		s.touch(o, or(d.UpdatedAt, d.Stages[len(d.Stages)-1].At))
	}
	for _, f := range seed.Forms {
		s.forms = append(s.forms, &form{id: f.ID, name: f.Name, created: or(f.CreatedAt, now), submissions: append([]Submission(nil), f.Submissions...)})
	}
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// touch sets o's last-modified time; s.mu is held.
func (s *Server) touch(o *object, at time.Time) {
	o.updated = at
	o.props[modifiedProp(o.typ)] = isoMillis(at)
}

func (s *Server) mustFind(typ, id string) *object {
	o := s.lookup(typ, id)
	if o == nil {
		panic(fmt.Sprintf("hubspottest: seed refers to unknown %s %s", typ, id))
	}
	return o
}

// SetDealStage moves a deal to stage now, as a user in HubSpot would.
func (s *Server) SetDealStage(id, stage string) error {
	return s.SetProps("deals", id, map[string]string{"dealstage": stage})
}

// SetProps changes properties of a record now, as a user in HubSpot would.
func (s *Server) SetProps(objType, id string, props map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	typ := objectType(objType)
	o := s.lookup(typ, id)
	if o == nil {
		return fmt.Errorf("hubspottest: no %s %s", objType, id)
	}
	if msg := s.checkProps(typ, props, false); msg != "" {
		return fmt.Errorf("hubspottest: %s", msg)
	}
	s.put(o, props, s.clock.Now(), "CRM_UI")
	return nil
}

// AddContact creates a contact now and returns its id.
func (s *Server) AddContact(c Contact) string {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.clock.Now()
	}
	s.Seed(Seed{Contacts: []Contact{c}})
	if c.ID != "" {
		return c.ID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.findByProp("contacts", "email", c.Email).id
}

// AddSubmission records a submission of form formID.
func (s *Server) AddSubmission(formID string, sub Submission) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.forms {
		if f.id == formID {
			if sub.SubmittedAt.IsZero() {
				sub.SubmittedAt = s.clock.Now()
			}
			if sub.ConversionID == "" {
				sub.ConversionID = newCorrelationID()
			}
			f.submissions = append(f.submissions, sub)
			return nil
		}
	}
	return fmt.Errorf("hubspottest: no form %s", formID)
}

// Record is a read-only view of a stored object, for assertions.
type Record struct {
	ID           string
	Type         string
	Props        map[string]string
	Associations map[string][]AssocRef // to type → targets
	Archived     bool
}

// AssocRef is one association of a Record.
type AssocRef struct {
	ID     string
	TypeID int
}

// Object returns a copy of a record (following merges for contacts), or
// false when it does not exist or is archived.
func (s *Server) Object(objType, id string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.lookup(objectType(objType), id)
	if o == nil {
		return Record{}, false
	}
	return s.view(o), true
}

// Objects returns every live record of a type, in creation order.
func (s *Server) Objects(objType string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*object
	for _, o := range s.objects[objectType(objType)] {
		if !o.archived {
			all = append(all, o)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	out := make([]Record, 0, len(all))
	for _, o := range all {
		out = append(out, s.view(o))
	}
	return out
}

func (s *Server) view(o *object) Record {
	r := Record{ID: o.id, Type: o.typ, Props: map[string]string{}, Associations: map[string][]AssocRef{}, Archived: o.archived}
	for k, v := range o.props {
		r.Props[k] = v
	}
	for t, refs := range o.assoc {
		for _, ref := range refs {
			r.Associations[t] = append(r.Associations[t], AssocRef{ID: ref.id, TypeID: ref.typeID})
		}
	}
	return r
}
