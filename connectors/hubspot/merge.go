package hubspot

import (
	"context"
	"net/http"
	"net/url"

	"github.com/caseyos/caseyos/backend"
)

// alreadyMerged reconciles a merge HubSpot refused with 409: one of the
// two ids was merged away before (a retry after an answer that never
// came, a merge done by hand in HubSpot). HubSpot still resolves a
// merged-away id to the record it went into, so both ids are read: when
// they resolve to the same record the merge the caller asked for is done
// and that record's id is the survivor; otherwise the conflict names where
// the contact went. refused is the 409.
func (c *Client) alreadyMerged(ctx context.Context, primaryID, mergeID string, refused error) (string, error) {
	p, err := c.resolveContact(ctx, primaryID)
	if err != nil {
		return "", err
	}
	m, err := c.resolveContact(ctx, mergeID)
	if err != nil {
		return "", err
	}
	if p == m {
		return p, nil
	}
	gone, into := mergeID, m
	if p != primaryID {
		gone, into = primaryID, p
	}
	return "", &backend.Error{Code: backend.ECONFLICT, Op: "hubspot.merge_contacts",
		Message: "HubSpot contact " + gone + " was already merged into contact " + into + "; merge that one instead (HubSpot cannot undo a merge)",
		Err:     refused}
}

// resolveContact returns the id of the live contact id names: itself, or
// the contact it was merged into.
func (c *Client) resolveContact(ctx context.Context, id string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	q := url.Values{"properties": {"hs_merged_object_ids"}}
	if _, err := c.do(ctx, "hubspot.merge_contacts", http.MethodGet, "/crm/v3/objects/contacts/"+url.PathEscape(id), q, nil, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", backend.Errorf(backend.EINTERNAL, "HubSpot sent contact %s without its id", id)
	}
	return out.ID, nil
}
