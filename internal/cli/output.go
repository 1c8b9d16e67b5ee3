package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Printer writes a command's result in the chosen format.
type Printer struct {
	W      io.Writer
	Format string // plain or json
	Pretty bool
}

// JSON reports whether JSON output was asked for.
func (p *Printer) JSON() bool { return p.Format == "json" }

// Value writes v as JSON (compact like rbd, or indented with --pretty-format).
func (p *Printer) Value(v any) error {
	if s, ok := v.(jsonStreamer); ok && !p.Pretty {
		bw := bufio.NewWriterSize(p.W, 64<<10)
		if err := s.WriteJSON(bw); err != nil {
			return err
		}
		if err := bw.WriteByte('\n'); err != nil {
			return err
		}
		return bw.Flush()
	}
	var data []byte
	var err error
	if p.Pretty {
		data, err = json.MarshalIndent(v, "", "    ")
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	_, err = p.W.Write(append(data, '\n'))
	return err
}

// jsonStreamer is a value too large to marshal whole that writes itself
// exactly as json.Marshal would (mirror.PoolStatus).
type jsonStreamer interface {
	WriteJSON(w io.Writer) error
}

// Table writes rows under a header, aligned, the way rbd prints tables.
func (p *Printer) Table(header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(p.W, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
