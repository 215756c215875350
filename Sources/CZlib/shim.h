// zlib for gzip: the emulator's responses, kreconcile's large run records.
// deflateInit2/inflateInit2 are macros Swift cannot call.
#ifndef KRECONCILE_CZLIB_SHIM_H
#define KRECONCILE_CZLIB_SHIM_H

#include <zlib.h>

// windowBits 15 + 16 selects the gzip wrapper (header and CRC-32 trailer).
static inline int kr_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

static inline int kr_inflate_init_gzip(z_stream *s) {
    return inflateInit2(s, 15 + 16);
}

#endif
