package journal

import "testing"

func TestLastEntry(t *testing.T) {
	var b []byte
	for i := uint64(0); i < 5; i++ {
		b = AppendFrame(b, 3, 100+i, make([]byte, 4096))
	}
	full := len(b)
	// A torn entry at the end (the writer's append in flight) is not one.
	b = AppendFrame(b, 3, 105, make([]byte, 4096))[:full+100]
	for _, tc := range []struct {
		name string
		buf  []byte
		want *ObjectPosition
	}{
		{"whole", b[:full], &ObjectPosition{TagTID: 3, EntryTID: 104}},
		{"torn tail", b, &ObjectPosition{TagTID: 3, EntryTID: 104}},
		{"starts mid-entry", b[5000:], &ObjectPosition{TagTID: 3, EntryTID: 104}},
		{"no whole entry", b[full-10:], nil},
		{"empty", nil, nil},
	} {
		got := lastEntry(tc.buf)
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
