package concierge

import (
	"slices"
	"testing"
)

func TestPrincipalScoping(t *testing.T) {
	t.Parallel()
	const p1, p2, p3 = 1, 2, 3
	fo1 := ServiceCenter{ID: 10, PropertyID: p1, Code: "FO"}
	rs1 := ServiceCenter{ID: 11, PropertyID: p1, Code: "RS"}
	fo2 := ServiceCenter{ID: 20, PropertyID: p2, Code: "FO"}
	spa3 := ServiceCenter{ID: 30, PropertyID: p3, Code: "SPA"}
	all := []ServiceCenter{fo1, rs1, fo2, spa3}

	agent := NewStaffPrincipal(StaffUser{ID: 1, Username: "frontdesk", Role: RoleAgent,
		ServiceCenterIDs: []int64{fo1.ID}, PropertyIDs: []int64{p1, p2, p3}}, all)
	twoCenters := NewStaffPrincipal(StaffUser{ID: 2, Role: RoleAgent,
		ServiceCenterIDs: []int64{fo2.ID, rs1.ID}}, all)
	manager := NewStaffPrincipal(StaffUser{ID: 3, Role: RoleManager,
		ServiceCenterIDs: []int64{fo1.ID}, PropertyIDs: []int64{p2, p1, p2}}, all)
	admin := NewStaffPrincipal(StaffUser{ID: 4, Role: RoleAdmin}, all)
	unknownRole := NewStaffPrincipal(StaffUser{ID: 5, Role: "owner",
		ServiceCenterIDs: []int64{fo1.ID}, PropertyIDs: []int64{p1}}, all)
	managerKey := NewAPIKeyPrincipal(APIKey{ID: 7, Role: RoleManager, PropertyIDs: []int64{p3}})
	adminKey := NewAPIKeyPrincipal(APIKey{ID: 8, Role: RoleAdmin})
	agentKey := NewAPIKeyPrincipal(APIKey{ID: 9, Role: RoleAgent, PropertyIDs: []int64{p1}})
	var nobody *Principal

	cases := []struct {
		name       string
		p          *Principal
		properties []int64         // the properties it sees, of p1, p2, p3 and an unknown 99
		centers    []ServiceCenter // the centers it sees, of all
	}{
		// An agent sees their service centers only; their PropertyIDs do not widen that.
		{"agent", agent, []int64{p1}, []ServiceCenter{fo1}},
		{"agent of two properties", twoCenters, []int64{p1, p2}, []ServiceCenter{rs1, fo2}},
		// A manager sees everything at their properties, whatever their service centers.
		{"manager", manager, []int64{p1, p2}, []ServiceCenter{fo1, rs1, fo2}},
		{"admin", admin, []int64{p1, p2, p3, 99}, all},
		{"unknown role", unknownRole, nil, nil},
		{"manager key", managerKey, []int64{p3}, []ServiceCenter{spa3}},
		{"admin key", adminKey, []int64{p1, p2, p3, 99}, all},
		{"agent key", agentKey, nil, nil},
		{"nil principal", nobody, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, id := range []int64{p1, p2, p3, 99} {
				if got, want := c.p.CanSeeProperty(id), slices.Contains(c.properties, id); got != want {
					t.Errorf("CanSeeProperty(%d) = %v, want %v", id, got, want)
				}
			}
			for _, sc := range all {
				want := slices.Contains(c.centers, sc)
				if got := c.p.CanSeeServiceCenter(sc.ID, sc.PropertyID); got != want {
					t.Errorf("CanSeeServiceCenter(%s at %d) = %v, want %v", sc.Code, sc.PropertyID, got, want)
				}
			}
			// A center named with the wrong property is never an agent's.
			if c.p != nil && c.p.Role == RoleAgent && c.p.CanSeeServiceCenter(fo1.ID, p2) {
				t.Error("CanSeeServiceCenter(FO of p1, p2) = true")
			}
		})
	}
}

func TestNewStaffPrincipal(t *testing.T) {
	t.Parallel()
	fo := ServiceCenter{ID: 10, PropertyID: 1, Code: "FO"}
	rs := ServiceCenter{ID: 11, PropertyID: 1, Code: "RS"}
	other := ServiceCenter{ID: 12, PropertyID: 2, Code: "X"}
	u := StaffUser{ID: 1, Username: "a", Role: RoleAgent, ServiceCenterIDs: []int64{rs.ID, fo.ID}}
	// Centers come back ascending; one that is not the user's is ignored.
	p := NewStaffPrincipal(u, []ServiceCenter{rs, other, fo})
	if got := p.ServiceCenterIDs(); !slices.Equal(got, []int64{fo.ID, rs.ID}) {
		t.Fatalf("ServiceCenterIDs = %v", got)
	}
	if !slices.Equal(p.PropertyIDs, []int64{1}) {
		t.Fatalf("PropertyIDs = %v, want [1] (once)", p.PropertyIDs)
	}
	if p.User == nil || p.User.ID != 1 || p.APIKey != nil || p.Session != nil || p.IsAdmin() {
		t.Fatalf("principal %+v", p)
	}
	if p.String() != "user 1 (a)" {
		t.Fatalf("String = %q", p.String())
	}
	// The principal keeps its own copy of the user.
	u.Role = RoleAdmin
	if p.Role != RoleAgent || p.User.Role != RoleAgent {
		t.Fatal("the principal shares the caller's user")
	}

	k := NewAPIKeyPrincipal(APIKey{ID: 5, Role: RoleAdmin, Hash: []byte{1}})
	if !k.IsAdmin() || k.APIKey == nil || k.User != nil || k.String() != "api key 5" || len(k.ServiceCenterIDs()) != 0 {
		t.Fatalf("key principal %+v (%s)", k, k)
	}
	var nobody *Principal
	if nobody.IsAdmin() || nobody.String() != "nobody" {
		t.Fatal("nil principal")
	}
}

func TestRoleValid(t *testing.T) {
	t.Parallel()
	for _, r := range []Role{RoleAgent, RoleManager, RoleAdmin} {
		if !r.Valid() {
			t.Errorf("%q not valid", r)
		}
	}
	for _, r := range []Role{"", "Admin", "owner", "agent "} {
		if r.Valid() {
			t.Errorf("%q valid", r)
		}
	}
}
