package journal

import "fmt"

// ObjectPosition is one entry's place: the data object it sits in and its
// (tag, entry) ids (§5).
type ObjectPosition struct {
	ObjectNumber uint64 `json:"object_number"`
	TagTID       uint64 `json:"tag_tid"`
	EntryTID     uint64 `json:"entry_tid"`
}

func (p ObjectPosition) String() string {
	return fmt.Sprintf("[object_number=%d, tag_tid=%d, entry_tid=%d]", p.ObjectNumber, p.TagTID, p.EntryTID)
}

// Client states (§5).
const (
	ClientConnected    = 0
	ClientDisconnected = 1
)

// Client is a registered journal client: the image itself (id ""), a mirror
// peer (id = its mirror uuid) or a tool.
type Client struct {
	ID string `json:"id"`
	// Data is the opaque client data (for librbd a ClientData, §11).
	Data []byte `json:"-"`
	// Commit is the commit position, most recent first, at most one per
	// splay offset.
	Commit []ObjectPosition `json:"commit_position"`
	State  uint8            `json:"-"`
}

// StateName is the state as rbd prints it.
func (c *Client) StateName() string { return stateName(c.State) }

func stateName(s uint8) string {
	switch s {
	case ClientConnected:
		return "connected"
	case ClientDisconnected:
		return "disconnected"
	}
	return fmt.Sprintf("unknown (%d)", s)
}

// Tag is one epoch of the journal: every entry carries the tid of the tag
// current when it was written.
type Tag struct {
	TID   uint64 `json:"tid"`
	Class uint64 `json:"tag_class"`
	Data  []byte `json:"-"`
}

func decodePosition(d *decoder) ObjectPosition {
	_, end := d.start("object position", 1)
	p := ObjectPosition{ObjectNumber: d.u64("object_number"), TagTID: d.u64("tag_tid"), EntryTID: d.u64("entry_tid")}
	d.finish("object position", end)
	return p
}

func encodePosition(e *encoder, p ObjectPosition) {
	at := e.start(1, 1)
	e.u64(p.ObjectNumber)
	e.u64(p.TagTID)
	e.u64(p.EntryTID)
	e.finish(at)
}

func decodeSetPosition(d *decoder) []ObjectPosition {
	_, end := d.start("object set position", 1)
	n := d.count("object positions", 30)
	out := make([]ObjectPosition, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, decodePosition(d))
	}
	d.finish("object set position", end)
	return out
}

func encodeSetPosition(e *encoder, ps []ObjectPosition) {
	at := e.start(1, 1)
	e.u32(uint32(len(ps)))
	for _, p := range ps {
		encodePosition(e, p)
	}
	e.finish(at)
}

// DecodeClient decodes a `client_<id>` omap value.
func DecodeClient(b []byte) (*Client, error) {
	d := &decoder{b: b}
	c := decodeClient(d)
	return c, d.err
}

func decodeClient(d *decoder) *Client {
	_, end := d.start("client", 1)
	c := &Client{ID: d.str("client id"), Data: d.bytes("client data")}
	c.Commit = decodeSetPosition(d)
	c.State = d.u8("client state")
	d.finish("client", end)
	return c
}

// EncodeClient encodes a client as the header omap stores it.
func EncodeClient(c *Client) []byte {
	e := &encoder{}
	at := e.start(1, 1)
	e.str(c.ID)
	e.bytes(c.Data)
	encodeSetPosition(e, c.Commit)
	e.u8(c.State)
	e.finish(at)
	return e.b
}

// DecodeTag decodes a `tag_<hex>` omap value.
func DecodeTag(b []byte) (*Tag, error) {
	d := &decoder{b: b}
	_, end := d.start("tag", 1)
	t := &Tag{TID: d.u64("tag tid"), Class: d.u64("tag class"), Data: d.bytes("tag data")}
	d.finish("tag", end)
	return t, d.err
}

// EncodeTag encodes a tag as the header omap stores it.
func EncodeTag(t *Tag) []byte {
	e := &encoder{}
	at := e.start(1, 1)
	e.u64(t.TID)
	e.u64(t.Class)
	e.bytes(t.Data)
	e.finish(at)
	return e.b
}

// TagData is librbd's payload of a tag (§10): who owned the image in this
// epoch and where the previous epoch ended.
type TagData struct {
	MirrorUUID  string         `json:"mirror_uuid"`
	Predecessor TagPredecessor `json:"predecessor"`
}

// TagPredecessor is the last commit of the previous owner.
type TagPredecessor struct {
	MirrorUUID  string `json:"mirror_uuid"`
	CommitValid bool   `json:"commit_valid"`
	TagTID      uint64 `json:"tag_tid"`
	EntryTID    uint64 `json:"entry_tid"`
}

// Owner names the tag's owner for people: local, orphan (demoted) or the
// remote peer's mirror uuid.
func (t *TagData) Owner() string {
	switch t.MirrorUUID {
	case "":
		return "local"
	case OrphanMirrorUUID:
		return "orphan (demoted)"
	}
	return "remote " + t.MirrorUUID
}

// OrphanMirrorUUID marks a demoted image's tag.
const OrphanMirrorUUID = "<orphan>"

// DecodeTagData decodes librbd's tag data (not versioned).
func DecodeTagData(b []byte) (*TagData, error) {
	d := &decoder{b: b}
	t := &TagData{MirrorUUID: d.str("tag mirror_uuid")}
	t.Predecessor.MirrorUUID = d.str("predecessor mirror_uuid")
	t.Predecessor.CommitValid = d.boolean("predecessor commit_valid")
	t.Predecessor.TagTID = d.u64("predecessor tag_tid")
	t.Predecessor.EntryTID = d.u64("predecessor entry_tid")
	return t, d.err
}

// EncodeTagData encodes librbd's tag data.
func EncodeTagData(t *TagData) []byte {
	e := &encoder{}
	e.str(t.MirrorUUID)
	e.str(t.Predecessor.MirrorUUID)
	e.boolean(t.Predecessor.CommitValid)
	e.u64(t.Predecessor.TagTID)
	e.u64(t.Predecessor.EntryTID)
	return e.b
}

// Client meta types of librbd's ClientData (§11).
const (
	MetaImageClient = 0
	MetaMirrorPeer  = 1
	MetaCLI         = 2
)

// ClientMeta is librbd's decoded client data.
type ClientMeta struct {
	Type            uint32      `json:"client_meta_type_code"`
	TypeName        string      `json:"client_meta_type"`
	TagClass        uint64      `json:"tag_class,omitempty"`
	ResyncRequested bool        `json:"resync_requested,omitempty"`
	ImageID         string      `json:"image_id,omitempty"`
	MirrorState     string      `json:"state,omitempty"`
	SyncObjectCount uint64      `json:"sync_object_count,omitempty"`
	SyncPoints      []SyncPoint `json:"sync_points,omitempty"`
	SnapSeqs        [][2]uint64 `json:"snap_seqs,omitempty"`
}

// SyncPoint is one image-sync checkpoint of a mirror peer.
type SyncPoint struct {
	SnapName     string  `json:"snap_name"`
	FromSnapName string  `json:"from_snap_name"`
	ObjectNumber *uint64 `json:"object_number,omitempty"`
}

// DecodeClientMeta decodes librbd's ClientData. The temporary clients of the
// rbd CLI register with empty data, which does not decode: that is an error
// the caller may show as "no data".
func DecodeClientMeta(b []byte) (*ClientMeta, error) {
	d := &decoder{b: b}
	v, end := d.start("client data", 2)
	m := &ClientMeta{Type: d.u32("client meta type")}
	switch m.Type {
	case MetaImageClient:
		m.TypeName = "Master Image"
		m.TagClass = d.u64("tag_class")
		m.ResyncRequested = d.boolean("resync_requested")
	case MetaMirrorPeer:
		m.TypeName = "Mirror Peer"
		m.ImageID = d.str("image_id")
		switch st := d.u32("state"); st {
		case 0:
			m.MirrorState = "Syncing"
		case 1:
			m.MirrorState = "Replaying"
		default:
			m.MirrorState = fmt.Sprintf("unknown (%d)", st)
		}
		m.SyncObjectCount = d.u64("sync_object_count")
		n := d.count("sync points", 9)
		for i := 0; i < n && d.err == nil; i++ {
			sp := SyncPoint{SnapName: d.str("snap_name"), FromSnapName: d.str("from_snap_name")}
			if d.boolean("object_number present") {
				x := d.u64("object_number")
				sp.ObjectNumber = &x
			}
			if v >= 2 {
				decodeSnapNamespace(d)
			}
			m.SyncPoints = append(m.SyncPoints, sp)
		}
		k := d.count("snap_seqs", 16)
		for i := 0; i < k && d.err == nil; i++ {
			m.SnapSeqs = append(m.SnapSeqs, [2]uint64{d.u64("local snap"), d.u64("peer snap")})
		}
	case MetaCLI:
		m.TypeName = "CLI Tool"
	default:
		m.TypeName = "Unknown"
	}
	d.finish("client data", end)
	return m, d.err
}

// EncodeImageClientMeta encodes the image client's data: ClientData v2 with
// ImageClientMeta.
func EncodeImageClientMeta(tagClass uint64, resync bool) []byte {
	e := &encoder{}
	at := e.start(2, 1)
	e.u32(MetaImageClient)
	e.u64(tagClass)
	e.boolean(resync)
	e.finish(at)
	return e.b
}

// EncodeCLIClientMeta encodes the data of a tool's client (ClientData v2,
// CliClientMeta). A client registered with no data at all, as the rbd CLI
// registers its temporary ones, makes librbd fail to disable mirroring (and
// so to remove the image) with EBADMSG while it stays registered.
func EncodeCLIClientMeta() []byte {
	e := &encoder{}
	at := e.start(2, 1)
	e.u32(MetaCLI)
	e.finish(at)
	return e.b
}
