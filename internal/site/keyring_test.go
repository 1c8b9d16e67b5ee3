package site

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKeyringType reads the key type from keyrings as Ceph writes them
// (keys taken from a Pacific and a Tentacle lab).
func TestKeyringType(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		key  string
		want int
	}{
		{"AQAklxVrxJPABxAAT9MqHY1c0ASqwKtwRrP1vA==", keyAES},
		{"AgD5lhVrcTKGESAAF4TZqC0YwyBe0MbWOTfGk1a4KLb4g/kmUOLcB5vPGKc=", keyAES256K},
		{"not base64!", 0},
	} {
		p := filepath.Join(dir, "k")
		if err := os.WriteFile(p, []byte("[client.other]\n\tkey = AQAklxVrxJPABxAAT9MqHY1c0ASqwKtwRrP1vA==\n[client.rbdtui]\n\tkey = "+c.key+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := keyringType(p, "client.rbdtui"); got != c.want {
			t.Errorf("key %s: type %d, want %d", c.key, got, c.want)
		}
	}
	if got := keyringType(filepath.Join(dir, "missing"), "client.rbdtui"); got != 0 {
		t.Errorf("missing keyring: type %d", got)
	}
}
