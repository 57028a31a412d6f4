package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// SignalContactCreated is the signal a new HubSpot contact produces.
const SignalContactCreated = backend.SignalContactCreated

// editedKey is the dedupe key of a record.updated signal: one per record
// and modification time, so a re-poll of an unchanged record is a no-op and
// every real edit is mirrored once.
func editedKey(kind, id string, modified time.Time) string {
	return fmt.Sprintf("hubspot:record.updated:%s:%s:%d", kind, id, modified.UnixMilli())
}

// pageSize is HubSpot's cap for list pages and batch inputs.
const pageSize = 100

// searchCap is the most results one search query can page through.
const searchCap = 10_000

// Properties the connector reads.
var (
	contactProps = []string{"email", "twitterhandle", "firstname", "lastname", "jobtitle", "lifecyclestage", "hs_timezone",
		"associatedcompanyid", "notes_last_updated", "createdate", "lastmodifieddate", "phone", "mobilephone", "hubspot_owner_id"}
	companyProps = []string{"name", "domain", "industry", "numberofemployees", "country", "hs_is_target_account",
		propExpectedARR, "hs_lastmodifieddate"}
	dealProps = []string{"dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate",
		"notes_last_updated", "closed_lost_reason", propDemoAt, "createdate", "hs_lastmodifieddate"}
)

// Custom properties CaseyOS reads or writes when they exist.
const (
	propExpectedARR = "caseyos_expected_arr"
	propDemoAt      = "caseyos_demo_at"
	propTaskKey     = "caseyos_idempotency_key"
)

// More reports whether the last successful Poll stopped in the middle of a
// pass (backend.MorePoller), so the sync engine polls again at once
// instead of waiting for the next interval.
func (c *Client) More() bool { return c.more.Load() }

// Poll fetches what changed since cursor: at most Config.PageBudget pages,
// then it returns with a cursor that resumes the pass (see More). Signals
// come oldest first. On an error it returns the signals of the pages it
// finished and the cursor after them: storing both is safe, and so is
// dropping both.
func (c *Client) Poll(ctx context.Context, cursorIn string) ([]*backend.Signal, string, error) {
	cur := decodeCursor(cursorIn)
	now := c.clock.Now()
	if cur.Phase == "" {
		cur.Phase, cur.After, cur.Seen = phaseContacts, "", 0
		cur.Upper = now.Add(-c.lag).UnixMilli()
		cur.From, cur.FromIncl = cur.Since[phaseContacts], false
	}
	p := &poller{c: c, now: now, st: c.currentSettings()}
	var out []*backend.Signal
	good := cur
	finish := func(err error) ([]*backend.Signal, string, error) {
		if err == nil {
			c.more.Store(good.Phase != "")
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].OccurredAt.Before(out[j].OccurredAt) })
		return out, good.encode(), err
	}
	for pages := 0; pages < c.budget; pages++ {
		var sigs []*backend.Signal
		var err error
		switch cur.Phase {
		case phaseContacts, phaseDeals, phaseCompanies, phaseTasks:
			sigs, err = p.objectPage(ctx, &cur)
		case phaseForms:
			sigs, err = p.formsStep(ctx, &cur)
		default:
			cur.Phase = ""
		}
		if err != nil {
			return finish(err)
		}
		out = append(out, sigs...)
		good = cur
		if cur.Phase == "" {
			break
		}
	}
	return finish(nil)
}

// poller holds what one Poll call has learned.
type poller struct {
	c         *Client
	now       time.Time
	st        *backend.Settings
	pipelines map[string]stageInfo // stage id → info
	forms     []formInfo
	formsRead bool
}

type stageInfo struct {
	Label, Pipeline string
	Won, Lost       bool
}

// hsObject is a CRM object as the API returns it.
type hsObject struct {
	ID                    string                    `json:"id"`
	Properties            map[string]*string        `json:"properties"`
	PropertiesWithHistory map[string][]historyEntry `json:"propertiesWithHistory"`
	CreatedAt             time.Time                 `json:"createdAt"`
	UpdatedAt             time.Time                 `json:"updatedAt"`
}

type historyEntry struct {
	Value     string    `json:"value"`
	Timestamp time.Time `json:"timestamp"`
}

func (o *hsObject) prop(name string) string {
	if v := o.Properties[name]; v != nil {
		return strings.TrimSpace(*v)
	}
	return ""
}

type page struct {
	Results []hsObject `json:"results"`
	Total   int        `json:"total"`
	Paging  *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

func (p *page) next() string {
	if p.Paging != nil && p.Paging.Next != nil {
		return p.Paging.Next.After
	}
	return ""
}

// objectPage fetches one page of contacts or deals and advances cur.
func (p *poller) objectPage(ctx context.Context, cur *cursor) ([]*backend.Signal, error) {
	typ := cur.Phase
	props := contactProps
	modProp := "lastmodifieddate"
	switch typ {
	case phaseDeals:
		props, modProp = dealProps, "hs_lastmodifieddate"
	case phaseCompanies:
		props, modProp = companyProps, "hs_lastmodifieddate"
	case phaseTasks:
		props, modProp = taskProps, "hs_lastmodifieddate"
	}
	var pg page
	op := "hubspot.sync." + typ
	if !cur.Synced {
		q := url.Values{"limit": {strconv.Itoa(pageSize)}, "properties": {strings.Join(props, ",")}, "archived": {"false"}}
		if cur.After != "" {
			q.Set("after", cur.After)
		}
		if _, err := p.c.do(ctx, op, http.MethodGet, "/crm/v3/objects/"+typ, q, nil, &pg); err != nil {
			return nil, err
		}
	} else {
		lower := map[string]any{"propertyName": modProp, "operator": "GT", "value": strconv.FormatInt(cur.From, 10)}
		if cur.FromIncl {
			lower["operator"] = "GTE"
		}
		filters := []any{lower, map[string]any{"propertyName": modProp, "operator": "LTE", "value": strconv.FormatInt(cur.Upper, 10)}}
		if typ == phaseTasks {
			// Only completed ones; whether CaseyOS made it is read from
			// the key property, which an account may not have defined.
			filters = append(filters, map[string]any{"propertyName": "hs_task_status", "operator": "EQ", "value": "COMPLETED"})
		}
		body := map[string]any{
			"filterGroups": []any{map[string]any{"filters": filters}},
			"sorts":        []any{map[string]any{"propertyName": modProp, "direction": "ASCENDING"}},
			"properties":   props, "limit": pageSize,
		}
		if cur.After != "" {
			body["after"] = cur.After
		}
		if _, err := p.c.do(ctx, op, http.MethodPost, "/crm/v3/objects/"+typ+"/search", nil, body, &pg); err != nil {
			return nil, err
		}
	}
	var sigs []*backend.Signal
	var err error
	switch typ {
	case phaseContacts:
		sigs, err = p.contactSignals(ctx, pg.Results, cur)
	case phaseDeals:
		sigs, err = p.dealSignals(ctx, pg.Results, cur.Synced)
	case phaseCompanies:
		sigs = companySignals(pg.Results)
	case phaseTasks:
		sigs = taskSignals(pg.Results)
	}
	if err != nil {
		return nil, err
	}
	p.advance(cur, &pg, modProp)
	return sigs, nil
}

// advance moves cur past pg: to the next page, to a narrower search window
// when the next page would cross the 10,000-result cap, or to the next phase.
func (p *poller) advance(cur *cursor, pg *page, modProp string) {
	next := pg.next()
	if next != "" && cur.Synced {
		cur.Seen += len(pg.Results)
		if cur.Seen+pageSize > searchCap && len(pg.Results) > 0 {
			// Results come sorted by modification time: start a new query
			// at the last one seen. Ties at that instant are re-read
			// (GTE); dedupe keys absorb them.
			last := msProp(pg.Results[len(pg.Results)-1].prop(modProp))
			if last == cur.From && cur.FromIncl {
				// More than 10,000 records changed within one
				// millisecond: the rest of that instant cannot be paged;
				// step past it.
				cur.FromIncl = false
			} else {
				cur.From, cur.FromIncl = last, true
			}
			cur.After, cur.Seen = "", 0
			return
		}
	}
	if next != "" {
		cur.After = next
		return
	}
	// The phase is complete.
	cur.After, cur.Seen = "", 0
	switch cur.Phase {
	case phaseContacts:
		cur.Phase = phaseDeals
		cur.From, cur.FromIncl = cur.Since[phaseDeals], false
	case phaseDeals:
		if cur.Synced {
			cur.Phase = phaseCompanies
			cur.From, cur.FromIncl = cur.Since[phaseCompanies], false
		} else {
			cur.Phase = phaseForms
		}
	case phaseCompanies:
		cur.Phase = phaseTasks
		cur.From, cur.FromIncl = cur.Since[phaseTasks], false
	case phaseTasks:
		cur.Phase = phaseForms
	}
}

// taskProps are what a completed task's signal needs.
var taskProps = []string{"hs_task_subject", "hs_task_status", "hs_lastmodifieddate", propTaskKey}

// taskSignals are task.completed signals for the completed tasks that
// CaseyOS created (they carry its idempotency key): the outcome of the
// move that created each. Keyed by the task, so a task edited after it
// was completed is one signal.
func taskSignals(objs []hsObject) []*backend.Signal {
	var out []*backend.Signal
	for i := range objs {
		o := &objs[i]
		if o.prop(propTaskKey) == "" || !strings.EqualFold(o.prop("hs_task_status"), "COMPLETED") {
			continue
		}
		at := parseTime(o.prop("hs_lastmodifieddate"))
		if at.IsZero() {
			at = o.UpdatedAt
		}
		if at.IsZero() {
			continue
		}
		out = append(out, &backend.Signal{
			Source: backend.SourceHubSpot, Type: backend.SignalTaskCompleted, OccurredAt: at,
			DedupeKey: "hubspot:task.completed:" + o.ID,
			Payload:   map[string]string{"task_id": o.ID, "subject": o.prop("hs_task_subject")},
		})
	}
	return out
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// batchRead reads objects in batches of chunk (≤ 100). Missing objects are
// not an error (a record deleted between a list and a read); any other
// item failure is.
func (c *Client) batchRead(ctx context.Context, typ string, ids, props, history []string, idProperty string) ([]hsObject, error) {
	chunk := pageSize
	if len(history) > 0 {
		chunk = 50 // HubSpot reads fewer objects per request with history
	}
	var out []hsObject
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		inputs := make([]map[string]string, len(part))
		for i, id := range part {
			inputs[i] = map[string]string{"id": id}
		}
		body := map[string]any{"inputs": inputs, "properties": props}
		if len(history) > 0 {
			body["propertiesWithHistory"] = history
		}
		if idProperty != "" {
			body["idProperty"] = idProperty
		}
		var resp batchResponse
		st, err := c.do(ctx, "hubspot.read."+typ, http.MethodPost, "/crm/v3/objects/"+typ+"/batch/read", nil, body, &resp)
		if err != nil {
			return nil, err
		}
		if st == http.StatusMultiStatus {
			for _, e := range resp.Errors {
				if e.Category != "OBJECT_NOT_FOUND" {
					return nil, &backend.Error{Code: backend.EUNAVAILABLE, Op: "hubspot.read." + typ,
						Message: "HubSpot could not read some records; retrying later",
						Err:     &retryable{err: fmt.Errorf("batch read: %s: %s", e.Category, e.Message), wait: serverErrorWait}}
				}
			}
		}
		out = append(out, resp.Results...)
	}
	return out, nil
}

type batchResponse struct {
	Status    string      `json:"status"`
	Results   []hsObject  `json:"results"`
	NumErrors int         `json:"numErrors"`
	Errors    []batchItem `json:"errors"`
}

type batchItem struct {
	Status   string              `json:"status"`
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context"`
}
