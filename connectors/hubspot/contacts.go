package hubspot

import (
	"context"

	"github.com/caseyos/caseyos/backend"
)

func (p *poller) contactSignals(ctx context.Context, objs []hsObject, cur *cursor) ([]*backend.Signal, error) {
	if len(objs) == 0 {
		return nil, nil
	}
	var ids []string
	for i := range objs {
		ids = append(ids, objs[i].prop("associatedcompanyid"))
	}
	companies, err := p.c.readCompanies(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []*backend.Signal
	for i := range objs {
		o := &objs[i]
		created := parseTime(o.prop("createdate"))
		if created.IsZero() {
			created = o.CreatedAt
		}
		ct := mapContact(o)
		var s *backend.Signal
		switch {
		case cur.Synced && created.UnixMilli() <= cur.Since[phaseContacts]:
			// A later pass fetched an older contact because it was edited:
			// mirror the edit. (It was reported as created when it was new.)
			if ct.UpdatedAt.IsZero() {
				continue
			}
			s = &backend.Signal{
				Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: ct.UpdatedAt,
				DedupeKey: editedKey("contact", o.ID, ct.UpdatedAt), ContactID: o.ID, Contact: ct,
			}
		case created.IsZero():
			continue
		default:
			s = &backend.Signal{
				Source: backend.SourceHubSpot, Type: SignalContactCreated, OccurredAt: created,
				DedupeKey: "hubspot:contact.created:" + o.ID, ContactID: o.ID, Contact: ct,
			}
		}
		if co := companies[ct.CompanyID]; co != nil {
			s.Company, s.CompanyID = co, co.ID
		}
		out = append(out, s)
	}
	return out, nil
}

// companySignals mirrors companies a later pass found modified (their
// industry, size, country, target-account flag: the ICP fields) as
// record.updated, so the moves about their people and deals are re-scored.
func companySignals(objs []hsObject) []*backend.Signal {
	var out []*backend.Signal
	for i := range objs {
		co := mapCompany(&objs[i])
		if co.UpdatedAt.IsZero() {
			continue
		}
		out = append(out, &backend.Signal{
			Source: backend.SourceHubSpot, Type: backend.SignalRecordUpdated, OccurredAt: co.UpdatedAt,
			DedupeKey: editedKey("company", co.ID, co.UpdatedAt), CompanyID: co.ID, Company: co,
		})
	}
	return out
}

// readCompanies batch-reads companies by id; ids that no longer exist are
// left out.
func (c *Client) readCompanies(ctx context.Context, ids []string) (map[string]*backend.Company, error) {
	objs, err := c.batchRead(ctx, "companies", uniq(ids), companyProps, nil, "")
	if err != nil {
		return nil, err
	}
	out := map[string]*backend.Company{}
	for i := range objs {
		out[objs[i].ID] = mapCompany(&objs[i])
	}
	return out, nil
}
