// Package journal is the journal engine: it reads and writes RBD journals
// over RADOS (header omap and cls_journal methods, data objects, entry
// framing and CRC, the librbd event catalogue) for info, status, inspect,
// export, import and reset. go-ceph has no journal API, so the on-disk
// format of ../shared/reference/journal-format.md is implemented here.
package journal
