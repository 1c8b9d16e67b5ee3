package cli_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
)

// `rbdtui __complete`, the completion scripts' callback, completes image
// names and specs from the selected site of the lab, and site names from
// the configuration.
func TestCompleteFromTheLab(t *testing.T) {
	st := labtest.Require(t)
	name := fmt.Sprintf("compl-%d", time.Now().UnixNano())
	a := st.Sites[0]
	mustRBD(t, a, "create", "--size", "4M", lab.Pool+"/"+name)
	t.Cleanup(func() { rbdCLI(t, a, lab.AdminClient, "rm", "--no-progress", lab.Pool+"/"+name) })

	code, out, _ := run(t, "__complete", "--config", st.ConfigPath(), "--site", a.Name, "mirror", "image", "status", lab.Pool+"/compl-")
	if code != 0 || !strings.Contains(out, lab.Pool+"/"+name+"\n") || !strings.HasSuffix(out, ":done\n") {
		t.Errorf("image spec completion: %d %q", code, out)
	}
	code, out, _ = run(t, "__complete", "--config", st.ConfigPath(), "--site", "")
	for _, s := range st.Sites {
		if code != 0 || !strings.Contains(out, s.Name+"\n") {
			t.Errorf("site completion: %d %q lacks %s", code, out, s.Name)
		}
	}
	// A name with a control character is never offered to the shell.
	evil := name + "-\x1b[2J"
	mustRBD(t, a, "create", "--size", "4M", lab.Pool+"/"+evil)
	t.Cleanup(func() { rbdCLI(t, a, lab.AdminClient, "rm", "--no-progress", lab.Pool+"/"+evil) })
	code, out, _ = run(t, "__complete", "--config", st.ConfigPath(), "--site", a.Name, "mirror", "image", "status", lab.Pool+"/compl-")
	if code != 0 || strings.Contains(out, "\x1b") || !strings.Contains(out, lab.Pool+"/"+name+"\n") {
		t.Errorf("completion with a control character in a name: %d %q", code, out)
	}
	// The other site does not hold the image (it is not mirrored).
	code, out, _ = run(t, "__complete", "--config", st.ConfigPath(), "--site", st.Sites[1].Name, "mirror", "image", "status", lab.Pool+"/compl-")
	if code != 0 || strings.Contains(out, name) {
		t.Errorf("site-b completion offers site-a's image: %d %q", code, out)
	}
}
