package journal

// CachedReadBuffers says how many object read buffers exports gave back.
func CachedReadBuffers() int { return objBufs.cached() }
