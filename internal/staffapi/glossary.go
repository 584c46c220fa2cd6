package staffapi

import (
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
)

// glossaryTermOf renders a glossary term: kept verbatim in every translation (SPEC §7).
func glossaryTermOf(g concierge.GlossaryTerm) api.GlossaryTerm {
	return api.GlossaryTerm{Term: g.Term, CreatedAt: formatTime(g.CreatedAt)}
}

// listGlossary answers a property's glossary (managers of the property, admins).
func (h *Handler) listGlossary(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	terms, err := h.svc.GlossaryTerms(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.Glossary{Terms: make([]api.GlossaryTerm, 0, len(terms))}
	for _, g := range terms {
		out.Terms = append(out.Terms, glossaryTermOf(g))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// putGlossaryTerm adds the term named by the path: 201 when new, 200 when the glossary had it.
func (h *Handler) putGlossaryTerm(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	g, created, err := h.svc.PutGlossaryTerm(r.Context(), p, r.PathValue("code"), r.PathValue("term"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	h.writeJSON(w, r, status, glossaryTermOf(g))
}

// deleteGlossaryTerm removes the term named by the path: 204.
func (h *Handler) deleteGlossaryTerm(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := h.svc.DeleteGlossaryTerm(r.Context(), p, r.PathValue("code"), r.PathValue("term")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
