/*
 * hw/virtio/virtio-serial.c — "virtio-serial-device": the virtio console
 * device with VIRTIO_CONSOLE_F_MULTIPORT (virtio 1.2 §5.3), as QEMU's
 * virtio-serial; ports plug in as separate devices (virtio-console.c).
 *
 * Queues (§5.3.2): port 0 receiveq/transmitq are 0 and 1, the control
 * receiveq/transmitq 2 and 3, and port N >= 1 uses 2N+2 and 2N+3; all
 * max_ports pairs exist from the start.
 *
 * Control protocol (§5.3.6.2), messages {le32 id; le16 event; le16 value}:
 *   driver DEVICE_READY(1) → device sends DEVICE_ADD for every port;
 *   driver PORT_READY(id, 1) → device sends CONSOLE_PORT if it is a
 *     console, PORT_NAME if it has a name, PORT_OPEN(1) if our side is
 *     connected;
 *   PORT_OPEN travels both ways as either side opens or closes.
 * Messages to the driver wait in a list while it has no control receive
 * buffers, so none is lost. Without MULTIPORT only port 0 exists, and it
 * counts as open once the driver is ready (DRIVER_OK).
 *
 * Guest output (transmitq) goes to the port synchronously; guest input is
 * pushed by the port with virtio_serial_port_write(), which never takes
 * more than the available receive buffers hold.
 */
#include "hw/virtio/virtio-serial.h"
#include "hw/virtio/virtio.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/log.h"

#define VIRTIO_CONSOLE_F_SIZE           0
#define VIRTIO_CONSOLE_F_MULTIPORT      1
#define VIRTIO_CONSOLE_F_EMERG_WRITE    2

/* Control events (§5.3.6.2). */
#define VIRTIO_CONSOLE_DEVICE_READY     0
#define VIRTIO_CONSOLE_DEVICE_ADD       1
#define VIRTIO_CONSOLE_DEVICE_REMOVE    2
#define VIRTIO_CONSOLE_PORT_READY       3
#define VIRTIO_CONSOLE_CONSOLE_PORT     4
#define VIRTIO_CONSOLE_RESIZE           5
#define VIRTIO_CONSOLE_PORT_OPEN        6
#define VIRTIO_CONSOLE_PORT_NAME        7

/* Config (§5.3.4): le16 cols, le16 rows, le32 max_nr_ports, le32 emerg_wr */
#define VIRTIO_CONSOLE_CFG_MAX_NR_PORTS 4
#define VIRTIO_CONSOLE_CFG_EMERG_WR     8
#define VIRTIO_CONSOLE_CFG_SIZE         12

#define VIRTIO_SERIAL_DATA_QUEUE_SIZE   128
#define VIRTIO_SERIAL_CTRL_QUEUE_SIZE   32
/* Ports a device may have: QEMU's default max_ports. */
#define VIRTIO_SERIAL_MAX_PORTS         31

/* A control message waiting for a control receive buffer. */
typedef struct VirtioSerialCtrlMsg {
    size_t len;
    struct VirtioSerialCtrlMsg *next;
    uint8_t data[];
} VirtioSerialCtrlMsg;

struct VirtioSerial {
    VirtioDevice vdev;          /* first */
    uint32_t max_ports;         /* property max_ports */
    bool emergency_write;       /* property emergency-write */
    VirtioSerialPort *ports;
    bool driver_ready;          /* DEVICE_READY received */
    VirtioSerialCtrlMsg *ctrl_pending, **ctrl_pending_tail;
    DeviceBus port_bus;
    char *port_bus_name;
    VirtQueue *c_ivq;           /* control receiveq (device → driver) */
};

static VirtioSerial *virtio_serial_from_vdev(VirtioDevice *vdev)
{
    return container_of(vdev, VirtioSerial, vdev);
}

static bool virtio_serial_multiport(VirtioSerial *s)
{
    return virtio_has_feature(&s->vdev, VIRTIO_CONSOLE_F_MULTIPORT);
}

static VirtioSerialPort *virtio_serial_find_port(VirtioSerial *s,
                                                 uint32_t id)
{
    for (VirtioSerialPort *p = s->ports; p; p = p->next) {
        if (p->id == id) {
            return p;
        }
    }
    return NULL;
}

/* Receive (device → driver) and transmit queue numbers of port @id. */
static unsigned virtio_serial_rx_queue(uint32_t id)
{
    return id == 0 ? 0 : 2 * id + 2;
}

/* The port a data queue belongs to. */
static uint32_t virtio_serial_queue_port(unsigned index)
{
    return index < 2 ? 0 : (index - 2) / 2;
}

/* --- control messages to the driver --- */

static void virtio_serial_flush_ctrl(VirtioSerial *s)
{
    VirtQueueElement *elem;
    bool pushed = false;

    while (s->ctrl_pending && (elem = virtqueue_pop(s->c_ivq,
                                                    sizeof(*elem)))) {
        VirtioSerialCtrlMsg *msg = s->ctrl_pending;
        size_t n = virtio_iov_from_buf(elem->in_sg, elem->in_num, 0,
                                       msg->data, msg->len);

        virtqueue_push(s->c_ivq, elem, n);
        free(elem);
        pushed = true;
        s->ctrl_pending = msg->next;
        if (!s->ctrl_pending) {
            s->ctrl_pending_tail = &s->ctrl_pending;
        }
        free(msg);
    }
    if (pushed) {
        virtio_notify(&s->vdev, s->c_ivq);
    }
}

static void virtio_serial_send_ctrl(VirtioSerial *s, uint32_t id,
                                    uint16_t event, uint16_t value,
                                    const char *extra)
{
    size_t extra_len = extra ? strlen(extra) : 0;
    VirtioSerialCtrlMsg *msg = xzalloc(sizeof(*msg) + 8 + extra_len);

    if (!virtio_serial_multiport(s)) {
        free(msg);
        return;
    }
    memcpy(msg->data, &id, 4);
    memcpy(msg->data + 4, &event, 2);
    memcpy(msg->data + 6, &value, 2);
    if (extra_len) {
        memcpy(msg->data + 8, extra, extra_len);
    }
    msg->len = 8 + extra_len;
    *s->ctrl_pending_tail = msg;
    s->ctrl_pending_tail = &msg->next;
    virtio_serial_flush_ctrl(s);
}

static void virtio_serial_drop_ctrl(VirtioSerial *s)
{
    while (s->ctrl_pending) {
        VirtioSerialCtrlMsg *msg = s->ctrl_pending;

        s->ctrl_pending = msg->next;
        free(msg);
    }
    s->ctrl_pending_tail = &s->ctrl_pending;
}

static void virtio_serial_set_guest_connected(VirtioSerialPort *port,
                                              bool open)
{
    if (port->guest_connected == open) {
        return;
    }
    port->guest_connected = open;
    if (port->ops->guest_open) {
        port->ops->guest_open(port, open);
    }
}

/* --- control messages from the driver --- */

static void virtio_serial_port_ready(VirtioSerial *s, VirtioSerialPort *port)
{
    if (port->is_console) {
        virtio_serial_send_ctrl(s, port->id, VIRTIO_CONSOLE_CONSOLE_PORT, 1,
                                NULL);
    }
    if (port->name) {
        virtio_serial_send_ctrl(s, port->id, VIRTIO_CONSOLE_PORT_NAME, 1,
                                port->name);
    }
    if (port->host_connected) {
        virtio_serial_send_ctrl(s, port->id, VIRTIO_CONSOLE_PORT_OPEN, 1,
                                NULL);
    }
}

static void virtio_serial_handle_ctrl_msg(VirtioSerial *s, uint32_t id,
                                          uint16_t event, uint16_t value)
{
    VirtioSerialPort *port;

    if (event == VIRTIO_CONSOLE_DEVICE_READY) {
        if (!value) {
            log_guest(s->vdev.log, LOG_GUEST_ERROR, "%s: the driver failed "
                      "to initialise the device\n", virtio_name(&s->vdev));
            return;
        }
        s->driver_ready = true;
        for (port = s->ports; port; port = port->next) {
            virtio_serial_send_ctrl(s, port->id, VIRTIO_CONSOLE_DEVICE_ADD, 1,
                                    NULL);
        }
        return;
    }
    port = virtio_serial_find_port(s, id);
    if (!port) {
        log_guest(s->vdev.log, LOG_GUEST_ERROR, "%s: control event %u for "
                  "nonexistent port %u\n", virtio_name(&s->vdev), event, id);
        return;
    }
    switch (event) {
    case VIRTIO_CONSOLE_PORT_READY:
        if (!value) {
            log_guest(s->vdev.log, LOG_GUEST_ERROR, "%s: the driver failed "
                      "to add port %u\n", virtio_name(&s->vdev), id);
            return;
        }
        virtio_serial_port_ready(s, port);
        break;
    case VIRTIO_CONSOLE_PORT_OPEN:
        virtio_serial_set_guest_connected(port, value);
        break;
    default:
        log_guest(s->vdev.log, LOG_GUEST_ERROR, "%s: unexpected control "
                  "event %u for port %u\n", virtio_name(&s->vdev), event, id);
        break;
    }
}

static void virtio_serial_handle_ctrl_out(VirtioDevice *vdev, VirtQueue *vq)
{
    VirtioSerial *s = virtio_serial_from_vdev(vdev);
    VirtQueueElement *elem;

    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        uint8_t msg[8];

        if (virtio_iov_to_buf(elem->out_sg, elem->out_num, 0, msg,
                              sizeof(msg)) == sizeof(msg)) {
            uint32_t id;
            uint16_t event, value;

            memcpy(&id, msg, 4);
            memcpy(&event, msg + 4, 2);
            memcpy(&value, msg + 6, 2);
            virtio_serial_handle_ctrl_msg(s, id, event, value);
        } else {
            log_guest(vdev->log, LOG_GUEST_ERROR, "%s: control message of "
                      "%" PRIu64 " bytes is too short\n", virtio_name(vdev),
                      elem->out_len);
        }
        virtqueue_push(vq, elem, 0);
        free(elem);
    }
    virtio_notify(vdev, vq);
}

static void virtio_serial_handle_ctrl_in(VirtioDevice *vdev, VirtQueue *vq)
{
    virtio_serial_flush_ctrl(virtio_serial_from_vdev(vdev));
}

/* --- data --- */

/* Guest output on a port's transmitq. */
static void virtio_serial_handle_output(VirtioDevice *vdev, VirtQueue *vq)
{
    VirtioSerial *s = virtio_serial_from_vdev(vdev);
    VirtioSerialPort *port =
        virtio_serial_find_port(s, virtio_serial_queue_port(vq->index));
    VirtQueueElement *elem;

    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        /* Without a port (or before it is ready) the data is dropped, as
         * a disconnected line would. */
        for (unsigned i = 0; port && i < elem->out_num; i++) {
            if (port->ops->have_data && elem->out_sg[i].iov_len) {
                port->ops->have_data(port, elem->out_sg[i].iov_base,
                                     elem->out_sg[i].iov_len);
            }
        }
        virtqueue_push(vq, elem, 0);
        free(elem);
    }
    virtio_notify(vdev, vq);
}

/* The guest added receive buffers to a port's receiveq. */
static void virtio_serial_handle_input(VirtioDevice *vdev, VirtQueue *vq)
{
    VirtioSerial *s = virtio_serial_from_vdev(vdev);
    VirtioSerialPort *port =
        virtio_serial_find_port(s, virtio_serial_queue_port(vq->index));

    if (port && port->ops->guest_writable) {
        port->ops->guest_writable(port);
    }
}

size_t virtio_serial_port_write(VirtioSerialPort *port, const uint8_t *buf,
                                size_t len)
{
    VirtioSerial *s = port->serial;
    VirtQueueElement *elem;
    VirtQueue *vq;
    size_t done = 0;

    if (!s || !port->guest_connected || !len) {
        return 0;
    }
    vq = virtio_get_queue(&s->vdev, virtio_serial_rx_queue(port->id));
    while (done < len && (elem = virtqueue_pop(vq, sizeof(*elem)))) {
        size_t n = virtio_iov_from_buf(elem->in_sg, elem->in_num, 0,
                                       buf + done, len - done);

        virtqueue_push(vq, elem, n);
        free(elem);
        done += n;
    }
    if (done) {
        virtio_notify(&s->vdev, vq);
    }
    return done;
}

void virtio_serial_port_set_host_connected(VirtioSerialPort *port,
                                           bool connected)
{
    if (port->host_connected == connected) {
        return;
    }
    port->host_connected = connected;
    if (port->serial && port->serial->driver_ready) {
        virtio_serial_send_ctrl(port->serial, port->id,
                                VIRTIO_CONSOLE_PORT_OPEN, connected, NULL);
    }
}

/* --- ports plugging in --- */

/*
 * Plugging checks an explicit nr= against the device; a port number is
 * chosen (and the console rule applied) when the port attaches at the end
 * of its realize, when the port knows whether it is a console.
 */
static bool virtio_serial_port_bus_plug(DeviceBus *bus, DeviceState *dev,
                                        Error **errp)
{
    VirtioSerial *s = bus->opaque;
    VirtioSerialPort *port = container_of(dev, VirtioSerialPort, dev);
    uint32_t id = port->id;

    if (id != VIRTIO_SERIAL_PORT_AUTO) {
        if (id >= s->max_ports) {
            error_setg(errp, "Out-of-range port id specified, max. "
                       "allowed: %u", s->max_ports - 1);
            return false;
        }
        if (virtio_serial_find_port(s, id)) {
            error_setg(errp, "A port already exists at id %u", id);
            return false;
        }
    }
    dev->bus_parent = &s->vdev.dev;
    return true;
}

bool virtio_serial_port_attach(VirtioSerialPort *port, Error **errp)
{
    VirtioSerial *s;
    uint32_t id = port->id;

    if (!port->dev.bus_parent) {
        error_setg(errp, "a virtio-serial port needs a virtio-serial device");
        return false;
    }
    s = container_of(port->dev.bus_parent, VirtioSerial, vdev.dev);
    if (id == VIRTIO_SERIAL_PORT_AUTO) {
        /* Port 0 is kept for a console, as QEMU does for old guests. */
        id = port->is_console && !virtio_serial_find_port(s, 0) ? 0 : 1;
        while (id < s->max_ports && virtio_serial_find_port(s, id)) {
            id++;
        }
        if (id >= s->max_ports) {
            error_setg(errp, "Maximum port limit for this device reached");
            return false;
        }
    } else if (id == 0 && !port->is_console) {
        error_setg(errp, "Port number 0 on virtio-serial devices reserved "
                   "for virtconsole devices for backward compatibility");
        return false;
    }
    port->id = id;
    port->serial = s;
    port->next = s->ports;
    s->ports = port;
    if (s->driver_ready) {
        virtio_serial_send_ctrl(s, port->id, VIRTIO_CONSOLE_DEVICE_ADD, 1,
                                NULL);
    }
    return true;
}

void virtio_serial_port_detach(VirtioSerialPort *port)
{
    VirtioSerial *s = port->serial;

    if (!s) {
        return;
    }
    for (VirtioSerialPort **p = &s->ports; *p; p = &(*p)->next) {
        if (*p == port) {
            *p = port->next;
            break;
        }
    }
    if (s->driver_ready) {
        virtio_serial_send_ctrl(s, port->id, VIRTIO_CONSOLE_DEVICE_REMOVE, 1,
                                NULL);
    }
    port->serial = NULL;
}

/* --- the device --- */

static void virtio_serial_get_config(VirtioDevice *vdev, uint8_t *config)
{
    VirtioSerial *s = virtio_serial_from_vdev(vdev);

    memset(config, 0, VIRTIO_CONSOLE_CFG_SIZE);
    memcpy(config + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS, &s->max_ports, 4);
}

static void virtio_serial_set_config(VirtioDevice *vdev,
                                     const uint8_t *config)
{
    VirtioSerial *s = virtio_serial_from_vdev(vdev);
    VirtioSerialPort *port = virtio_serial_find_port(s, 0);
    uint32_t emerg;

    /* emerg_wr: one character for port 0, even before it is set up. */
    memcpy(&emerg, config + VIRTIO_CONSOLE_CFG_EMERG_WR, 4);
    if (virtio_has_feature(vdev, VIRTIO_CONSOLE_F_EMERG_WRITE) && emerg &&
        port && port->ops->have_data) {
        uint8_t c = emerg;

        port->ops->have_data(port, &c, 1);
    }
}

static void virtio_serial_set_status(VirtioDevice *vdev, uint8_t status)
{
    VirtioSerial *s = virtio_serial_from_vdev(vdev);
    VirtioSerialPort *port = virtio_serial_find_port(s, 0);

    /* A single-port driver has port 0 open as soon as it is running. */
    if (port && !virtio_serial_multiport(s) &&
        (status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        virtio_serial_set_guest_connected(port, true);
    }
}

static void virtio_serial_reset(VirtioDevice *vdev)
{
    VirtioSerial *s = virtio_serial_from_vdev(vdev);

    s->driver_ready = false;
    virtio_serial_drop_ctrl(s);
    for (VirtioSerialPort *p = s->ports; p; p = p->next) {
        virtio_serial_set_guest_connected(p, false);
    }
}

static const VirtioDeviceOps virtio_serial_ops = {
    .get_config = virtio_serial_get_config,
    .set_config = virtio_serial_set_config,
    .set_status = virtio_serial_set_status,
    .reset = virtio_serial_reset,
};

static bool virtio_serial_realize(DeviceState *dev, Error **errp)
{
    VirtioSerial *s = container_of(dev, VirtioSerial, vdev.dev);
    VirtioDevice *vdev = &s->vdev;
    Machine *m = dev->machine;

    if (s->max_ports == 0 || s->max_ports > VIRTIO_SERIAL_MAX_PORTS) {
        error_setg(errp, "max_ports must be between 1 and %u",
                   VIRTIO_SERIAL_MAX_PORTS);
        return false;
    }
    s->ctrl_pending_tail = &s->ctrl_pending;
    vdev->host_features = virtio_bit(VIRTIO_CONSOLE_F_MULTIPORT);
    if (s->emergency_write) {
        vdev->host_features |= virtio_bit(VIRTIO_CONSOLE_F_EMERG_WRITE);
    }
    virtio_init(vdev, &virtio_serial_ops, VIRTIO_ID_CONSOLE,
                VIRTIO_CONSOLE_CFG_SIZE);
    for (uint32_t id = 0; id < s->max_ports; id++) {
        virtio_add_queue(vdev, VIRTIO_SERIAL_DATA_QUEUE_SIZE,
                         virtio_serial_handle_input);
        virtio_add_queue(vdev, VIRTIO_SERIAL_DATA_QUEUE_SIZE,
                         virtio_serial_handle_output);
        if (id == 0) {
            s->c_ivq = virtio_add_queue(vdev, VIRTIO_SERIAL_CTRL_QUEUE_SIZE,
                                        virtio_serial_handle_ctrl_in);
            virtio_add_queue(vdev, VIRTIO_SERIAL_CTRL_QUEUE_SIZE,
                             virtio_serial_handle_ctrl_out);
        }
    }
    if (!virtio_attach(vdev, errp)) {
        return false;
    }
    /* Last: ports can be plugged from now on. */
    if (m) {
        unsigned n = 0;

        for (DeviceBus *b = m->buses; b; b = b->next) {
            n += b->kind == DEVICE_BUS_VIRTIO_SERIAL;
        }
        s->port_bus_name = xasprintf("virtio-serial-bus.%u", n);
        s->port_bus.kind = DEVICE_BUS_VIRTIO_SERIAL;
        s->port_bus.name = s->port_bus_name;
        s->port_bus.plug = virtio_serial_port_bus_plug;
        s->port_bus.opaque = s;
        machine_add_bus(m, &s->port_bus);
    }
    return true;
}

static void virtio_serial_unrealize(DeviceState *dev)
{
    VirtioSerial *s = container_of(dev, VirtioSerial, vdev.dev);

    /* Ports may outlive us during machine teardown: unlink them. */
    for (VirtioSerialPort *p = s->ports; p; p = p->next) {
        p->serial = NULL;
    }
    s->ports = NULL;
    virtio_serial_drop_ctrl(s);
    virtio_cleanup(&s->vdev);
    free(s->port_bus_name);
}

static void virtio_serial_device_reset(DeviceState *dev)
{
    virtio_reset(container_of(dev, VirtioDevice, dev));
}

static const Property virtio_serial_props[] = {
    DEFINE_PROP_UINT32("max_ports", VirtioSerial, max_ports,
                       VIRTIO_SERIAL_MAX_PORTS, "number of ports"),
    DEFINE_PROP_BOOL("emergency-write", VirtioSerial, emergency_write, true,
                     "offer VIRTIO_CONSOLE_F_EMERG_WRITE"),
    DEFINE_PROP_END,
};

const DeviceType virtio_serial_device_type = {
    .name = "virtio-serial-device",
    .desc = "Virtio serial device (ports: virtconsole, virtserialport)",
    .category = "Input devices",
    .bus = DEVICE_BUS_VIRTIO,
    .instance_size = sizeof(VirtioSerial),
    .props = virtio_serial_props,
    .user_creatable = true,
    .realize = virtio_serial_realize,
    .unrealize = virtio_serial_unrealize,
    .reset = virtio_serial_device_reset,
};
