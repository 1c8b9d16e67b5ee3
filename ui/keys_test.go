package ui

import (
	"slices"
	"strings"
	"testing"
)

func TestDefaultKeyMapHasNoDuplicateKeys(t *testing.T) {
	owner := map[string]string{}
	for _, b := range DefaultKeyMap().Bindings() {
		if b.Help == "" {
			t.Errorf("%s has no help text", b.Action)
		}
		// A key may be bound once per scope: a screen's own binding may
		// reuse a key of the tree (and wins on that screen).
		for _, k := range b.Keys {
			// A key may be bound once per scope (the tree, each screen).
			sk := b.Scope + "\x00" + k
			if prev, dup := owner[sk]; dup {
				t.Errorf("key %q bound to both %s and %s", k, prev, b.Action)
			}
			owner[sk] = b.Action
		}
	}
}

func TestRebindRejectsUnknownActions(t *testing.T) {
	km := DefaultKeyMap()
	err := km.Rebind(map[string][]string{"explode": {"x"}, "quit": {"Q"}, "zoom": {"z"}})
	if err == nil {
		t.Fatal("Rebind accepted unknown actions")
	}
	msg := err.Error()
	if !strings.Contains(msg, `"explode", "zoom"`) {
		t.Errorf("error %q does not name every unknown action", msg)
	}
	for _, a := range km.Actions() {
		if !strings.Contains(msg, a) {
			t.Errorf("error %q does not list valid action %q", msg, a)
		}
	}
	if b, _ := km.Match("q"); b.Action != ActionQuit {
		t.Error("a failed Rebind changed the KeyMap")
	}
	if _, ok := km.Match("Q"); ok {
		t.Error("a failed Rebind applied part of the change")
	}
}

func TestRebindValidation(t *testing.T) {
	tests := []struct {
		name string
		keys map[string][]string
		want string // substring of the error; "" means success
	}{
		{"empty list", map[string][]string{ActionQuit: {}}, `"quit": no keys`},
		{"blank key", map[string][]string{ActionQuit: {"q", " "}}, `"quit": empty key`},
		{"conflict", map[string][]string{ActionQuit: {"j"}}, `key "j" would be bound to both "down" and "quit"`},
		{"swap is fine", map[string][]string{ActionUp: {"j"}, ActionDown: {"k"}}, ""},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			km := DefaultKeyMap()
			before := km.Bindings()
			err := km.Rebind(tt.keys)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Rebind: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Rebind error = %v, want one containing %q", err, tt.want)
			case tt.want != "":
				after := km.Bindings()
				for i := range before {
					if !slices.Equal(before[i].Keys, after[i].Keys) {
						t.Errorf("failed Rebind changed %s", before[i].Action)
					}
				}
			}
		})
	}
}

func TestRebindApplies(t *testing.T) {
	km := DefaultKeyMap()
	in := []string{"p", "up"}
	if err := km.Rebind(map[string][]string{ActionUp: in}); err != nil {
		t.Fatal(err)
	}
	in[0] = "x" // Rebind must have copied the slice
	if b, ok := km.Match("p"); !ok || b.Action != ActionUp {
		t.Fatal("p does not move up after the rebind")
	}
	if _, ok := km.Match("k"); ok {
		t.Fatal("k still bound after the rebind")
	}
	if b, _ := km.Lookup(ActionUp); !slices.Equal(b.Keys, []string{"p", "up"}) {
		t.Fatalf("keys = %v", b.Keys)
	}
}

func TestBindingsReturnsCopies(t *testing.T) {
	km := DefaultKeyMap()
	bs := km.Bindings()
	bs[0].Keys[0] = "Z9"
	if _, ok := km.Match("Z9"); ok {
		t.Fatal("Bindings exposed the registry's own slices")
	}
}

func TestDisabledReasons(t *testing.T) {
	km := DefaultKeyMap()
	reason := func(action string, ctx KeyContext) string {
		b, _ := km.Lookup(action)
		return b.DisabledReason(ctx)
	}
	site := KeyContext{Node: NodeSite, ID: "site-a", Expanded: true, HasChildren: true}
	if r := reason(ActionExpand, site); r != "" {
		t.Errorf("expand on an open site with pools disabled: %q", r)
	}
	if r := reason(ActionExpand, KeyContext{Node: NodeSite, ID: "site-a", Expanded: true}); !strings.Contains(r, "no pools") {
		t.Errorf("expand into an empty site: %q", r)
	}
	if r := reason(ActionExpand, KeyContext{Node: NodePool}); r == "" {
		t.Error("expand on a pool should be disabled")
	}
	if r := reason(ActionCollapse, KeyContext{Node: NodeSite, ID: "site-a"}); !strings.Contains(r, "already collapsed") {
		t.Errorf("collapse on a closed site: %q", r)
	}
	if r := reason(ActionRefresh, KeyContext{Refreshing: true}); r == "" {
		t.Error("refresh during a refresh should be disabled")
	}
	if r := reason(ActionQuit, KeyContext{}); r != "" {
		t.Errorf("quit disabled: %q", r)
	}
}
