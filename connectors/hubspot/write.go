package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// HubSpot-defined association type ids [api-facts, 3P].
const (
	assocTaskToContact = 204
	assocTaskToDeal    = 216
)

func assocTo(id string, typeID int) map[string]any {
	return map[string]any{
		"to":    map[string]string{"id": id},
		"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID}},
	}
}

// ensureTaskKey makes sure the custom task property that holds our
// idempotency key exists; HubSpot refuses properties it does not know.
func (c *Client) ensureTaskKey(ctx context.Context) error {
	c.mu.Lock()
	ok := c.keyProp
	c.mu.Unlock()
	if ok {
		return nil
	}
	const op = "hubspot.task_key_property"
	_, err := c.do(ctx, op, http.MethodGet, "/crm/v3/properties/tasks/"+propTaskKey, nil, nil, nil)
	if backend.ErrorCode(err) == backend.ENOTFOUND {
		_, err = c.do(ctx, op, http.MethodPost, "/crm/v3/properties/tasks", nil, map[string]any{
			"name": propTaskKey, "label": "CaseyOS idempotency key", "type": "string", "fieldType": "text",
			"groupName": "taskinformation", "description": "Set by CaseyOS so a retried task is found instead of created twice.",
		}, nil)
		if backend.ErrorCode(err) == backend.ECONFLICT {
			err = nil // created meanwhile
		}
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.keyProp = true
	c.mu.Unlock()
	return nil
}

// CreateTask creates a to-do associated with the task's contact and deal,
// carrying t.Key so that FindTaskByKey can find it after a crash.
func (c *Client) CreateTask(ctx context.Context, t backend.NewTask) (string, error) {
	const op = "hubspot.create_task"
	if strings.TrimSpace(t.Subject) == "" {
		return "", backend.Errorf(backend.EINVALID, "a HubSpot task needs a subject")
	}
	due := t.Due
	if due.IsZero() {
		due = c.clock.Now() // hs_timestamp is required
	}
	props := map[string]string{
		"hs_timestamp": strconv.FormatInt(due.UnixMilli(), 10), "hs_task_subject": t.Subject, "hs_task_body": t.Body,
		"hs_task_status": "NOT_STARTED", "hs_task_type": "TODO", "hs_task_priority": "MEDIUM",
	}
	if t.Key != "" {
		if err := c.ensureTaskKey(ctx); err != nil {
			return "", err
		}
		props[propTaskKey] = t.Key
	}
	var assoc []any
	if t.ContactID != "" {
		assoc = append(assoc, assocTo(t.ContactID, assocTaskToContact))
	}
	if t.DealID != "" {
		assoc = append(assoc, assocTo(t.DealID, assocTaskToDeal))
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.do(ctx, op, http.MethodPost, "/crm/v3/objects/tasks", nil,
		map[string]any{"properties": props, "associations": assoc}, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// FindTaskByKey looks for a task created with our idempotency key. HubSpot's
// search sees new records only after a few seconds, so a miss right after
// a create is not proof of absence.
func (c *Client) FindTaskByKey(ctx context.Context, key string) (string, bool, error) {
	if key == "" {
		return "", false, backend.Errorf(backend.EINVALID, "an idempotency key is needed to find a task")
	}
	if err := c.ensureTaskKey(ctx); err != nil {
		return "", false, err
	}
	var pg page
	if _, err := c.do(ctx, "hubspot.find_task", http.MethodPost, "/crm/v3/objects/tasks/search", nil, map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": propTaskKey, "operator": "EQ", "value": key}}}},
		"properties":   []string{propTaskKey, "hs_task_subject"}, "limit": 1,
	}, &pg); err != nil {
		return "", false, err
	}
	if len(pg.Results) == 0 {
		return "", false, nil
	}
	return pg.Results[0].ID, true, nil
}

// DeleteTask archives a task (the compensating action for CreateTask).
func (c *Client) DeleteTask(ctx context.Context, id string) error {
	if id == "" {
		return backend.Errorf(backend.EINVALID, "no task id to delete")
	}
	_, err := c.do(ctx, "hubspot.delete_task", http.MethodDelete, "/crm/v3/objects/tasks/"+url.PathEscape(id), nil, nil, nil)
	return err
}

// resolveStage accepts a stage id or its label (any case) and returns the id.
func (c *Client) resolveStage(ctx context.Context, stage string) (string, error) {
	p := &poller{c: c}
	if err := p.loadPipelines(ctx); err != nil {
		return "", err
	}
	if _, ok := p.pipelines[stage]; ok {
		return stage, nil
	}
	for id, info := range p.pipelines {
		if strings.EqualFold(info.Label, stage) || strings.EqualFold(id, stage) {
			return id, nil
		}
	}
	return "", backend.Errorf(backend.EINVALID, "HubSpot has no deal stage %q", stage)
}

// UpdateDealStage moves a deal to a stage, given by id or label.
func (c *Client) UpdateDealStage(ctx context.Context, dealID, stage string) error {
	const op = "hubspot.update_deal_stage"
	id, err := c.resolveStage(ctx, stage)
	if err != nil {
		return backend.WrapError(op, err)
	}
	_, err = c.do(ctx, op, http.MethodPatch, "/crm/v3/objects/deals/"+url.PathEscape(dealID), nil,
		map[string]any{"properties": map[string]string{"dealstage": id}}, nil)
	return err
}

// StageUpdate is one deal move for UpdateDealStages.
type StageUpdate struct {
	DealID string
	Stage  string // id or label
}

// ItemError is one failed input of a batch.
type ItemError struct {
	Index   int    // position in the caller's input, or -1 when HubSpot named only ids
	ID      string // the object id, when known
	Code    string // a backend error code
	Message string
}

// BatchError reports the inputs of a batch that failed while the others
// succeeded (HubSpot's 207).
type BatchError struct {
	Op    string
	Total int
	Items []ItemError
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("%s: %d of %d failed", e.Op, len(e.Items), e.Total)
}

// UpdateDealStages moves many deals, 100 per request. Items that fail are
// returned in a *BatchError inside a backend.Error; the rest are applied.
func (c *Client) UpdateDealStages(ctx context.Context, updates []StageUpdate) error {
	const op = "hubspot.update_deal_stages"
	be := &BatchError{Op: op, Total: len(updates)}
	for start := 0; start < len(updates); start += pageSize {
		part := updates[start:min(start+pageSize, len(updates))]
		var inputs []map[string]any
		var index []int // input position → caller's index
		for i, u := range part {
			id, err := c.resolveStage(ctx, u.Stage)
			if err != nil {
				if backend.ErrorCode(err) != backend.EINVALID {
					return err
				}
				be.Items = append(be.Items, ItemError{Index: start + i, ID: u.DealID, Code: backend.EINVALID, Message: backend.ErrorMessage(err)})
				continue
			}
			inputs = append(inputs, map[string]any{"id": u.DealID, "properties": map[string]string{"dealstage": id}})
			index = append(index, start+i)
		}
		if len(inputs) == 0 {
			continue
		}
		var resp batchResponse
		st, err := c.do(ctx, op, http.MethodPost, "/crm/v3/objects/deals/batch/update", nil, map[string]any{"inputs": inputs}, &resp)
		if err != nil {
			return err
		}
		if st == http.StatusMultiStatus {
			be.Items = append(be.Items, itemErrors(resp.Errors, inputs, index)...)
		}
	}
	if len(be.Items) == 0 {
		return nil
	}
	return &backend.Error{Code: be.Items[0].Code, Op: op,
		Message: fmt.Sprintf("%d of %d deal updates failed in HubSpot", len(be.Items), be.Total), Err: be}
}

// itemErrors maps a 207's errors to the caller's inputs.
func itemErrors(errs []batchItem, inputs []map[string]any, index []int) []ItemError {
	var out []ItemError
	for _, e := range errs {
		code := categoryCode(e.Category)
		switch {
		case len(e.Context["index"]) > 0:
			for _, v := range e.Context["index"] {
				if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(index) {
					out = append(out, ItemError{Index: index[i], ID: fmt.Sprint(inputs[i]["id"]), Code: code, Message: e.Message})
				}
			}
		case len(e.Context["ids"]) > 0:
			for _, id := range e.Context["ids"] {
				ie := ItemError{Index: -1, ID: id, Code: code, Message: e.Message}
				for i, in := range inputs {
					if fmt.Sprint(in["id"]) == id {
						ie.Index = index[i]
					}
				}
				out = append(out, ie)
			}
		default:
			out = append(out, ItemError{Index: -1, Code: code, Message: e.Message})
		}
	}
	return out
}

func categoryCode(cat string) string {
	switch cat {
	case "OBJECT_NOT_FOUND":
		return backend.ENOTFOUND
	case "VALIDATION_ERROR", "INVALID_OPTION":
		return backend.EINVALID
	case "CONFLICT", "OBJECT_ALREADY_EXISTS":
		return backend.ECONFLICT
	case "RATE_LIMITS", "RATE_LIMIT":
		return backend.EUNAVAILABLE
	}
	return backend.EINTERNAL
}

// MergeContacts merges mergeID into primaryID and returns the surviving
// contact's id, which HubSpot may give anew: treat it as canonical. A
// merge cannot be undone. A 409 (one id was merged away already) is
// reconciled, not failed, when both ids now name the same contact.
func (c *Client) MergeContacts(ctx context.Context, primaryID, mergeID string) (string, error) {
	if primaryID == "" || mergeID == "" || primaryID == mergeID {
		return "", backend.Errorf(backend.EINVALID, "merging needs two different contacts")
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.do(ctx, "hubspot.merge_contacts", http.MethodPost, "/crm/v3/objects/contacts/merge", nil,
		map[string]string{"primaryObjectId": primaryID, "objectIdToMerge": mergeID}, &out); err != nil {
		if backend.ErrorCode(err) == backend.ECONFLICT {
			return c.alreadyMerged(ctx, primaryID, mergeID, err)
		}
		return "", err
	}
	if out.ID == "" {
		return "", backend.Errorf(backend.EINTERNAL, "HubSpot merged the contacts but sent no id")
	}
	return out.ID, nil
}
