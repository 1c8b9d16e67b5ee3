package cli

import (
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
	_, err = fmt.Fprintln(p.W, string(data))
	return err
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
