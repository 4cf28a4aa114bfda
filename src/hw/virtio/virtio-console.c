/*
 * hw/virtio/virtio-console.c — the ports of a virtio-serial device that
 * connect to a chardev: "virtconsole" (a console port: Linux's hvc0 when
 * it is port 0) and "virtserialport" (a named data port: /dev/vportNpM,
 * /dev/virtio-ports/NAME). Both take chardev=, nr= and name=.
 *
 * Guest output goes to the chardev as it arrives. Guest input follows
 * the chardev flow-control contract: can_read() offers only the room
 * left in a small buffer, read() fills it and hands as much as the
 * guest's receive buffers take to virtio_serial_port_write(); the rest
 * waits there until the guest queues more buffers (guest_writable) and
 * the backend is told to resume with chardev_accept_input(). While the
 * guest has the port closed nothing is accepted, so input waits in the
 * backend instead of being lost.
 */
#include "hw/virtio/virtio-serial.h"
#include "chardev/chardev.h"
#include "util/error.h"

/* Input held for the guest: one terminal's worth of burst. */
#define VIRTIO_CONSOLE_INBUF_SIZE 4096

typedef struct VirtioConsole {
    VirtioSerialPort port;      /* first */
    Chardev *chr;               /* chardev= */
    bool attached;
    size_t inbuf_len;
    uint8_t inbuf[VIRTIO_CONSOLE_INBUF_SIZE];
} VirtioConsole;

static VirtioConsole *virtio_console_from_port(VirtioSerialPort *port)
{
    return container_of(port, VirtioConsole, port);
}

/* Move buffered input into the guest; let the backend refill the room. */
static void virtio_console_flush_input(VirtioConsole *c)
{
    size_t n = virtio_serial_port_write(&c->port, c->inbuf, c->inbuf_len);

    if (n) {
        memmove(c->inbuf, c->inbuf + n, c->inbuf_len - n);
        c->inbuf_len -= n;
    }
    if (c->attached && c->port.guest_connected &&
        c->inbuf_len < sizeof(c->inbuf)) {
        chardev_accept_input(c->chr);
    }
}

/* --- chardev front end --- */

static int virtio_console_can_read(void *opaque)
{
    VirtioConsole *c = opaque;

    if (!c->port.guest_connected || !c->port.serial) {
        return 0;
    }
    return sizeof(c->inbuf) - c->inbuf_len;
}

static void virtio_console_read(void *opaque, const uint8_t *buf, size_t len)
{
    VirtioConsole *c = opaque;
    size_t room = sizeof(c->inbuf) - c->inbuf_len;

    /* can_read() bounded @len; anything beyond is a backend bug. */
    len = MIN(len, room);
    memcpy(c->inbuf + c->inbuf_len, buf, len);
    c->inbuf_len += len;
    virtio_console_flush_input(c);
}

static void virtio_console_event(void *opaque, ChardevEvent event)
{
    VirtioConsole *c = opaque;

    if (event == CHR_EVENT_OPENED) {
        virtio_serial_port_set_host_connected(&c->port, true);
    } else if (event == CHR_EVENT_CLOSED) {
        virtio_serial_port_set_host_connected(&c->port, false);
    }
}

/* --- port callbacks --- */

static void virtio_console_have_data(VirtioSerialPort *port,
                                     const uint8_t *buf, size_t len)
{
    VirtioConsole *c = virtio_console_from_port(port);

    if (c->attached) {
        chardev_write_all(c->chr, buf, len);
    }
}

static void virtio_console_guest_open(VirtioSerialPort *port, bool open)
{
    VirtioConsole *c = virtio_console_from_port(port);

    if (open) {
        virtio_console_flush_input(c);
    }
}

static void virtio_console_guest_writable(VirtioSerialPort *port)
{
    virtio_console_flush_input(virtio_console_from_port(port));
}

static const VirtioSerialPortOps virtio_console_port_ops = {
    .have_data = virtio_console_have_data,
    .guest_open = virtio_console_guest_open,
    .guest_writable = virtio_console_guest_writable,
};

/* --- device --- */

static bool virtio_console_realize_common(DeviceState *dev, bool is_console,
                                          Error **errp)
{
    VirtioConsole *c = container_of(dev, VirtioConsole, port.dev);

    c->port.ops = &virtio_console_port_ops;
    c->port.is_console = is_console;
    if (c->chr) {
        ChardevFrontend fe = {
            .can_read = virtio_console_can_read,
            .read = virtio_console_read,
            .event = virtio_console_event,
            .opaque = c,
        };

        if (!chardev_attach(c->chr, &fe, errp)) {
            return false;
        }
        c->attached = true;
    }
    if (!virtio_serial_port_attach(&c->port, errp)) {
        if (c->attached) {
            chardev_detach(c->chr);
            c->attached = false;
        }
        return false;
    }
    return true;
}

static bool virtconsole_realize(DeviceState *dev, Error **errp)
{
    return virtio_console_realize_common(dev, true, errp);
}

static bool virtserialport_realize(DeviceState *dev, Error **errp)
{
    return virtio_console_realize_common(dev, false, errp);
}

static void virtio_console_unrealize(DeviceState *dev)
{
    VirtioConsole *c = container_of(dev, VirtioConsole, port.dev);

    virtio_serial_port_detach(&c->port);
    if (c->attached) {
        chardev_detach(c->chr);
        c->attached = false;
    }
}

static const Property virtio_console_props[] = {
    DEFINE_PROP_CHARDEV("chardev", VirtioConsole, chr,
                        "the host side (-chardev id=)"),
    DEFINE_PROP_UINT32("nr", VirtioConsole, port.id,
                       VIRTIO_SERIAL_PORT_AUTO, "port number"),
    DEFINE_PROP_STRING("name", VirtioConsole, port.name,
                       "port name the guest sees"),
    DEFINE_PROP_END,
};

const DeviceType virtconsole_type = {
    .name = "virtconsole",
    .desc = "Virtio console port (hvc)",
    .category = "Input devices",
    .bus = DEVICE_BUS_VIRTIO_SERIAL,
    .instance_size = sizeof(VirtioConsole),
    .props = virtio_console_props,
    .user_creatable = true,
    .realize = virtconsole_realize,
    .unrealize = virtio_console_unrealize,
};

const DeviceType virtserialport_type = {
    .name = "virtserialport",
    .desc = "Virtio serial port",
    .category = "Input devices",
    .bus = DEVICE_BUS_VIRTIO_SERIAL,
    .instance_size = sizeof(VirtioConsole),
    .props = virtio_console_props,
    .user_creatable = true,
    .realize = virtserialport_realize,
    .unrealize = virtio_console_unrealize,
};
