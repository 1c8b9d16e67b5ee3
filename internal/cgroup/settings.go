package cgroup

import (
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/rbdtui/rbdtui/model"
)

// Journal options a group may set for its members. librbd reads an image's
// runtime journal tunables from image metadata "conf_<option>", so members
// carry those keys. The layout (rbd_journal_order, _splay_width, _pool) is
// refused as an image-level override ("not allowed image level override"):
// librbd reads it from the client's configuration when journaling is
// enabled, so attach enables it through a connection configured with it
// (see enableJournaling).
var journalOptions = map[string]bool{
	"rbd_journal_order":                           true,
	"rbd_journal_splay_width":                     true,
	"rbd_journal_pool":                            true,
	"rbd_journal_commit_age":                      true,
	"rbd_journal_object_writethrough_until_flush": true,
	"rbd_journal_object_flush_interval":           true,
	"rbd_journal_object_flush_bytes":              true,
	"rbd_journal_object_flush_age":                true,
	"rbd_journal_object_max_in_flight_appends":    true,
	"rbd_journal_max_payload_bytes":               true,
	"rbd_journal_max_concurrent_object_sets":      true,
}

// ParseJournalOption reads one --journal-option key=value. The key may be
// the full option name or its part after "rbd_journal_" ("commit_age",
// "commit-age").
func ParseJournalOption(kv string) (string, string, error) {
	k, v, ok := strings.Cut(kv, "=")
	k = strings.ReplaceAll(strings.TrimSpace(k), "-", "_")
	if !ok || k == "" || v == "" {
		return "", "", fmt.Errorf("journal option %q: expected key=value", kv)
	}
	if !strings.HasPrefix(k, "rbd_journal_") {
		k = "rbd_journal_" + k
	}
	if !journalOptions[k] {
		var names []string
		for n := range journalOptions {
			names = append(names, strings.TrimPrefix(n, "rbd_journal_"))
		}
		sort.Strings(names)
		return "", "", fmt.Errorf("journal option %q is not a journal setting (known: %s)", kv, strings.Join(names, ", "))
	}
	switch k {
	case "rbd_journal_pool":
	case "rbd_journal_commit_age", "rbd_journal_object_flush_age":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "", "", fmt.Errorf("journal option %s: %q is not a number of seconds", k, v)
		}
	case "rbd_journal_object_writethrough_until_flush":
		if v != "true" && v != "false" {
			return "", "", fmt.Errorf("journal option %s: %q is not true or false", k, v)
		}
	default:
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			return "", "", fmt.Errorf("journal option %s: %q is not a whole number", k, v)
		}
	}
	return k, v, nil
}

// OrderOf turns a journal object size into rbd's order (4K..64M, a power of
// two), as rbd --journal-object-size accepts it.
func OrderOf(size uint64) (int, error) {
	if size < 4<<10 || size > 64<<20 || size&(size-1) != 0 {
		return 0, fmt.Errorf("journal object size %d: must be a power of two between 4K and 64M", size)
	}
	return bits.TrailingZeros64(size), nil
}

// validate checks a group's journal settings.
func validate(j model.GroupJournal) error {
	if j.SplayWidth < 0 || j.SplayWidth > 255 {
		return fmt.Errorf("splay width %d: must be between 1 and 255", j.SplayWidth)
	}
	if j.Order != 0 && (j.Order < 12 || j.Order > 26) {
		return fmt.Errorf("journal order %d: must be between 12 (4K) and 26 (64M)", j.Order)
	}
	for k, v := range j.Options {
		if _, _, err := ParseJournalOption(k + "=" + v); err != nil {
			return err
		}
	}
	return nil
}

// confKeys is the image metadata a member carries for the group's journal
// tunables.
func confKeys(j model.GroupJournal) map[string]string {
	out := map[string]string{}
	for k, v := range j.Options {
		if !layoutOption(k) {
			out["conf_"+k] = v
		}
	}
	return out
}

func layoutOption(k string) bool {
	return k == "rbd_journal_pool" || k == "rbd_journal_splay_width" || k == "rbd_journal_order"
}

// layout is the client configuration that shapes a new journal.
func layout(j model.GroupJournal) map[string]string {
	out := map[string]string{}
	if j.ObjectPool != "" {
		out["rbd_journal_pool"] = j.ObjectPool
	}
	if j.SplayWidth > 0 {
		out["rbd_journal_splay_width"] = strconv.Itoa(j.SplayWidth)
	}
	if j.Order > 0 {
		out["rbd_journal_order"] = strconv.Itoa(j.Order)
	}
	return out
}

// isJournalConf reports whether an image metadata key is a journal override.
func isJournalConf(k string) bool {
	return strings.HasPrefix(k, "conf_rbd_journal_")
}
