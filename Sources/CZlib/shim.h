// zlib for the emulator's gzip responses. deflateInit2 is a macro Swift cannot call.
#ifndef KRECONCILE_CZLIB_SHIM_H
#define KRECONCILE_CZLIB_SHIM_H

#include <zlib.h>

// windowBits 15 + 16 selects the gzip wrapper (header and CRC-32 trailer).
static inline int kr_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

#endif
