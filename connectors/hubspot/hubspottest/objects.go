package hubspottest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// object is one CRM record.
type object struct {
	seq        int64
	id         string
	typ        string
	props      map[string]string
	history    map[string][]histEntry // oldest first
	created    time.Time
	updated    time.Time
	archived   bool
	assoc      map[string][]assocRef // to type → associations
	mergedFrom []string
}

type histEntry struct {
	value  string
	at     time.Time
	source string
}

type assocRef struct {
	id     string
	typeID int
}

// Association type ids, HUBSPOT_DEFINED.
const (
	AssocTaskToContact = 204
	AssocTaskToDeal    = 216
	AssocTaskToCompany = 192
	AssocDealToContact = 3
	AssocContactToDeal = 4
	AssocDealToCompany = 5
	AssocCompanyToDeal = 6
	AssocContactToComp = 1
	AssocCompToContact = 2
)

// historyProps are the properties whose changes the fake keeps.
var historyProps = map[string]bool{"dealstage": true, "lifecyclestage": true, "amount": true}

// objectType maps the path's object type to the store's key.
func objectType(t string) string {
	switch strings.ToLower(t) {
	case "contacts", "contact", "0-1":
		return "contacts"
	case "companies", "company", "0-2":
		return "companies"
	case "deals", "deal", "0-3":
		return "deals"
	case "tasks", "task", "0-27":
		return "tasks"
	}
	return ""
}

func modifiedProp(typ string) string {
	if typ == "contacts" {
		return "lastmodifieddate"
	}
	return "hs_lastmodifieddate"
}

func createdProp(typ string) string {
	if typ == "tasks" {
		return "hs_createdate"
	}
	return "createdate"
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// defaultProps are returned when a request names no properties.
var defaultProps = map[string][]string{
	"contacts":  {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
	"companies": {"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"},
	"deals":     {"amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"},
	"tasks":     {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
}

// put sets properties on o at time at, keeping history and the system
// properties in step; s.mu is held.
func (s *Server) put(o *object, props map[string]string, at time.Time, source string) {
	for k, v := range props {
		if historyProps[k] && o.props[k] != v {
			o.history[k] = append(o.history[k], histEntry{value: v, at: at, source: source})
		}
		if v == "" {
			delete(o.props, k)
			continue
		}
		o.props[k] = v
	}
	o.updated = at
	o.props[modifiedProp(o.typ)] = isoMillis(at)
	if o.typ == "deals" {
		if st := o.props["dealstage"]; st != "" {
			o.props["hs_date_entered_"+st] = isoMillis(at)
		}
	}
}

// insert adds a new object; s.mu is held.
func (s *Server) insert(typ, id string, props map[string]string, at time.Time) *object {
	if id == "" {
		id = s.newID()
	}
	s.seq++
	o := &object{seq: s.seq, id: id, typ: typ, props: map[string]string{}, history: map[string][]histEntry{},
		created: at, assoc: map[string][]assocRef{}}
	s.put(o, props, at, "CRM_UI")
	o.props["hs_object_id"] = id
	o.props[createdProp(typ)] = isoMillis(at)
	s.objects[typ][id] = o
	if s.order == nil {
		s.order = map[string][]*object{}
	}
	s.order[typ] = append(s.order[typ], o) // seq only grows: stays sorted
	return o
}

// associate links a and b both ways; s.mu is held.
func associate(a, b *object, aToB, bToA int) {
	add := func(from, to *object, typeID int) {
		for _, r := range from.assoc[to.typ] {
			if r.id == to.id {
				return
			}
		}
		from.assoc[to.typ] = append(from.assoc[to.typ], assocRef{id: to.id, typeID: typeID})
	}
	add(a, b, aToB)
	add(b, a, bToA)
}

func inverseAssoc(typeID int) int {
	switch typeID {
	case AssocTaskToContact, AssocTaskToDeal, AssocTaskToCompany:
		return typeID - 1 // HubSpot's inverse ids for tasks sit one below [3P]
	case AssocDealToContact:
		return AssocContactToDeal
	case AssocContactToDeal:
		return AssocDealToContact
	case AssocDealToCompany:
		return AssocCompanyToDeal
	case AssocCompanyToDeal:
		return AssocDealToCompany
	case AssocContactToComp:
		return AssocCompToContact
	case AssocCompToContact:
		return AssocContactToComp
	}
	return typeID
}

// lookup finds a live object, following merges for contacts; s.mu is held.
func (s *Server) lookup(typ, id string) *object {
	if typ == "contacts" {
		for i := 0; i < 10; i++ {
			to, ok := s.merged[id]
			if !ok {
				break
			}
			id = to
		}
	}
	o := s.objects[typ][id]
	if o == nil || o.archived {
		return nil
	}
	return o
}

// findByProp finds a live object by a unique property (email); s.mu is held.
func (s *Server) findByProp(typ, prop, value string) *object {
	for _, o := range s.objects[typ] {
		if !o.archived && strings.EqualFold(o.props[prop], value) {
			return o
		}
	}
	return nil
}

type objectJSON struct {
	ID                    string                      `json:"id"`
	Properties            map[string]*string          `json:"properties"`
	PropertiesWithHistory map[string][]historyJSON    `json:"propertiesWithHistory,omitempty"`
	Associations          map[string]associationsJSON `json:"associations,omitempty"`
	CreatedAt             string                      `json:"createdAt"`
	UpdatedAt             string                      `json:"updatedAt"`
	Archived              bool                        `json:"archived"`
}

type historyJSON struct {
	Value      string `json:"value"`
	Timestamp  string `json:"timestamp"`
	SourceType string `json:"sourceType"`
}

type associationsJSON struct {
	Results []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"results"`
}

// render shapes o as the API returns it; s.mu is held.
func (s *Server) render(o *object, props, withHistory, assocTypes []string) objectJSON {
	if len(props) == 0 {
		props = defaultProps[o.typ]
	}
	out := objectJSON{ID: o.id, Properties: map[string]*string{}, CreatedAt: isoMillis(o.created),
		UpdatedAt: isoMillis(o.updated), Archived: o.archived}
	for _, p := range append(append([]string{}, props...), "hs_object_id", createdProp(o.typ), modifiedProp(o.typ)) {
		if v, ok := o.props[p]; ok {
			v := v
			out.Properties[p] = &v
		} else {
			out.Properties[p] = nil
		}
	}
	for _, p := range withHistory {
		if out.PropertiesWithHistory == nil {
			out.PropertiesWithHistory = map[string][]historyJSON{}
		}
		h := o.history[p]
		list := make([]historyJSON, 0, len(h))
		for i := len(h) - 1; i >= 0; i-- { // newest first, as HubSpot answers
			list = append(list, historyJSON{Value: h[i].value, Timestamp: isoMillis(h[i].at), SourceType: h[i].source})
		}
		out.PropertiesWithHistory[p] = list
	}
	for _, t := range assocTypes {
		tt := objectType(t)
		refs := o.assoc[tt]
		if len(refs) == 0 {
			continue
		}
		if out.Associations == nil {
			out.Associations = map[string]associationsJSON{}
		}
		var a associationsJSON
		for _, r := range refs {
			a.Results = append(a.Results, struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			}{r.id, singular[o.typ] + "_to_" + singular[tt]})
		}
		out.Associations[tt] = a
	}
	return out
}

var singular = map[string]string{"contacts": "contact", "companies": "company", "deals": "deal", "tasks": "task"}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func encodeAfter(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.FormatInt(seq, 10)))
}

func decodeAfter(after string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil || !strings.HasPrefix(string(b), "seq:") {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b[4:]), 10, 64)
	return n, err == nil
}

func (s *Server) typeOr404(w http.ResponseWriter, r *http.Request) string {
	t := objectType(r.PathValue("type"))
	if t == "" {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("Unable to infer object type from: %s", r.PathValue("type")))
	}
	return t
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	typ := s.typeOr404(w, r)
	if typ == "" {
		return
	}
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be a positive integer")
			return
		}
		limit = min(n, 100) // HubSpot caps the page at 100
	}
	var after int64
	if v := q.Get("after"); v != "" {
		n, ok := decodeAfter(v)
		if !ok {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "after is not a valid paging cursor")
			return
		}
		after = n
	}
	archived := q.Get("archived") == "true"
	props, hist, assocs := splitList(q["properties"]), splitList(q["propertiesWithHistory"]), splitList(q["associations"])
	s.mu.Lock()
	defer s.mu.Unlock()
	// Walk the objects in seq order from the cursor, one page and one
	// more (to know whether a next page exists): a list of 100,000
	// contacts pages in O(page), as HubSpot's does. An id seeded twice
	// leaves its older object in the order; it is not the live one.
	ord := s.order[typ]
	var all []*object
	for i := sort.Search(len(ord), func(i int) bool { return ord[i].seq > after }); i < len(ord) && len(all) <= limit; i++ {
		if o := ord[i]; o.archived == archived && s.objects[typ][o.id] == o {
			all = append(all, o)
		}
	}
	resp := map[string]any{}
	page := all
	if len(page) > limit {
		page = page[:limit]
		next := encodeAfter(page[len(page)-1].seq)
		resp["paging"] = map[string]any{"next": map[string]any{
			"after": next, "link": fmt.Sprintf("%s/crm/v3/objects/%s?after=%s&limit=%d", s.url, typ, next, limit),
		}}
	}
	results := make([]objectJSON, 0, len(page))
	for _, o := range page {
		results = append(results, s.render(o, props, hist, assocs))
	}
	resp["results"] = results
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	typ := s.typeOr404(w, r)
	if typ == "" {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	var o *object
	if p := q.Get("idProperty"); p != "" && p != "hs_object_id" {
		o = s.findByProp(typ, p, id)
	} else {
		o = s.lookup(typ, id)
	}
	if o == nil {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
		return
	}
	writeJSON(w, http.StatusOK, s.render(o, splitList(q["properties"]), splitList(q["propertiesWithHistory"]), splitList(q["associations"])))
}

type assocInput struct {
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Types []struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int    `json:"associationTypeId"`
	} `json:"types"`
}

type createInput struct {
	Properties   map[string]string `json:"properties"`
	Associations []assocInput      `json:"associations"`
}

// checkProps refuses custom properties that were never created and, for
// tasks, a missing hs_timestamp; s.mu is held.
func (s *Server) checkProps(typ string, props map[string]string, creating bool) string {
	for k := range props {
		if strings.HasPrefix(k, "caseyos_") && !s.custom[typ][k] {
			return fmt.Sprintf("Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"%s\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"%s\"}]", k, k)
		}
	}
	if creating && typ == "tasks" && props["hs_timestamp"] == "" {
		return "Property values were not valid: [{\"isValid\":false,\"message\":\"hs_timestamp is required\",\"error\":\"REQUIRED_FIELD\",\"name\":\"hs_timestamp\"}]"
	}
	if st, ok := props["dealstage"]; ok && typ == "deals" && !s.knownStage(st) {
		return fmt.Sprintf("Property values were not valid: [{\"isValid\":false,\"message\":\"%s was not one of the allowed options\",\"error\":\"INVALID_OPTION\",\"name\":\"dealstage\"}]", st)
	}
	return ""
}

// createOne creates an object or says why not (status, category, message);
// s.mu is held.
func (s *Server) createOne(typ string, in createInput, now time.Time) (*object, int, string, string) {
	if msg := s.checkProps(typ, in.Properties, true); msg != "" {
		return nil, http.StatusBadRequest, "VALIDATION_ERROR", msg
	}
	if typ == "contacts" {
		if e := in.Properties["email"]; e != "" {
			if dup := s.findByProp("contacts", "email", e); dup != nil {
				return nil, http.StatusConflict, "CONFLICT", "Contact already exists. Existing ID: " + dup.id
			}
		}
	}
	var targets []*object
	var types []int
	for _, a := range in.Associations {
		for _, t := range a.Types {
			tt := assocTargetType(typ, t.AssociationTypeID)
			to := s.lookup(tt, a.To.ID)
			if tt == "" || to == nil {
				return nil, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("association target %s of type %d is not valid", a.To.ID, t.AssociationTypeID)
			}
			targets = append(targets, to)
			types = append(types, t.AssociationTypeID)
		}
	}
	o := s.insert(typ, "", in.Properties, now)
	for i, to := range targets {
		associate(o, to, types[i], inverseAssoc(types[i]))
	}
	return o, http.StatusCreated, "", ""
}

func assocTargetType(from string, typeID int) string {
	switch {
	case typeID == AssocTaskToContact || typeID == AssocDealToContact || typeID == AssocCompToContact:
		return "contacts"
	case typeID == AssocTaskToDeal || typeID == AssocContactToDeal || typeID == AssocCompanyToDeal:
		return "deals"
	case typeID == AssocTaskToCompany || typeID == AssocDealToCompany || typeID == AssocContactToComp:
		return "companies"
	}
	return ""
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	typ := s.typeOr404(w, r)
	if typ == "" {
		return
	}
	var in createInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, status, cat, msg := s.createOne(typ, in, s.clock.Now())
	if o == nil {
		writeError(w, status, cat, msg)
		return
	}
	writeJSON(w, http.StatusCreated, s.render(o, keys(in.Properties), nil, nil))
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	typ := s.typeOr404(w, r)
	if typ == "" {
		return
	}
	var in createInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.lookup(typ, r.PathValue("id"))
	if o == nil {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
		return
	}
	if msg := s.checkProps(typ, in.Properties, false); msg != "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", msg)
		return
	}
	s.put(o, in.Properties, s.clock.Now(), "INTEGRATION")
	writeJSON(w, http.StatusOK, s.render(o, keys(in.Properties), nil, nil))
}

func (s *Server) archive(w http.ResponseWriter, r *http.Request) {
	typ := s.typeOr404(w, r)
	if typ == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// HubSpot answers 204 for an id that is already gone, too.
	if o := s.lookup(typ, r.PathValue("id")); o != nil {
		s.archiveOne(o)
	}
	w.WriteHeader(http.StatusNoContent)
}

// archiveOne archives o and drops its associations; s.mu is held.
func (s *Server) archiveOne(o *object) {
	o.archived = true
	o.updated = s.clock.Now()
	for tt, refs := range o.assoc {
		for _, ref := range refs {
			if other := s.objects[tt][ref.id]; other != nil {
				other.assoc[o.typ] = removeRef(other.assoc[o.typ], o.id)
			}
		}
	}
}

func removeRef(refs []assocRef, id string) []assocRef {
	out := refs[:0]
	for _, r := range refs {
		if r.id != id {
			out = append(out, r)
		}
	}
	return out
}

// Search.

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        any    `json:"value"`
	HighValue    any    `json:"highValue"`
	Values       []any  `json:"values"`
}

type searchInput struct {
	Query        string `json:"query"`
	FilterGroups []struct {
		Filters []filter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []json.RawMessage `json:"sorts"`
	Properties []string          `json:"properties"`
	Limit      int               `json:"limit"`
	After      any               `json:"after"`
}

// SearchCap is the most results one search query can page through.
const SearchCap = 10_000

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	typ := s.typeOr404(w, r)
	if typ == "" {
		return
	}
	var in searchInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON")
		return
	}
	if in.Limit == 0 {
		in.Limit = 10
	}
	if in.Limit < 0 || in.Limit > 200 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be between 1 and 200")
		return
	}
	total := 0
	if len(in.FilterGroups) > 5 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "There can be at most 5 filterGroups")
		return
	}
	for _, g := range in.FilterGroups {
		total += len(g.Filters)
		if len(g.Filters) > 6 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "There can be at most 6 filters in a filterGroup")
			return
		}
		for _, f := range g.Filters {
			if !knownOperator[f.Operator] {
				writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Unknown operator %q", f.Operator))
				return
			}
		}
	}
	if total > 18 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "There can be at most 18 filters")
		return
	}
	offset := 0
	if in.After != nil {
		n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(in.After)))
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "after must be a number")
			return
		}
		offset = n
	}
	if offset+in.Limit > SearchCap {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Paging beyond %d results is not supported for search", SearchCap))
		return
	}
	sortProp, desc := "hs_object_id", false
	if len(in.Sorts) > 0 {
		var str string
		var obj struct {
			PropertyName string `json:"propertyName"`
			Direction    string `json:"direction"`
		}
		switch {
		case json.Unmarshal(in.Sorts[0], &obj) == nil && obj.PropertyName != "":
			sortProp, desc = obj.PropertyName, strings.EqualFold(obj.Direction, "DESCENDING")
		case json.Unmarshal(in.Sorts[0], &str) == nil && str != "":
			sortProp, desc = strings.TrimPrefix(str, "-"), strings.HasPrefix(str, "-")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*object
	cmp := &comparer{}
	for _, o := range s.objects[typ] {
		if o.archived {
			continue
		}
		if in.Query != "" && !matchesQuery(o, in.Query) {
			continue
		}
		ok := len(in.FilterGroups) == 0
		for _, g := range in.FilterGroups {
			all := true
			for _, f := range g.Filters {
				if !matches(o, f, cmp) {
					all = false
					break
				}
			}
			if all {
				ok = true
				break
			}
		}
		if ok {
			hits = append(hits, o)
		}
	}
	// Sort on keys parsed once per hit: searches sort thousands of records.
	type keyed struct {
		o   *object
		f   float64
		num bool
		s   string
	}
	ks := make([]keyed, len(hits))
	for i, o := range hits {
		v := o.props[sortProp]
		f, ok := cmp.numeric(v)
		ks[i] = keyed{o: o, f: f, num: ok, s: strings.ToLower(v)}
	}
	sort.Slice(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		c := 0
		switch {
		case a.num && b.num && a.f < b.f:
			c = -1
		case a.num && b.num && a.f > b.f:
			c = 1
		case !(a.num && b.num):
			c = strings.Compare(a.s, b.s)
		}
		if c == 0 {
			return a.o.seq < b.o.seq
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	for i := range ks {
		hits[i] = ks[i].o
	}
	resp := map[string]any{"total": len(hits)}
	page := hits[min(offset, len(hits)):]
	if len(page) > in.Limit {
		page = page[:in.Limit]
		resp["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(offset + in.Limit)}}
	}
	results := make([]objectJSON, 0, len(page))
	for _, o := range page {
		results = append(results, s.render(o, in.Properties, nil, nil))
	}
	resp["results"] = results
	writeJSON(w, http.StatusOK, resp)
}

var knownOperator = map[string]bool{"EQ": true, "NEQ": true, "LT": true, "LTE": true, "GT": true, "GTE": true,
	"BETWEEN": true, "IN": true, "NOT_IN": true, "HAS_PROPERTY": true, "NOT_HAS_PROPERTY": true,
	"CONTAINS_TOKEN": true, "NOT_CONTAINS_TOKEN": true}

func matchesQuery(o *object, q string) bool {
	q = strings.ToLower(q)
	for _, p := range []string{"email", "firstname", "lastname", "name", "domain", "dealname", "hs_task_subject"} {
		if strings.Contains(strings.ToLower(o.props[p]), q) {
			return true
		}
	}
	return false
}

func matches(o *object, f filter, cmp *comparer) bool {
	compareValues := cmp.compare
	v, has := o.props[f.PropertyName]
	val := fmt.Sprint(f.Value)
	switch f.Operator {
	case "HAS_PROPERTY":
		return has
	case "NOT_HAS_PROPERTY":
		return !has
	case "EQ":
		return has && compareValues(v, val) == 0
	case "NEQ":
		return !has || compareValues(v, val) != 0
	case "LT":
		return has && compareValues(v, val) < 0
	case "LTE":
		return has && compareValues(v, val) <= 0
	case "GT":
		return has && compareValues(v, val) > 0
	case "GTE":
		return has && compareValues(v, val) >= 0
	case "BETWEEN":
		return has && compareValues(v, val) >= 0 && compareValues(v, fmt.Sprint(f.HighValue)) <= 0
	case "IN", "NOT_IN":
		in := false
		for _, x := range f.Values {
			if has && compareValues(v, fmt.Sprint(x)) == 0 {
				in = true
			}
		}
		return in == (f.Operator == "IN")
	case "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN":
		c := has && strings.Contains(strings.ToLower(v), strings.ToLower(strings.Trim(val, "*")))
		return c == (f.Operator == "CONTAINS_TOKEN")
	}
	return false
}

// compareValues compares two property values the way HubSpot's search does
// for their type: dates (ISO or epoch ms) and numbers numerically, the rest
// as case-insensitive strings.
func compareValues(a, b string) int { return (&comparer{}).compare(a, b) }

// comparer memoizes parsed values across one search, which compares the
// same property values many times.
type comparer struct{ memo map[string]parsed }

type parsed struct {
	f  float64
	ok bool
}

func (c *comparer) numeric(v string) (float64, bool) {
	if c.memo == nil {
		c.memo = map[string]parsed{}
	}
	if p, ok := c.memo[v]; ok {
		return p.f, p.ok
	}
	f, ok := numeric(v)
	c.memo[v] = parsed{f, ok}
	return f, ok
}

func (c *comparer) compare(a, b string) int {
	fa, oka := c.numeric(a)
	fb, okb := c.numeric(b)
	if oka && okb {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func numeric(v string) (float64, bool) {
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) {
		return f, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return float64(t.UnixMilli()), true
	}
	return 0, false
}

// Batch.

type batchInput struct {
	Inputs []struct {
		ID           string            `json:"id"`
		Properties   map[string]string `json:"properties"`
		Associations []assocInput      `json:"associations"`
	} `json:"inputs"`
	Properties            []string `json:"properties"`
	PropertiesWithHistory []string `json:"propertiesWithHistory"`
	IDProperty            string   `json:"idProperty"`
}

type batchError struct {
	Status   string              `json:"status"`
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context,omitempty"`
}

func (s *Server) batch(w http.ResponseWriter, r *http.Request) {
	typ := s.typeOr404(w, r)
	if typ == "" {
		return
	}
	op := r.PathValue("op")
	var in batchInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON")
		return
	}
	if len(in.Inputs) > 100 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Batch input limit exceeded: got %d inputs, the limit is 100", len(in.Inputs)))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := s.failItems
	s.failItems = map[int]bool{}
	now := s.clock.Now()
	started := isoMillis(now)
	var results []objectJSON
	var errs []batchError
	notFound := []string{}
	for i, item := range in.Inputs {
		if fail[i] {
			errs = append(errs, batchError{Status: "error", Category: "VALIDATION_ERROR",
				Message: fmt.Sprintf("input %d failed (injected)", i), Context: map[string][]string{"ids": {item.ID}, "index": {strconv.Itoa(i)}}})
			continue
		}
		switch op {
		case "read":
			var o *object
			if in.IDProperty != "" && in.IDProperty != "hs_object_id" {
				o = s.findByProp(typ, in.IDProperty, item.ID)
			} else {
				o = s.lookup(typ, item.ID)
			}
			if o == nil {
				notFound = append(notFound, item.ID)
				continue
			}
			results = append(results, s.render(o, in.Properties, in.PropertiesWithHistory, nil))
		case "create":
			o, _, cat, msg := s.createOne(typ, createInput{Properties: item.Properties, Associations: item.Associations}, now)
			if o == nil {
				errs = append(errs, batchError{Status: "error", Category: cat, Message: msg, Context: map[string][]string{"index": {strconv.Itoa(i)}}})
				continue
			}
			results = append(results, s.render(o, keys(item.Properties), nil, nil))
		case "update":
			o := s.lookup(typ, item.ID)
			if o == nil {
				notFound = append(notFound, item.ID)
				continue
			}
			if msg := s.checkProps(typ, item.Properties, false); msg != "" {
				errs = append(errs, batchError{Status: "error", Category: "VALIDATION_ERROR", Message: msg, Context: map[string][]string{"ids": {item.ID}}})
				continue
			}
			s.put(o, item.Properties, now, "INTEGRATION")
			results = append(results, s.render(o, keys(item.Properties), nil, nil))
		case "archive":
			if o := s.lookup(typ, item.ID); o != nil {
				s.archiveOne(o)
			}
		default:
			writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "unknown batch operation "+op)
			return
		}
	}
	if len(notFound) > 0 {
		errs = append(errs, batchError{Status: "error", Category: "OBJECT_NOT_FOUND",
			Message: fmt.Sprintf("Could not get some %s objects, they may be deleted or not exist. Check that ids are valid.", strings.TrimSuffix(typ, "s")),
			Context: map[string][]string{"ids": notFound}})
	}
	if op == "archive" && len(errs) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if results == nil {
		results = []objectJSON{}
	}
	resp := map[string]any{"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": isoMillis(s.clock.Now())}
	status := http.StatusOK
	if op == "create" {
		status = http.StatusCreated
	}
	if len(errs) > 0 {
		resp["numErrors"] = len(errs)
		resp["errors"] = errs
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, resp)
}

// Merge.

func (s *Server) merge(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PrimaryObjectID string `json:"primaryObjectId"`
		ObjectIDToMerge string `json:"objectIdToMerge"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.PrimaryObjectID == "" || in.ObjectIDToMerge == "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "primaryObjectId and objectIdToMerge are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// An id already merged away is a conflict, not a lookup that follows
	// it: HubSpot will not merge a record that no longer exists on its own.
	for _, id := range []string{in.ObjectIDToMerge, in.PrimaryObjectID} {
		if _, gone := s.merged[id]; gone {
			if to := s.lookup("contacts", id); to != nil {
				writeError(w, http.StatusConflict, "CONFLICT", fmt.Sprintf("Object %s was already merged into %s", id, to.id))
				return
			}
		}
	}
	a, b := s.lookup("contacts", in.PrimaryObjectID), s.lookup("contacts", in.ObjectIDToMerge)
	if a == nil || b == nil {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
		return
	}
	if a == b {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Cannot merge a contact with itself")
		return
	}
	now := s.clock.Now()
	props := map[string]string{}
	for k, v := range b.props {
		props[k] = v
	}
	for k, v := range a.props { // the primary's values win
		props[k] = v
	}
	delete(props, "hs_object_id")
	created := a.created
	if b.created.Before(created) {
		created = b.created
	}
	// HubSpot gives the merged record a new id; the old ids resolve to it.
	n := s.insert("contacts", "", props, now)
	n.created = created
	n.props["createdate"] = isoMillis(created)
	n.mergedFrom = append(append(append([]string{}, a.mergedFrom...), b.mergedFrom...), a.id, b.id)
	n.props["hs_merged_object_ids"] = strings.Join(n.mergedFrom, ";")
	for _, old := range []*object{a, b} {
		for tt, refs := range old.assoc {
			for _, ref := range refs {
				if other := s.objects[tt][ref.id]; other != nil {
					associate(n, other, ref.typeID, inverseAssoc(ref.typeID))
				}
			}
		}
		s.archiveOne(old)
		s.merged[old.id] = n.id
	}
	writeJSON(w, http.StatusOK, s.render(n, nil, nil, nil))
}

// Associations v4.

func (s *Server) listAssociations(w http.ResponseWriter, r *http.Request) {
	typ, to := objectType(r.PathValue("type")), objectType(r.PathValue("to"))
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.lookup(typ, r.PathValue("id"))
	if o == nil || to == "" {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Object not found.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": assocTargets(o.assoc[to])})
}

func assocTargets(refs []assocRef) []map[string]any {
	out := []map[string]any{}
	for _, ref := range refs {
		var id any = ref.id
		if n, err := strconv.ParseInt(ref.id, 10, 64); err == nil {
			id = n // v4 answers numeric ids as numbers
		}
		out = append(out, map[string]any{"toObjectId": id, "associationTypes": []map[string]any{
			{"category": "HUBSPOT_DEFINED", "typeId": ref.typeID, "label": nil}}})
	}
	return out
}

func (s *Server) batchAssociations(w http.ResponseWriter, r *http.Request) {
	from, to := objectType(r.PathValue("from")), objectType(r.PathValue("to"))
	var in struct {
		Inputs []struct {
			ID string `json:"id"`
		} `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || from == "" || to == "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input")
		return
	}
	if len(in.Inputs) > 100 { // HubSpot allows 1,000 here; the fake holds to 100
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Batch input limit exceeded")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	results := []map[string]any{}
	var missing []string
	for _, item := range in.Inputs {
		o := s.lookup(from, item.ID)
		if o == nil || len(o.assoc[to]) == 0 {
			missing = append(missing, item.ID)
			continue
		}
		results = append(results, map[string]any{"from": map[string]string{"id": item.ID}, "to": assocTargets(o.assoc[to])})
	}
	resp := map[string]any{"status": "COMPLETE", "results": results}
	if len(missing) > 0 {
		resp["numErrors"] = 1
		resp["errors"] = []batchError{{Status: "error", Category: "OBJECT_NOT_FOUND",
			Message: "No associations found", Context: map[string][]string{"fromObjectId": missing}}}
		writeJSON(w, http.StatusMultiStatus, resp)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// Properties: custom ones ("caseyos_…") must exist before use.

func (s *Server) getProperty(w http.ResponseWriter, r *http.Request) {
	typ, name := objectType(r.PathValue("type")), r.PathValue("name")
	s.mu.Lock()
	defer s.mu.Unlock()
	if typ == "" || (strings.HasPrefix(name, "caseyos_") && !s.custom[typ][name]) {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("Unable to find property %s", name))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "type": "string", "fieldType": "text"})
}

func (s *Server) createProperty(w http.ResponseWriter, r *http.Request) {
	typ := objectType(r.PathValue("type"))
	var in struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" || typ == "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "name is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.custom[typ][in.Name] {
		writeError(w, http.StatusConflict, "OBJECT_ALREADY_EXISTS", fmt.Sprintf("A property named '%s' already exists.", in.Name))
		return
	}
	s.custom[typ][in.Name] = true
	writeJSON(w, http.StatusCreated, map[string]any{"name": in.Name, "type": "string", "fieldType": "text"})
}

// DefineProperty creates a custom property, as a portal admin would.
func (s *Server) DefineProperty(objType, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.custom[objectType(objType)][name] = true
}
