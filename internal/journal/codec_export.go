package journal

// Decoder is this package's reader of Ceph's encoding, for the replies of
// other cls methods read by other engines (the mirror status listing): the
// same fuzzed code, not a copy. Like decoder, the first error sticks and
// later reads return zero values; check Err once at the end.
type Decoder struct{ d decoder }

// NewDecoder reads b from its start.
func NewDecoder(b []byte) *Decoder { return &Decoder{d: decoder{b: b}} }

func (x *Decoder) U8(what string) uint8   { return x.d.u8(what) }
func (x *Decoder) U32(what string) uint32 { return x.d.u32(what) }
func (x *Decoder) U64(what string) uint64 { return x.d.u64(what) }
func (x *Decoder) Bool(what string) bool  { return x.d.boolean(what) }
func (x *Decoder) Str(what string) string { return x.d.str(what) }

// Count reads a container length, each element taking at least minSize
// bytes (hostile counts fail instead of allocating).
func (x *Decoder) Count(what string, minSize int) int { return x.d.count(what, minSize) }

// Start reads an ENCODE_START header: the struct's version and where it
// ends; known is the newest version the caller understands.
func (x *Decoder) Start(what string, known uint8) (v uint8, end int) { return x.d.start(what, known) }

// Finish skips what a newer writer appended to a struct.
func (x *Decoder) Finish(what string, end int) { x.d.finish(what, end) }

// Err is the first error, a *DecodeError.
func (x *Decoder) Err() error { return x.d.err }

// Done says whether every byte has been read.
func (x *Decoder) Done() bool { return x.d.off == len(x.d.b) }

// Encoder writes Ceph's encoding (the inputs of cls methods).
type Encoder struct{ e encoder }

func (x *Encoder) Str(v string) { x.e.str(v) }
func (x *Encoder) U64(v uint64) { x.e.u64(v) }
func (x *Encoder) U32(v uint32) { x.e.u32(v) }
func (x *Encoder) U8(v uint8)   { x.e.u8(v) }
func (x *Encoder) Bool(v bool)  { x.e.boolean(v) }

// Start opens a versioned struct (ENCODE_START); Finish, given what Start
// returned, fills in its length.
func (x *Encoder) Start(v, compat uint8) int { return x.e.start(v, compat) }
func (x *Encoder) Finish(at int)             { x.e.finish(at) }

// Bytes is what has been written.
func (x *Encoder) Bytes() []byte { return x.e.b }
