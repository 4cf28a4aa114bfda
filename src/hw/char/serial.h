/*
 * hw/char/serial.h — a memory-mapped NS16550A UART, the serial port of
 * QEMU's virt machine: what Linux's 8250 driver (and its earlycon),
 * OpenSBI's uart8250 driver and most firmware expect.
 *
 * Registers, at offset (n << regshift):
 *
 *   0  RBR (read) / THR (write)    DLL when LCR.DLAB = 1
 *   1  IER                         DLM when LCR.DLAB = 1
 *   2  IIR (read) / FCR (write)
 *   3  LCR      4  MCR      5  LSR      6  MSR      7  SCR
 *
 * Transmission is immediate (the byte goes to the chardev when THR is
 * written), so THR and the transmitter always look empty to the guest.
 * Reception goes through a 16-byte FIFO fed by the chardev, which is
 * asked how much it may deliver (can_read), so host input waits rather
 * than overruns.
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "core/device.h"
#include "core/irq.h"

/* Register numbers (before the regshift scaling). */
enum {
    UART_RBR = 0, UART_THR = 0, UART_DLL = 0,
    UART_IER = 1, UART_DLM = 1,
    UART_IIR = 2, UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

/* IER bits */
#define UART_IER_RDI    0x01    /* received data available */
#define UART_IER_THRI   0x02    /* transmitter holding register empty */
#define UART_IER_RLSI   0x04    /* receiver line status */
#define UART_IER_MSI    0x08    /* modem status */

/* IIR values (bits 3:0) and the FIFO-enabled flag */
#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c    /* character timeout */
#define UART_IIR_FIFO_ENABLED 0xc0

/* FCR bits */
#define UART_FCR_ENABLE_FIFO 0x01
#define UART_FCR_CLEAR_RCVR  0x02
#define UART_FCR_CLEAR_XMIT  0x04
#define UART_FCR_TRIGGER_MASK 0xc0

/* LCR bits */
#define UART_LCR_WLEN_MASK 0x03
#define UART_LCR_STOP   0x04
#define UART_LCR_PARITY 0x08
#define UART_LCR_SBC    0x40    /* set break */
#define UART_LCR_DLAB   0x80

/* MCR bits */
#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10

/* LSR bits */
#define UART_LSR_DR     0x01    /* data ready */
#define UART_LSR_OE     0x02    /* overrun */
#define UART_LSR_PE     0x04    /* parity error */
#define UART_LSR_FE     0x08    /* framing error */
#define UART_LSR_BI     0x10    /* break */
#define UART_LSR_THRE   0x20    /* THR empty */
#define UART_LSR_TEMT   0x40    /* transmitter empty */
#define UART_LSR_FIFOE  0x80    /* error in RX FIFO */
#define UART_LSR_INT_ANY (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

/* MSR bits */
#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04
#define UART_MSR_DDCD   0x08
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80
#define UART_MSR_ANY_DELTA 0x0f

#define UART_FIFO_SIZE  16

extern const DeviceType serial_type;

/*
 * Create, realize and map at @addr a 16550A whose registers are
 * (1 << @regshift) bytes apart, in a window of @size bytes, with the
 * input clock @clock_hz (3686400 on virt) and @chr as its backend (NULL:
 * output is dropped, no input).
 */
DeviceState *serial_create(Machine *m, uint64_t addr, uint64_t size,
                           unsigned regshift, uint32_t clock_hz,
                           Chardev *chr, Error **errp);

/* Wire the interrupt output (to a PLIC source). */
void serial_connect_irq(DeviceState *dev, IRQLine irq);

#endif /* HW_CHAR_SERIAL_H */
