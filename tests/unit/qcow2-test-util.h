/*
 * tests/unit/qcow2-test-util.h — helpers shared by the test-qcow2-*
 * unit tests: scratch files, image creation from an option string,
 * deterministic data patterns, raw access to an image file (for
 * crafting and inspecting metadata) and the peer qemu-img.
 */
#ifndef TESTS_UNIT_QCOW2_TEST_UTIL_H
#define TESTS_UNIT_QCOW2_TEST_UTIL_H

#include "block/block.h"

/* A file name in a per-process scratch directory (caller frees). */
char *qt_path(const char *name);
/* Remove the scratch directory and everything in it. */
void qt_cleanup(void);

/* Create a qcow2 (or @fmt) image; @opts is a "-o" string or NULL.
 * Fails the test on error. */
void qt_create(const char *fmt, const char *path, uint64_t size,
               const char *opts);
/* Open with @flags, failing the test (with the message) if it cannot. */
BlockBackend *qt_open(const char *path, const char *fmt, int flags);
/* Open and return NULL with the message in @msg (malloc'd) on failure. */
BlockBackend *qt_try_open(const char *path, const char *fmt, int flags,
                          char **msg);

/* Byte @i of pattern @seed. */
uint8_t qt_pattern_byte(unsigned seed, uint64_t i);
void qt_fill(uint8_t *buf, uint64_t offset, uint64_t len, unsigned seed);
/* Write/verify pattern @seed at [offset, offset+len) (seed 0: zeroes). */
void qt_write_pattern(BlockBackend *blk, uint64_t offset, uint64_t len,
                      unsigned seed);
void qt_check_pattern(BlockBackend *blk, uint64_t offset, uint64_t len,
                      unsigned seed);
/* bdrv_check() must find nothing wrong. */
void qt_check_clean(BlockBackend *blk);

/* Raw file access, for crafting and inspecting images. */
void qt_file_read(const char *path, uint64_t offset, void *buf,
                  size_t len);
void qt_file_write(const char *path, uint64_t offset, const void *buf,
                   size_t len);
uint64_t qt_file_be64(const char *path, uint64_t offset);
void qt_file_set_be64(const char *path, uint64_t offset, uint64_t v);
uint32_t qt_file_be32(const char *path, uint64_t offset);
void qt_file_set_be32(const char *path, uint64_t offset, uint32_t v);
uint64_t qt_file_size(const char *path);

/* The peer: is qemu-img (qemu-io) installed? */
bool qt_have_qemu_img(void);
/* Run a shell command; returns its exit status (output to the log). */
int qt_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TESTS_UNIT_QCOW2_TEST_UTIL_H */
