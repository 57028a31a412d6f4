package hubspottest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// gdprDelete answers POST /crm/v3/objects/contacts/gdpr-delete
// {"objectId", "idProperty"?}: the contact (by id, or by email with
// idProperty "email") is deleted for good — unlike an archive, nothing of
// it is left to restore or list, its history and the records merged into
// it included — and 204 answered; 404 when there is no such contact, 400
// for a missing objectId or an idProperty other than email.
func (s *Server) gdprDelete(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ObjectID   string `json:"objectId"`
		IDProperty string `json:"idProperty"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.ObjectID) == "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "objectId is required")
		return
	}
	if in.IDProperty != "" && in.IDProperty != "email" && in.IDProperty != "hs_object_id" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property "+in.IDProperty+" is not a unique identifier property")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var o *object
	if in.IDProperty == "email" {
		for _, c := range s.objects["contacts"] {
			if !c.archived && strings.EqualFold(c.props["email"], strings.TrimSpace(in.ObjectID)) {
				o = c
				break
			}
		}
	} else {
		o = s.lookup("contacts", in.ObjectID)
	}
	if o == nil {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
		return
	}
	s.archiveOne(o) // drops its associations
	gone := append([]string{o.id}, o.mergedFrom...)
	for _, id := range gone {
		delete(s.objects["contacts"], id)
	}
	for from, to := range s.merged {
		for _, id := range gone {
			if from == id || to == id {
				delete(s.merged, from)
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// Kept reports whether the fake keeps anything of contact id, even
// archived: after a GDPR delete it keeps nothing.
func (s *Server) Kept(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, there := s.objects["contacts"][id]
	return there
}
