package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func (p *poller) loadPipelines(ctx context.Context) error {
	if p.pipelines != nil {
		return nil
	}
	var resp struct {
		Results []struct {
			ID     string `json:"id"`
			Label  string `json:"label"`
			Stages []struct {
				ID       string `json:"id"`
				Label    string `json:"label"`
				Metadata struct {
					IsClosed    any `json:"isClosed"`
					Probability any `json:"probability"`
				} `json:"metadata"`
			} `json:"stages"`
		} `json:"results"`
	}
	if _, err := p.c.do(ctx, "hubspot.pipelines", http.MethodGet, "/crm/v3/pipelines/deals", nil, nil, &resp); err != nil {
		return err
	}
	p.pipelines = map[string]stageInfo{}
	for _, pl := range resp.Results {
		for _, s := range pl.Stages {
			closed := fmt.Sprint(s.Metadata.IsClosed) == "true"
			prob, _ := strconv.ParseFloat(fmt.Sprint(s.Metadata.Probability), 64)
			p.pipelines[s.ID] = stageInfo{Label: s.Label, Pipeline: pl.Label, Won: closed && prob >= 1, Lost: closed && prob <= 0}
		}
	}
	return nil
}

// stalledSettings is the core's rule with the closed stages of every
// pipeline added, so that a custom pipeline's "won" counts as closed.
func (p *poller) stalledSettings() *backend.Settings {
	st := *p.st
	st.WonStages = append([]string{}, p.st.WonStages...)
	st.LostStages = append([]string{}, p.st.LostStages...)
	for id, info := range p.pipelines {
		if info.Won {
			st.WonStages = append(st.WonStages, id)
		}
		if info.Lost {
			st.LostStages = append(st.LostStages, id)
		}
	}
	return &st
}

// dealSignals turns fetched deals into stage changes and stalls. On a later
// pass (incremental) a fetched deal was modified, so it also goes out as a
// record.updated carrying its new amount, close date and company.
func (p *poller) dealSignals(ctx context.Context, objs []hsObject, incremental bool) ([]*backend.Signal, error) {
	if len(objs) == 0 {
		return nil, nil
	}
	if err := p.loadPipelines(ctx); err != nil {
		return nil, err
	}
	ids := make([]string, len(objs))
	for i := range objs {
		ids[i] = objs[i].ID
	}
	full, err := p.c.batchRead(ctx, "deals", ids, dealProps, []string{"dealstage"}, "")
	if err != nil {
		return nil, err
	}
	contacts, err := p.c.associations(ctx, "deals", "contacts", ids)
	if err != nil {
		return nil, err
	}
	companyOf, err := p.c.associations(ctx, "deals", "companies", ids)
	if err != nil {
		return nil, err
	}
	var coIDs []string
	for _, list := range companyOf {
		coIDs = append(coIDs, list...)
	}
	companies, err := p.c.readCompanies(ctx, coIDs)
	if err != nil {
		return nil, err
	}
	st := p.stalledSettings()
	horizon := p.now.Add(-p.c.window)
	var out []*backend.Signal
	for i := range full {
		o := &full[i]
		d := mapDeal(o)
		d.ContactIDs = contacts[o.ID]
		var company *backend.Company
		if cos := companyOf[o.ID]; len(cos) > 0 {
			d.CompanyID = cos[0]
			company = companies[cos[0]]
		}
		hist := o.PropertiesWithHistory["dealstage"] // newest first
		sort.SliceStable(hist, func(a, b int) bool { return hist[a].Timestamp.After(hist[b].Timestamp) })
		if len(hist) == 0 && d.Stage != "" {
			hist = []historyEntry{{Value: d.Stage, Timestamp: nonZero(parseTime(o.prop("createdate")), o.CreatedAt)}}
		}
		if len(hist) > 0 {
			d.StageChangedAt = hist[0].Timestamp
			if hist[0].Timestamp.After(d.LastActivityAt) {
				d.LastActivityAt = hist[0].Timestamp // moving a stage is activity
			}
		}
		demoAt := parseTime(o.prop(propDemoAt))
		for j, h := range hist {
			// The latest stage change always goes out: it carries the deal's
			// snapshot, and its dedupe key makes it a no-op when known.
			if j > 0 && h.Timestamp.Before(horizon) {
				break
			}
			snap := *d
			snap.Stage = h.Value
			snap.StageChangedAt = h.Timestamp
			s := &backend.Signal{
				Source: backend.SourceHubSpot, Type: backend.SignalDealStageChanged, OccurredAt: h.Timestamp,
				DedupeKey: fmt.Sprintf("hubspot:deal.stage_changed:%s:%d:%s", o.ID, h.Timestamp.UnixMilli(), h.Value),
				DealID:    o.ID, Deal: &snap, Payload: map[string]string{},
			}
			if info, ok := p.pipelines[h.Value]; ok {
				s.Payload["stage_label"] = info.Label
			}
			if j+1 < len(hist) {
				prev := hist[j+1].Value
				s.Payload["previous_stage"] = prev
				if info, ok := p.pipelines[prev]; ok {
					s.Payload["previous_stage_label"] = info.Label
				}
			}
			if !demoAt.IsZero() && containsFold(p.st.DemoStages, h.Value) && !demoAt.Before(h.Timestamp) &&
				(j == 0 || demoAt.Before(hist[j-1].Timestamp)) {
				s.Payload["demo_at"] = demoAt.Format(time.RFC3339)
			}
			if reason := o.prop("closed_lost_reason"); reason != "" && containsFold(st.LostStages, h.Value) {
				s.Payload["closed_lost_reason"] = reason
			}
			p.attach(s, d, company)
			out = append(out, s)
		}
		if modified := d.UpdatedAt; incremental && !modified.IsZero() {
			snap := *d
			s := &backend.Signal{
				Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: modified,
				DedupeKey: editedKey("deal", o.ID, modified), DealID: o.ID, Deal: &snap,
			}
			p.attach(s, d, company)
			out = append(out, s)
		}
		if backend.DealStalled(d, st, p.now) {
			snap := *d
			s := &backend.Signal{
				Source: backend.SourceHubSpot, Type: backend.SignalDealStalled,
				OccurredAt: d.LastActivityAt.Add(time.Duration(st.StalledDealDays) * 24 * time.Hour), // when it stalled: the same on every poll
				DedupeKey:  backend.StalledDedupeKey(d), DealID: o.ID, Deal: &snap,
			}
			p.attach(s, d, company)
			out = append(out, s)
		}
	}
	return out, nil
}

// attach sets a deal signal's refs and company snapshot.
func (p *poller) attach(s *backend.Signal, d *backend.Deal, company *backend.Company) {
	if len(d.ContactIDs) > 0 {
		s.ContactID = d.ContactIDs[0]
	}
	if d.CompanyID != "" {
		s.CompanyID = d.CompanyID
	}
	if company != nil {
		s.Company = company
	}
}

func nonZero(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	return a
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// flexID is an id the v4 API sends as a number or a string.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexID(n.String())
	return nil
}

// associations batch-reads the associations of objects of type from to
// type to (v4), as from id → to ids.
func (c *Client) associations(ctx context.Context, from, to string, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	for start := 0; start < len(ids); start += pageSize {
		part := ids[start:min(start+pageSize, len(ids))]
		inputs := make([]map[string]string, len(part))
		for i, id := range part {
			inputs[i] = map[string]string{"id": id}
		}
		var resp struct {
			Results []struct {
				From struct {
					ID flexID `json:"id"`
				} `json:"from"`
				To []struct {
					ToObjectID flexID `json:"toObjectId"`
				} `json:"to"`
			} `json:"results"`
			Errors []batchItem `json:"errors"`
		}
		st, err := c.do(ctx, "hubspot.associations", http.MethodPost, "/crm/v4/associations/"+from+"/"+to+"/batch/read", nil,
			map[string]any{"inputs": inputs}, &resp)
		if err != nil {
			return nil, err
		}
		if st == http.StatusMultiStatus {
			for _, e := range resp.Errors {
				// An object without associations is reported as an error item.
				if e.Category != "OBJECT_NOT_FOUND" {
					return nil, unavailable("hubspot.associations", "HubSpot could not read some associations; retrying later",
						fmt.Errorf("%s: %s", e.Category, e.Message), serverErrorWait)
				}
			}
		}
		for _, r := range resp.Results {
			for _, t := range r.To {
				out[string(r.From.ID)] = append(out[string(r.From.ID)], string(t.ToObjectID))
			}
		}
	}
	return out, nil
}
