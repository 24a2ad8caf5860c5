/*
 * Dirty memory on demand, for GenLab's NaN regression tests (LD_PRELOAD=libgenlab_poison_alloc.so).
 *
 * libtorch's CPU allocator (libc10) takes every tensor buffer from posix_memalign. This library stands in front of
 * glibc's posix_memalign and fills every block it returns with 0xffededed -- the pixel a freed SkiaSharp bitmap
 * leaves behind, a NaN as float32 -- which is what made oneDNN's convolution backward produce NaN on AMD family 26
 * (../shared/notes/nan-onednn.md). It works beneath libc10, so unlike libc10's junk-fill flag it can be combined with
 * libc10's zero fill: a process that zeroes its tensors must still train finite with this library loaded.
 *
 * At exit it appends "<pid> <blocks poisoned>" to the file named by GENLAB_POISON_REPORT (child processes such as git
 * inherit the library and add their own line), so a test can tell that the library was really loaded in the process
 * under test (a test that passes because the poison never arrived proves nothing).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*posix_memalign_fn)(void **, size_t, size_t);

static posix_memalign_fn real_posix_memalign;
static unsigned long poisoned_blocks;

static void poison(void *block, size_t size)
{
    static const uint32_t pattern = 0xffedededu;
    unsigned char *bytes = block;
    size_t i = 0;
    for (; i + sizeof pattern <= size; i += sizeof pattern) memcpy(bytes + i, &pattern, sizeof pattern);
    memset(bytes + i, 0xff, size - i);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (real_posix_memalign == NULL) real_posix_memalign = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
    int rc = real_posix_memalign(out, alignment, size);
    if (rc == 0 && size > 0)
    {
        poison(*out, size);
        __atomic_add_fetch(&poisoned_blocks, 1, __ATOMIC_RELAXED);
    }
    return rc;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("GENLAB_POISON_REPORT");
    if (path == NULL) return;
    char text[48];
    int length = snprintf(text, sizeof text, "%ld %lu\n", (long)getpid(), __atomic_load_n(&poisoned_blocks, __ATOMIC_RELAXED));
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return;
    if (write(fd, text, (size_t)length) < 0) { /* nothing to do: the test reports the missing count */ }
    close(fd);
}
