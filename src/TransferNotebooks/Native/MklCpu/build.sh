#!/bin/sh
# Rebuilds libtransfernotebooks_mklcpu.so from mkl_intel_cpu_true.c (committed, embedded into TransferNotebooks.dll,
# so a build needs no C compiler). No libc, no executable stack, one exported function.
set -eu
cd "$(dirname "$0")"
gcc -O2 -fPIC -shared -nostdlib -s \
    -Wl,-soname,libtransfernotebooks_mklcpu.so -Wl,-z,noexecstack -Wl,--hash-style=both -Wl,-z,max-page-size=4096 -Wl,-z,noseparate-code \
    -o libtransfernotebooks_mklcpu.so mkl_intel_cpu_true.c
