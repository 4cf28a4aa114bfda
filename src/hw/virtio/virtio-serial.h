/*
 * hw/virtio/virtio-serial.h — the virtio console device with multiple
 * ports ("virtio-serial-device", virtio 1.2 §5.3) and the interface its
 * ports (virtio-console.c: "virtconsole", "virtserialport") plug into.
 *
 * A port is a device on bus DEVICE_BUS_VIRTIO_SERIAL. It embeds
 * VirtioSerialPort first, supplies VirtioSerialPortOps, and calls
 * virtio_serial_port_attach() at the end of its realize. The serial
 * device owns the queues and the control protocol; a port only sees
 * bytes from the guest (have_data), the guest opening or closing it, and
 * the guest making receive buffers available (guest_writable), and
 * sends bytes to the guest with virtio_serial_port_write(), which takes
 * only what the guest's buffers can hold — the rest is the port's to
 * keep, which is how input flow control works.
 */
#ifndef HW_VIRTIO_VIRTIO_SERIAL_H
#define HW_VIRTIO_VIRTIO_SERIAL_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "core/device.h"

typedef struct VirtioSerial VirtioSerial;
typedef struct VirtioSerialPort VirtioSerialPort;
typedef struct VirtQueue VirtQueue;

/* "nr" not given: the bus picks (0 for a console if free, else 1..). */
#define VIRTIO_SERIAL_PORT_AUTO UINT32_MAX

typedef struct VirtioSerialPortOps {
    /* The guest wrote @len bytes to the port. */
    void (*have_data)(VirtioSerialPort *port, const uint8_t *buf,
                      size_t len);
    /* The guest opened (true) or closed the port. */
    void (*guest_open)(VirtioSerialPort *port, bool open);
    /* The guest queued receive buffers: virtio_serial_port_write() may
     * take more now. */
    void (*guest_writable)(VirtioSerialPort *port);
} VirtioSerialPortOps;

struct VirtioSerialPort {
    DeviceState dev;            /* first */
    const VirtioSerialPortOps *ops;
    uint32_t id;                /* property "nr": the port number */
    char *name;                 /* property "name": shown to the guest */
    bool is_console;
    VirtioSerial *serial;       /* set while plugged into a live device */
    bool guest_connected;       /* the guest has the port open */
    bool host_connected;        /* our side is open (chardev connected) */
    VirtioSerialPort *next;     /* the device's port list */
};

extern const DeviceType virtio_serial_device_type;

/* End of a port's realize: make it visible to the guest. */
bool virtio_serial_port_attach(VirtioSerialPort *port, Error **errp);
/* Start of a port's unrealize. */
void virtio_serial_port_detach(VirtioSerialPort *port);

/*
 * Host → guest: copy as much of @buf as the guest's receive buffers hold
 * and return that count (0 if the guest has not opened the port).
 */
size_t virtio_serial_port_write(VirtioSerialPort *port, const uint8_t *buf,
                                size_t len);
/* Our side of the port opened or closed (tells the guest: PORT_OPEN). */
void virtio_serial_port_set_host_connected(VirtioSerialPort *port,
                                           bool connected);

#endif /* HW_VIRTIO_VIRTIO_SERIAL_H */
