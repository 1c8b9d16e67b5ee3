// Package model holds rbdtui's domain types: sites, pools, images, their
// mirroring state, and the Backend interface through which the console reaches
// the engines. Nothing here performs I/O, so the UI and its tests can depend on
// it without linking librados.
package model
