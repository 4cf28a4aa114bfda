/*
 * chardev/chardev-internal.h — what the chardev backends share with the
 * registry; not for use outside chardev/.
 */
#ifndef CHARDEV_CHARDEV_INTERNAL_H
#define CHARDEV_CHARDEV_INTERNAL_H

#include "chardev/chardev.h"

extern const ChardevType chardev_file_type;
extern const ChardevType chardev_mux_type;
extern const ChardevType chardev_null_type;
extern const ChardevType chardev_stdio_type;

/* Shared by fd-based backends: write to @fd, returning bytes or -errno. */
int chardev_fd_write(int fd, const uint8_t *buf, size_t len);

#endif /* CHARDEV_CHARDEV_INTERNAL_H */
