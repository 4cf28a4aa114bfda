/*
 * hw/virtio/virtio-rng.c — the entropy device, "virtio-rng-device"
 * (virtio 1.2 §5.4): one request queue whose device-writable buffers are
 * filled with bytes from the host's getrandom().
 *
 * getrandom() on an initialised host pool never blocks, so requests are
 * served synchronously in the queue handler. A buffer is filled up to
 * max-bytes per element, so one huge guest buffer cannot make the vCPU's
 * notify write take long; the driver simply asks again. If the host
 * cannot deliver (pool not yet initialised at early boot), the element is
 * put back and served on the next notification.
 */
#include "hw/virtio/virtio.h"
#include "util/error.h"

#include <sys/random.h>

typedef struct VirtioRng {
    VirtioDevice vdev;
    uint32_t max_bytes;         /* per element */
    VirtQueue *vq;
} VirtioRng;

/* Fill @elem's writable buffers; returns bytes written or -errno. */
static int64_t virtio_rng_fill(VirtioRng *s, VirtQueueElement *elem)
{
    uint64_t left = MIN(elem->in_len, (uint64_t)s->max_bytes);
    int64_t done = 0;

    for (unsigned i = 0; i < elem->in_num && left; i++) {
        uint8_t *p = elem->in_sg[i].iov_base;
        size_t want = MIN(elem->in_sg[i].iov_len, left);

        while (want) {
            ssize_t n = getrandom(p, want, GRND_NONBLOCK);

            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return done ? done : -errno;
            }
            p += n;
            want -= n;
            left -= n;
            done += n;
        }
    }
    return done;
}

static void virtio_rng_handle_request(VirtioDevice *vdev, VirtQueue *vq)
{
    VirtioRng *s = container_of(vdev, VirtioRng, vdev);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        int64_t n = virtio_rng_fill(s, elem);

        if (n < 0) {
            virtqueue_unpop(vq, elem);
            free(elem);
            break;
        }
        virtqueue_push(vq, elem, n);
        pushed = true;
        free(elem);
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

/* No config space, and nothing is ever in flight at a reset. */
static const VirtioDeviceOps virtio_rng_ops = { 0 };

static bool virtio_rng_realize(DeviceState *dev, Error **errp)
{
    VirtioRng *s = container_of(dev, VirtioRng, vdev.dev);

    if (s->max_bytes == 0) {
        error_setg(errp, "'max-bytes' parameter must be non-zero");
        return false;
    }
    virtio_init(&s->vdev, &virtio_rng_ops, VIRTIO_ID_RNG, 0);
    s->vq = virtio_add_queue(&s->vdev, 8, virtio_rng_handle_request);
    return virtio_attach(&s->vdev, errp);
}

static void virtio_rng_unrealize(DeviceState *dev)
{
    virtio_cleanup(container_of(dev, VirtioDevice, dev));
}

static void virtio_rng_reset(DeviceState *dev)
{
    virtio_reset(container_of(dev, VirtioDevice, dev));
}

static const Property virtio_rng_props[] = {
    DEFINE_PROP_UINT32("max-bytes", VirtioRng, max_bytes, 64 * 1024,
                       "most bytes handed out per request"),
    DEFINE_PROP_END,
};

const DeviceType virtio_rng_device_type = {
    .name = "virtio-rng-device",
    .desc = "Virtio entropy source",
    .category = "Misc devices",
    .bus = DEVICE_BUS_VIRTIO,
    .instance_size = sizeof(VirtioRng),
    .props = virtio_rng_props,
    .user_creatable = true,
    .realize = virtio_rng_realize,
    .unrealize = virtio_rng_unrealize,
    .reset = virtio_rng_reset,
};
